"""What a user takes away: the config (JSON and the link's query), the trained weights with their config
(`flax.serialization` msgpack) and a standalone training script (`script.py`); and loading weights back.

Loading is strict: a file that is not ours, from a later format, with a config this version refuses, or with
weights that do not fit the config's network (or are not finite) is refused with one readable reason
(`ExportError`), and nothing changes. Flax is imported only when weights are written or read: importing it takes
about 3 s, and the engine itself does without it.
"""

from __future__ import annotations

import json
import urllib.parse

import numpy as np

from .config import Config, ConfigError, from_strings, to_strings
from .model import Arch

FORMAT = "nn-playground-weights"   # the tag that says a file is ours
CONFIG_FORMAT = "nn-playground-config"
VERSION = 1
MAX_WEIGHTS_BYTES = 1_000_000      # ten layers of 32 weigh about 45 kB; anything much bigger is not ours


class ExportError(ValueError):
    """A file that cannot be loaded; the message is one sentence meant for the user (shown as literal text)."""


# --- the config ---------------------------------------------------------------------------------------------------

def config_json(config: Config) -> str:
    """The whole config as JSON: every field in its string form (the one the link and the CLI use)."""
    return json.dumps({"format": CONFIG_FORMAT, "version": VERSION, "config": to_strings(config)}, indent=2)


def config_from_json(text: str) -> Config:
    """The config of `config_json`'s output; raises ExportError with the reason."""
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as err:
        raise ExportError(f"not a JSON file ({err.__class__.__name__})") from None
    if not isinstance(value, dict) or value.get("format") != CONFIG_FORMAT:
        raise ExportError("not a playground config file (its format tag is missing)")
    return _config_of(value.get("config"))


def link_query(config: Config) -> str:
    """The query string of the link that opens this config (`?dataset=...&layers=...`)."""
    return "?" + urllib.parse.urlencode(to_strings(config), safe=",")


def _config_of(strings) -> Config:
    if not isinstance(strings, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                for k, v in strings.items()):
        raise ExportError("its config is not a table of settings")
    try:
        return from_strings(strings)
    except ConfigError as err:
        raise ExportError(f"its config is not valid here: {err}") from None


# --- the weights --------------------------------------------------------------------------------------------------

def weights_bytes(config: Config, layers, epoch: int) -> bytes:
    """The network's [(W (in, out), b (out,))] per weight layer with its config and epoch, as msgpack."""
    from flax import serialization  # noqa: PLC0415  (0.2-0.4 s to import after JAX: only when asked)

    tree = {"format": FORMAT, "version": VERSION, "epoch": int(epoch), "config": to_strings(config),
            "layers": {str(i): {"w": np.asarray(w, np.float32), "b": np.asarray(b, np.float32)}
                       for i, (w, b) in enumerate(layers)}}
    return serialization.msgpack_serialize(tree)


def load_weights(blob: bytes) -> tuple[Config, list[tuple[np.ndarray, np.ndarray]], int]:
    """(config, [(W, b)] per weight layer, epoch) from `weights_bytes`' output; ExportError with the reason if the
    file is not ours or does not fit."""
    if not blob:
        raise ExportError("the file is empty")
    if len(blob) > MAX_WEIGHTS_BYTES:
        raise ExportError(f"the file is {len(blob):,} bytes; weights files of this playground are at most "
                          f"{MAX_WEIGHTS_BYTES:,}")
    tree = _unpack(blob)
    if not isinstance(tree, dict) or tree.get("format") != FORMAT:
        raise ExportError("not a weights file of this playground (its format tag is missing)")
    if tree.get("version") != VERSION:
        raise ExportError(f"weights file version {tree.get('version')!r}; this playground reads version {VERSION}")
    config = _config_of(tree.get("config"))
    layers = _layers_of(tree.get("layers"), Arch.from_config(config))
    epoch = tree.get("epoch")
    return config, layers, epoch if isinstance(epoch, int) and epoch >= 0 else 0


def _unpack(blob: bytes):
    from flax import serialization  # noqa: PLC0415

    try:
        return serialization.msgpack_restore(blob)
    except Exception:  # noqa: BLE001 - msgpack raises many kinds on foreign bytes; all mean "not ours"
        raise ExportError("not a weights file of this playground (it is not msgpack)") from None


def _layers_of(stored, arch: Arch) -> list[tuple[np.ndarray, np.ndarray]]:
    """The stored layers, checked against the shapes the config's network has."""
    sizes = arch.sizes
    expected = [((i, o), (o,)) for i, o in zip(sizes[:-1], sizes[1:])]
    if not isinstance(stored, dict) or sorted(stored) != sorted(str(i) for i in range(len(expected))):
        raise ExportError(f"its config has {len(expected)} weight layers but the file holds "
                          f"{len(stored) if isinstance(stored, dict) else 'no'} layers")
    layers = []
    for i, shapes in enumerate(expected):
        layer = stored[str(i)]
        w, b = (layer.get(k) if isinstance(layer, dict) else None for k in ("w", "b"))
        if (not all(isinstance(a, np.ndarray) and a.dtype.kind in "fiu" for a in (w, b))
                or (w.shape, b.shape) != shapes):
            raise ExportError(f"weight layer {i + 1} should be {shapes[0][0]} x {shapes[0][1]} with "
                              f"{shapes[1][0]} biases for its config's network, and is not")
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise ExportError(f"weight layer {i + 1} holds values that are not finite")
        layers.append((w.astype(np.float32), b.astype(np.float32)))
    return layers

"""The command line's weights and code files: `--load-weights`, `--save-weights`, `--export-code` of `train`.

Every problem (a file that cannot be read or written, a weights file that is not ours, flags that change the loaded
network's shape) is a `ConfigError` naming the flag, so the CLI refuses it like any bad value: one line, exit code 2.
"""

from __future__ import annotations

import os

from .core.config import ConfigError, from_strings


def _read(path: str, flag: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as err:
        raise ConfigError(flag, f"cannot read {path!r}: {err.strerror or err}") from None


def _write(path: str, flag: str, content: bytes):
    try:
        with open(path, "wb") as f:
            f.write(content)
    except OSError as err:
        raise ConfigError(flag, f"cannot write {path!r}: {err.strerror or err}") from None


def start(values: dict[str, str], load_path: str | None):
    """(config, loaded layers or None): the flags' config, or the weights file's config with the flags on top."""
    if load_path is None:
        return from_strings(values), None
    from .core.export import ExportError, load_weights
    from .core.model import Arch

    try:
        loaded_config, layers, _epoch = load_weights(_read(load_path, "load_weights"))
    except ExportError as err:
        raise ConfigError("load_weights", f"{load_path!r}: {err}") from None
    config = from_strings(values, base=loaded_config)
    if Arch.from_config(config).sizes != Arch.from_config(loaded_config).sizes:
        raise ConfigError("load_weights", f"the flags change the network's shape from "
                                          f"{list(Arch.from_config(loaded_config).sizes)} to "
                                          f"{list(Arch.from_config(config).sizes)}; the weights do not fit it")
    return config, layers


def write(session, loaded, weights_path: str | None, code_path: str | None) -> dict:
    """Write what was asked for; returns the paths written (for the JSON result)."""
    from .core.export import weights_bytes
    from .core.model import layers_of
    from .core.script import standalone_script

    written = {}
    if weights_path is not None:
        _write(weights_path, "save_weights", weights_bytes(session.config, layers_of(session.params), session.epoch))
        written["saved_weights"] = weights_path
    if code_path is not None:
        config = session.config
        script = standalone_script(config, session.dataset, initial=loaded, name=os.path.basename(code_path))
        _write(code_path, "export_code", script.encode())
        written["exported_code"] = code_path
    return written



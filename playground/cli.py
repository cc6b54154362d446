"""Command line: `python -m playground train --dataset spiral --layers 8,8,8 --epochs 2000 --json`.

One flag per config field, named as the field with dashes; values are parsed and validated by `config`."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

from . import cli_exports as exports
from . import lesson_cli
from .cli_flags import add_config_flags
from .core.config import FIELDS, MAX_NETWORKS, MAX_POINT_EPOCHS, ConfigError, check_work, from_strings, parse_list
from .gan_cli import add_gan_parser, gan_command


DATA_HELP = ("train on a CSV file instead of a generated data set: columns x1,x2,label (classes 0 to 4) or x1,x2,y "
             "(values), header optional, at most 10,000 rows and 1 MB")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m playground", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train one network and print its metrics")
    add_config_flags(train, FIELDS)
    train.add_argument("--json", action="store_true", help="print one line of strict JSON")
    train.add_argument("--save-weights", metavar="PATH", help="write the trained weights with their config (msgpack)")
    train.add_argument("--load-weights", metavar="PATH", help="start from a weights file: its config, then any flags "
                       "given (which must keep its network's shape)")
    train.add_argument("--export-code", metavar="PATH", help="write a standalone script (JAX and optax only) that "
                       "rebuilds this data and network and trains it")
    train.add_argument("--data", metavar="PATH", help=DATA_HELP)
    sweep = commands.add_parser("sweep", help="train a depth x width (x activation) grid of networks together")
    add_config_flags(sweep, FIELDS, skip=("layers", "activation", "dropout", "freeze"))
    sweep.add_argument("--depths", default="1,2,3,4,5,6", help="comma list of hidden-layer counts (0 to 10)")
    sweep.add_argument("--widths", default="2,4,6,8", help="comma list of neurons per layer (1 to 32)")
    sweep.add_argument("--activations", default="tanh", help="comma list of activations")
    sweep.epilog = (f"At most {MAX_NETWORKS} networks (depths x widths x activations), and epochs x training points "
                    f"x networks at most {MAX_POINT_EPOCHS:,}.")
    sweep.add_argument("--json", action="store_true", help="print a JSON list, one object per network")
    sweep.add_argument("--data", metavar="PATH", help=DATA_HELP)
    lesson_cli.add_parser(commands)
    add_gan_parser(commands)  # `gan`: the GAN mode (gan_cli.py)
    return parser


def _with_data(config, path: str | None):
    """(config, uploaded points) for `--data PATH`: the config's source, problem and classes follow the file.
    Raises ConfigError naming --data with the file's reason (a bad file is refused like a bad value)."""
    if path is None:
        if config.source == "file":
            raise ConfigError("source", "'file' needs --data PATH")
        return config, None
    from .core.userdata import DataError, config_for_upload, parse_csv
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_READ)
        upload = parse_csv(raw)
    except OSError as err:
        raise ConfigError("data", f"cannot read {path}: {err.strerror}") from None
    except DataError as err:
        raise ConfigError("data", f"{path}: {err}") from None
    return config_for_upload(config, upload), upload


MAX_FILE_READ = 1_000_001  # one byte past the loader's limit: enough to tell a file too large


def _refuse(err: ConfigError) -> int:
    """One line on stderr naming the flag (or the limit) and why; exit code 2, as argparse does."""
    flag = f"--{err.field.replace('_', '-')}: " if err.field != "networks" else ""
    print(f"error: {flag}{err.reason}", file=sys.stderr)
    return 2


def _finite(value):
    """JSON has no NaN or Infinity: non-finite numbers become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _progress(done: int, total: int, loss: float):
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] epoch {done}/{total}  train loss {loss:.4f}")
    sys.stderr.flush()


def train_command(args) -> int:
    from .core.session import Session  # imported here so that --help answers without loading JAX
    from .core.train import CAPACITY, compiled_trainer, data_shapes, enable_compilation_cache

    enable_compilation_cache()
    values = {name: getattr(args, name) for name in FIELDS if getattr(args, name) is not None}
    try:
        config, loaded = exports.start(values, args.load_weights)
        config, upload = _with_data(config, args.data)
        check_work(config, 1, _n_train(config, upload))
    except ConfigError as err:
        return _refuse(err)
    session = Session(config, upload=upload)
    if loaded is not None:
        session.set_weights(loaded)
    _, compile_seconds = compiled_trainer(session.spec, data_shapes(session.data))
    start = time.perf_counter()
    while session.epoch < config.epochs and not session.diverged:
        session.advance(min(CAPACITY * 8, config.epochs - session.epoch))
        losses = session.history.train_loss
        if not args.json and len(losses):  # empty if the very first epoch diverged
            _progress(session.epoch, config.epochs, float(losses[-1]))
    train_seconds = time.perf_counter() - start
    h = session.history
    last = (lambda a: float(a[-1]) if len(a) else None)
    is_classification = config.problem == "classification"
    result = {
        "train_loss": last(h.train_loss), "test_loss": last(h.test_loss),
        "train_accuracy": last(h.train_accuracy) if is_classification else None,
        "test_accuracy": last(h.test_accuracy) if is_classification else None,
        "epochs": session.epoch, "diverged": session.diverged,
        "compile_seconds": round(compile_seconds, 4), "train_seconds": round(train_seconds, 4),
        "epochs_per_second": round(session.epoch / train_seconds, 1) if train_seconds > 0 else None,
        "grad_norms": [float(g) for g in session.gradient_norms()],
        "params": session.arch.n_params,
    }
    if session.epoch == 0:  # no epoch run yet: report the metrics of the initial weights
        from .core.probes import accuracy, loss
        arch, p, d = session.arch, session.params, session.data
        result["train_loss"] = loss(arch, p, d.x_train, d.y_train)
        result["test_loss"] = loss(arch, p, d.x_test, d.y_test)
        if is_classification:
            result["train_accuracy"] = accuracy(arch, p, d.x_train, d.y_train)
            result["test_accuracy"] = accuracy(arch, p, d.x_test, d.y_test)
    result = {k: ([_finite(x) for x in v] if isinstance(v, list) else _finite(v)) for k, v in result.items()}
    try:
        result |= exports.write(session, loaded, args.save_weights, args.export_code)
    except ConfigError as err:
        return _refuse(err)
    if args.json:
        print(json.dumps(result, allow_nan=False))
        return 0
    sys.stderr.write("\n")
    print(f"{config.dataset}, layers {list(config.layers) or 'none'}, {session.arch.n_params} parameters")
    if session.diverged:
        print(f"diverged at epoch {session.epoch}: the loss or a weight stopped being finite "
              "(try a lower learning rate or a smaller init); the numbers below are the last finite ones")
    for key in ("epochs", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "compile_seconds",
                "train_seconds", "epochs_per_second"):
        if result[key] is not None:
            print(f"  {key.replace('_', ' '):18} {result[key]}")
    print("  gradient norms     " + "  ".join(f"{g:.3g}" for g in result["grad_norms"]))
    return 0


def _n_train(config, upload) -> int | None:
    """Training points of a file's data (the config's `points` does not count them)."""
    return None if upload is None else config.n_train_of(len(upload.labels))


def sweep_command(args) -> int:
    from .core.config import ACTIVATION_NAMES, MAX_LAYERS, MAX_WIDTH

    values = {name: getattr(args, name) for name in FIELDS if getattr(args, name, None) is not None}
    try:
        config, upload = _with_data(from_strings(values), args.data)
        depths = parse_list("depths", args.depths, int, bounds=(0, MAX_LAYERS), length=(1, None))
        widths = parse_list("widths", args.widths, int, bounds=(1, MAX_WIDTH), length=(1, None))
        activations = parse_list("activations", args.activations, str, choices=ACTIVATION_NAMES, length=(1, None))
    except ConfigError as err:
        return _refuse(err)
    from .core.sweep import Sweep, grid_configs  # after the flags are checked: a bad one needs no JAX
    from .core.train import enable_compilation_cache

    configs = grid_configs(config, depths, widths, activations)
    try:
        if len(configs) > MAX_NETWORKS:
            raise ConfigError("networks", f"{len(configs)} networks (depths x widths x activations) is over the "
                                          f"limit of {MAX_NETWORKS} per sweep; pick fewer")
        check_work(config, len(configs), _n_train(config, upload))
    except ConfigError as err:
        return _refuse(err)
    enable_compilation_cache()
    start = time.perf_counter()
    sweep = Sweep(configs, upload=upload)
    sweep.advance(config.epochs)
    seconds = time.perf_counter() - start
    results = [{k: _finite(v) for k, v in r.items()} for r in sweep.results()]
    if args.json:
        print(json.dumps(results, allow_nan=False))
        return 0
    print(f"{len(results)} networks x {config.epochs} epochs on {config.dataset} in {seconds:.2f} s (with compilation)")
    print(f"{'activation':>10} {'depth':>5} {'width':>5} {'params':>6} {'train loss':>10} {'test loss':>9} "
          f"{'test acc':>8}")
    number = lambda v, digits: "-" if v is None else f"{v:.{digits}f}"  # "-": no epoch trained, or regression
    for r in results:
        print(f"{r['activation']:>10} {r['depth']:>5} {r['width']:>5} {r['params']:>6} "
              f"{number(r['train_loss'], 4):>10} {number(r['test_loss'], 4):>9} {number(r['test_accuracy'], 3):>8}"
              + ("  diverged" if r["diverged"] else ""))
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    return {"train": train_command, "sweep": sweep_command, "lesson": lesson_cli.lesson_command,
            "gan": gan_command}[args.command](args)

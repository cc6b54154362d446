"""The GAN mode's command line: `python -m playground gan --real ring8 --steps 5000 --seed 0 --json
[--samples PATH]`. One flag per `GanConfig` field, parsed by the config's one strict parser; registered in `cli.py`."""

from __future__ import annotations

import json
import math
import sys
import time

from .cli_flags import add_config_flags
from .core.config import ConfigError, from_strings
from .core.gan_config import GAN_DEFAULT, GAN_FIELDS

SAMPLES = 2000  # generated samples --samples writes unless --sample-count says otherwise


def add_gan_parser(commands):
    gan = commands.add_parser("gan", help="train a GAN on a 2-D distribution and print its losses and scores")
    add_config_flags(gan, GAN_FIELDS)
    gan.add_argument("--json", action="store_true", help="print one line of strict JSON")
    gan.add_argument("--samples", metavar="PATH", help="write generated samples there, a JSON list of [x, y]")
    gan.add_argument("--sample-count", metavar="N", default=str(SAMPLES), help=f"samples to write (default {SAMPLES})")


def _finite(value):
    return value if not isinstance(value, float) or math.isfinite(value) else None


def _last_finite(values):
    finite = [float(v) for v in values if math.isfinite(v)]
    return finite[-1] if finite else None


def _train(config, progress: bool):
    from .core.gan import CAPACITY, compiled_gan_trainer  # here, so that --help and bad flags need no JAX
    from .core.gan_session import GanRun
    from .core.train import enable_compilation_cache

    enable_compilation_cache()
    run = GanRun(config)
    _, compile_seconds = compiled_gan_trainer(run.spec)
    start = time.perf_counter()
    while run.step < config.steps and not run.diverged:
        run.advance(min(CAPACITY * 8, config.steps - run.step))
        if progress:
            sys.stderr.write(f"\rstep {run.step}/{config.steps}")
    seconds = time.perf_counter() - start
    run.measure_divergence()
    return run, compile_seconds, seconds


def _result(run, compile_seconds, train_seconds) -> dict:
    h = run.history
    return {"d_loss": _last_finite(h.d_loss), "g_loss": _last_finite(h.g_loss), "steps": run.step,
            "diverged": run.diverged, "divergence": _finite(round(float(h.divergence[-1]), 5)),
            "modes_covered": run.modes_covered(), "real": run.config.real,
            "compile_seconds": round(compile_seconds, 4), "train_seconds": round(train_seconds, 4),
            "steps_per_second": round(run.step / train_seconds, 1) if train_seconds > 0 else None}


def gan_command(args) -> int:
    from .cli import _refuse
    from .core.config import parse_list

    values = {name: getattr(args, name) for name in GAN_FIELDS if getattr(args, name) is not None}
    try:
        config = from_strings(values, GAN_DEFAULT)
        count = parse_list("sample_count", args.sample_count, int, bounds=(1, 100_000), length=(1, 1))[0]
    except ConfigError as err:
        return _refuse(err)
    run, compile_seconds, train_seconds = _train(config, progress=not args.json)
    result = _result(run, compile_seconds, train_seconds)
    if args.samples:
        samples = [[_finite(round(float(x), 6)), _finite(round(float(y), 6))] for x, y in run.samples(count)]
        with open(args.samples, "w", encoding="utf-8") as out:
            json.dump(samples, out, allow_nan=False)
    if args.json:
        print(json.dumps(result, allow_nan=False))
        return 0
    sys.stderr.write("\n")
    print(f"GAN on {config.real}: generator {list(config.g_layers)}, discriminator {list(config.d_layers)}, "
          f"{config.loss} loss, k = {config.d_steps}")
    if run.diverged:
        print(f"diverged at step {run.step}: a loss or weight stopped being finite (try lower learning rates)")
    for key, value in result.items():
        if value is not None and key != "real":
            print(f"  {key.replace('_', ' '):18} {value}")
    return 0

"""One `--flag VALUE` per field of a config class (the classifier's `Config`, the GAN mode's `GanConfig`): the
command line's options come from the fields, as the link's do."""

from __future__ import annotations


def add_config_flags(parser, fields: dict, skip: tuple[str, ...] = ()):
    """`fields`: name -> dataclass field carrying `help` and `choices` metadata."""
    for name, f in fields.items():
        if name in skip:
            continue
        default = f.default
        shown = ",".join(map(str, default)) if isinstance(default, tuple) else default
        choices = f" ({', '.join(f.metadata['choices'])})" if f.metadata["choices"] else ""
        parser.add_argument("--" + name.replace("_", "-"), dest=name, metavar="VALUE",
                            help=f"{f.metadata['help']}{choices}; default {shown!s}")

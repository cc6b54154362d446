"""One frozen dataclass describes an experiment.

The UI edits it, the URL and the CLI serialise it as a flat dict of strings, and the core consumes it. Every field
carries its allowed values in its metadata, so conversion and validation are written once, driven by
`dataclasses.fields`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from dataclasses import dataclass, field

# Registries of names. The numeric tables behind them live in the modules that use them (datasets, model, train);
# these tuples are the single list of what a config may name.
CLASSIFICATION_DATASETS = ("circle", "xor", "gauss", "spiral", "moons", "checkerboard")
REGRESSION_DATASETS = ("plane", "multigauss")
DATASET_NAMES = CLASSIFICATION_DATASETS + REGRESSION_DATASETS
MULTICLASS_DATASETS = ("spiral", "gauss")  # the generators that can draw 3 to 5 classes
FEATURE_NAMES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
ACTIVATION_NAMES = ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "elu", "gelu", "swish", "softplus", "sin")
INIT_NAMES = ("glorot", "he", "lecun", "uniform", "zeros", "large")
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad")
REGULARIZATION_NAMES = ("none", "l1", "l2")
SCHEDULE_NAMES = ("constant", "step", "cosine", "warmup_cosine")  # learning-rate schedules (core/schedule.py)
MAX_SCHEDULE_EPOCHS = 10_000  # the longest schedule: its per-epoch table is a traced knob of this length + 1
OUTPUT_NAMES = ("default", "tanh_mse")
SOURCE_NAMES = ("generated", "drawn", "file")
MAX_LAYERS, MAX_WIDTH = 10, 32
MAX_NETWORKS = 96  # most networks one sweep trains together: a bigger one takes minutes per hundred epochs
# Most training one run may ask for: epochs x training points, summed over a sweep's networks. Measured here: the
# default network trains about 0.9 million point-epochs per second (3,600 epochs/s of 250 points), ten layers of 32
# on 1,800 points about 0.03 million, and a sweep of 128 networks up to 8 x 32 about 0.075 million: so at most
# about 5 minutes, 40,000 epochs of the default 250 training points.
MAX_POINT_EPOCHS = 10**7


class ConfigError(ValueError):
    """A value a config cannot take; `field` names the offending field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field, self.reason = field_name, message


# What a change of a field costs the run in progress (`Session.apply` acts on these groups):
EFFECTS = (
    "data",       # new data, hence fresh weights too
    "weights",    # same data, fresh weights
    "optimizer",  # same weights, fresh optimizer state
    "knob",       # same run: a traced value swapped while training goes on, nothing recompiles
    "run",        # nothing for the engine (how long the command line trains)
)
# How the playground page edits a field: "select", "slider" or "select_slider" is one widget keyed by the field's
# name that holds its value; "per_layer" and "toggles" are assembled from several widgets (one per layer, one per
# feature); "button" is changed by a button (Reset, Regenerate); None has no widget (kept as the link sets it).
WIDGETS = ("select", "slider", "select_slider", "per_layer", "toggles", "button", None)


def _opt(default, help, effect, widget, choices=None, bounds=None, length=None):
    """A config field: its default, one line of help, what a change costs, its widget, and the values it accepts."""
    assert effect in EFFECTS and widget in WIDGETS, (effect, widget)
    return field(default=default, metadata={"help": help, "effect": effect, "widget": widget, "choices": choices,
                                            "bounds": bounds, "length": length})


@dataclass(frozen=True)
class Config:
    # data
    dataset: str = _opt("circle", "data set", "data", "select", choices=DATASET_NAMES)
    classes: int = _opt(2, "number of classes (3 to 5 only for spiral and gauss)", "data", "select", bounds=(2, 5))
    points: int = _opt(500, "number of points, train and test together", "data", "slider", bounds=(20, 2000))
    noise: float = _opt(0.0, "noise, 0 to 0.5 as in TensorFlow Playground's 0 to 50", "data", "slider",
                        bounds=(0.0, 0.5))
    train_ratio: float = _opt(0.5, "share of the points used for training", "data", "slider", bounds=(0.1, 0.9))
    second_class_share: float = _opt(0.5, "share of points in the second class (imbalance)", "data", "slider",
                                     bounds=(0.05, 0.95))
    data_seed: int = _opt(0, "seed of the data set (regenerate = new seed)", "data", "button", bounds=(0, 2**31 - 1))
    source: str = _opt("generated", "where the points come from: the data set's generator, the points drawn on the "
                       "plane, or a CSV file (--data PATH)", "data", None, choices=SOURCE_NAMES)
    drawn: str = _opt("", "points drawn on the plane, compactly encoded (see core/userdata.py); kept when going back "
                      "to the generated set", "data", None)
    # network
    features: tuple[str, ...] = _opt(("x1", "x2"), "input features", "data", "toggles", choices=FEATURE_NAMES,
                                     length=(1, 7))
    layers: tuple[int, ...] = _opt((4, 2), "hidden layer widths, input side first", "weights", "per_layer",
                                   bounds=(1, MAX_WIDTH), length=(0, MAX_LAYERS))
    activation: tuple[str, ...] = _opt(("tanh",), "one activation for all hidden layers, or one per layer",
                                       "weights", "per_layer", choices=ACTIVATION_NAMES, length=(1, MAX_LAYERS))
    dropout: tuple[float, ...] = _opt((0.0,), "dropout rate for all hidden layers, or one per layer", "weights",
                                      "per_layer", bounds=(0.0, 0.9), length=(1, MAX_LAYERS))
    init: str = _opt("glorot", "weight initialisation", "weights", "select", choices=INIT_NAMES)
    output: str = _opt("default", "default: sigmoid/softmax + cross-entropy or linear + squared error; "
                       "tanh_mse: TensorFlow Playground's tanh + squared error", "weights", "select",
                       choices=OUTPUT_NAMES)
    # training
    optimizer: str = _opt("sgd", "optimizer", "optimizer", "select", choices=OPTIMIZER_NAMES)
    learning_rate: float = _opt(0.03, "learning rate", "knob", "select_slider", bounds=(1e-5, 10.0))
    schedule: str = _opt("constant", "learning-rate schedule: constant; step (halved every quarter of the schedule "
                         "length); cosine (down to 0); warmup_cosine (up over its first tenth, then cosine)", "knob",
                         "select", choices=SCHEDULE_NAMES)
    schedule_epochs: int = _opt(1000, "schedule length in epochs: the rate stays at its final value afterwards",
                                "knob", "select_slider", bounds=(10, MAX_SCHEDULE_EPOCHS))
    batch_size: int = _opt(10, "batch size; at least the training set size means full batch", "optimizer",
                           "select_slider", bounds=(1, 2000))
    regularization: str = _opt("none", "penalty on weights (not biases)", "knob", "select",
                               choices=REGULARIZATION_NAMES)
    regularization_rate: float = _opt(0.0, "regularization rate", "knob", "select_slider", bounds=(0.0, 10.0))
    freeze: tuple[int, ...] = _opt((), "layers kept fixed, 1 = first hidden layer, last = output layer", "knob",
                                   "per_layer", bounds=(1, MAX_LAYERS + 1), length=(0, MAX_LAYERS + 1))
    seed: int = _opt(0, "seed of the weights and dropout (reset = new seed)", "weights", "button",
                     bounds=(0, 2**31 - 1))
    epochs: int = _opt(500, f"epochs to train when run from the command line; epochs x training points (x networks "
                       f"in a sweep) at most {MAX_POINT_EPOCHS:,}, a few minutes at worst", "run", None,
                       bounds=(0, MAX_POINT_EPOCHS))

    def __post_init__(self):
        # One order for sets of names and numbers, whatever order a link or the CLI gave: the page's toggles can
        # only express this one, and `features=x2,x1` must train the same network everywhere.
        if set(self.features) <= set(FEATURE_NAMES):
            object.__setattr__(self, "features", tuple(sorted(self.features, key=FEATURE_NAMES.index)))
        if all(isinstance(k, int) for k in self.freeze):
            object.__setattr__(self, "freeze", tuple(sorted(self.freeze)))
        for f in dataclasses.fields(self):
            _check_field(f, getattr(self, f.name))
        _check_consistency(self)

    # Derived, never stored: one source of truth.
    @property
    def problem(self) -> str:
        return "regression" if self.dataset in REGRESSION_DATASETS else "classification"

    @property
    def n_classes(self) -> int:
        return 0 if self.problem == "regression" else self.classes

    @property
    def n_train(self) -> int:
        """Training points: the data set's first `train_ratio` share, at least one point on each side."""
        return self.n_train_of(self.points)

    def n_train_of(self, points: int) -> int:
        """Training points of a set of `points` (a drawn set or a file has its own number of points)."""
        return min(max(int(round(points * self.train_ratio)), 1), points - 1)

    @property
    def layer_activations(self) -> tuple[str, ...]:
        return _per_layer(self.activation, len(self.layers))

    @property
    def layer_dropout(self) -> tuple[float, ...]:
        return _per_layer(self.dropout, len(self.layers))

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **changes)


def _per_layer(values: tuple, n_layers: int) -> tuple:
    return values * n_layers if len(values) == 1 else values


FIELDS = {f.name: f for f in dataclasses.fields(Config)}


def fields_with_effect(effect: str) -> tuple[str, ...]:
    """The fields whose change costs `effect` (one of EFFECTS), in declaration order."""
    assert effect in EFFECTS, effect
    return tuple(name for name, f in FIELDS.items() if f.metadata["effect"] == effect)


def fields_with_widget(*widgets) -> tuple[str, ...]:
    """The fields the playground page edits with one of `widgets` (see WIDGETS), in declaration order."""
    return tuple(name for name, f in FIELDS.items() if f.metadata["widget"] in widgets)


@functools.cache
def _type_hints(owner: type) -> dict:
    """A config class's field types, evaluated once: `typing.get_type_hints` compiles every string annotation on each
    call, which made up about a third of a page run's server time (every run builds a Config)."""
    return typing.get_type_hints(owner)


def _element_type(f: dataclasses.Field, owner: type | None = None) -> type:
    hint = _type_hints(owner or Config)[f.name]
    return typing.get_args(hint)[0] if typing.get_origin(hint) is tuple else hint


def shown(value, limit: int = 40) -> str:
    """A value in a message: quoted, cut short (a link may carry kilobytes), never meant as markup."""
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= limit else text[:limit] + "…") if isinstance(value, str) else text[:limit]


def _check_value(name: str, value, meta: dict):
    choices, bounds = meta["choices"], meta["bounds"]
    if choices is not None and value not in choices:
        raise ConfigError(name, f"{shown(value)} is not one of {', '.join(map(str, choices))}")
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        raise ConfigError(name, f"{shown(value)} is outside {bounds[0]} to {bounds[1]}")


def _check_length(name: str, count: int, length: tuple):
    low, high = length
    if high is None and count < low:
        raise ConfigError(name, f"needs at least {low} entr{'y' if low == 1 else 'ies'}, got {count}")
    if high is not None and not low <= count <= high:
        raise ConfigError(name, f"needs {low} to {high} entries, got {count}")


def _check_field(f: dataclasses.Field, value, owner: type | None = None):
    """`value` checked against field `f` of `owner` (Config unless another config class, e.g. gan.GanConfig)."""
    kind = _element_type(f, owner)
    items = value if isinstance(value, tuple) else (value,)
    if isinstance(f.default, tuple) != isinstance(value, tuple):
        raise ConfigError(f.name, f"expected {'a tuple' if isinstance(f.default, tuple) else kind.__name__}")
    for item in items:
        if kind is float and isinstance(item, int) and not isinstance(item, bool):
            item = float(item)
        if not isinstance(item, kind) or isinstance(item, bool):
            raise ConfigError(f.name, f"{shown(item)} is not a {kind.__name__}")
        if kind is float and item != item:
            raise ConfigError(f.name, "NaN is not a value")
        _check_value(f.name, item, f.metadata)
    if f.metadata["length"] is not None:
        _check_length(f.name, len(value), f.metadata["length"])


def _check_drawn(c: Config):
    """The drawn points decode, fit the problem and the classes; refused as `drawn` (shown cut short)."""
    from .userdata import DataError, decode_drawn, max_drawn_chars  # numpy only; imported late to keep this light
    if len(c.drawn) > max_drawn_chars():
        raise ConfigError("drawn", f"{len(c.drawn):,} characters, longer than any drawn set (at most "
                                   f"{max_drawn_chars():,})")
    try:
        drawn = decode_drawn(c.drawn)
    except DataError as err:
        raise ConfigError("drawn", str(err)) from None
    if c.source != "drawn":
        return  # kept for going back to them: checked against the problem and classes when they are used
    if drawn.problem != c.problem:
        raise ConfigError("drawn", f"these points are for {drawn.problem}, the data set {c.dataset} for {c.problem}")
    if len(drawn.labels) and drawn.problem == "classification" and drawn.labels.max() >= c.classes:
        raise ConfigError("drawn", f"a point of class {drawn.labels.max()} with {c.classes} classes")
    if len(drawn.labels) < 2:
        raise ConfigError("source", "'drawn' needs at least two drawn points (one to train on, one to test)")


def _check_consistency(c: Config):
    if c.classes > 2 and c.dataset not in MULTICLASS_DATASETS and c.source == "generated":
        raise ConfigError("classes", f"{c.classes} classes need one of {', '.join(MULTICLASS_DATASETS)} (or your "
                                     "own points)")
    if c.drawn:
        _check_drawn(c)
    if c.source == "drawn" and not c.drawn:
        raise ConfigError("source", "'drawn' needs drawn points (drawn is empty)")
    if c.output == "tanh_mse" and c.n_classes > 2:
        raise ConfigError("output", "tanh_mse has one output unit: it needs two classes or regression")
    if len(set(c.features)) != len(c.features):
        raise ConfigError("features", "a feature is listed twice")
    for name in ("activation", "dropout"):
        n = len(getattr(c, name))
        if n != 1 and n != len(c.layers):
            raise ConfigError(name, f"give one value or one per hidden layer ({len(c.layers)}), got {n}")
    n_weight_layers = len(c.layers) + 1
    if any(k > n_weight_layers for k in c.freeze) or len(set(c.freeze)) != len(c.freeze):
        raise ConfigError("freeze", f"layers are numbered 1 to {n_weight_layers} (the output layer), each once")
    check_work(c)


def check_work(c: Config, networks: int = 1, n_train: int | None = None):
    """Refuse a run that cannot finish in minutes: epochs x training points x networks over MAX_POINT_EPOCHS.
    `n_train`: the training points when they are not the config's (a file's)."""
    n_train = c.n_train if n_train is None else n_train
    work = networks * c.epochs * n_train
    if work > MAX_POINT_EPOCHS:
        what = f"{networks} networks x " if networks > 1 else ""
        raise ConfigError("epochs", f"{what}{c.epochs:,} epochs x {n_train:,} training points is {work:,} "
                                    f"point-epochs, over the limit of {MAX_POINT_EPOCHS:,} (a run must finish in "
                                    "minutes)")


DEFAULT = Config()


# --- strings: URLs and the command line -----------------------------------------------------------------------------

def _format_item(item) -> str:
    return repr(item) if isinstance(item, float) else str(item)


def to_strings(config, only_changed: bool = False) -> dict[str, str]:
    """The config (a Config or another config class) as a flat dict of strings; tuples become comma lists (an empty
    tuple is an empty string)."""
    out = {}
    for f in dataclasses.fields(config):
        name = f.name
        value = getattr(config, name)
        if only_changed and value == f.default:
            continue
        out[name] = ",".join(map(_format_item, value)) if isinstance(value, tuple) else _format_item(value)
    return out


# Numbers in ASCII only: Python's int() and float() also take "1_0" (as 10), other scripts' digits ("١٢" as 12),
# "inf" and "nan", none of which a link or a command line should mean.
_NUMBER = {int: re.compile(r"[+-]?[0-9]+"),
           float: re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")}


def _parse_item(name: str, text: str, kind: type):
    text = text.strip()
    if kind in _NUMBER:
        if not _NUMBER[kind].fullmatch(text):
            raise ConfigError(name, f"{shown(text)} is not a {'whole number' if kind is int else 'number'}")
        return kind(text)
    return text


def parse_list(name: str, text: str, kind: type, choices=None, bounds=None, length=None) -> tuple:
    """A comma list (blank items skipped) of `kind` items, each checked against `choices` or `bounds`, and its
    `length` ((low, high), high None for no upper limit). The one parser of lists: config fields, and the CLI's and
    the lab's lists that are no config field. Raises ConfigError naming `name`."""
    values = tuple(_parse_item(name, p, kind) for p in str(text).split(",") if p.strip())
    for value in values:
        _check_value(name, value, {"choices": choices, "bounds": bounds})
    if length is not None:
        _check_length(name, len(values), length)
    return values


MAX_TEXT = 2500  # the longest string form of any field (a drawn set is at most 2,402 characters)


def parse_value(name: str, text: str, owner: type | None = None):
    """One field's value from its string form; raises ConfigError naming the field. `owner`: the config class
    (Config unless given; the GAN mode's `gan.GanConfig` declares its fields the same way)."""
    fields = FIELDS if owner is None else {f.name: f for f in dataclasses.fields(owner)}
    if name not in fields:
        short = name if len(name) <= 40 else name[:40] + "…"  # a link's key is shown cut short, like its values
        raise ConfigError(short, f"unknown setting; known ones are {', '.join(fields)}")
    if len(str(text)) > MAX_TEXT:
        raise ConfigError(name, f"{len(str(text)):,} characters, over the limit of {MAX_TEXT:,}")
    f = fields[name]
    kind = _element_type(f, owner)
    value = parse_list(name, text, kind) if isinstance(f.default, tuple) else _parse_item(name, str(text), kind)
    _check_field(f, value, owner)
    return value


def from_strings(values: dict[str, str], base=None):
    """Strict: any unknown name or bad value raises ConfigError naming the field and what it accepts. `base`: the
    config changed (DEFAULT unless given; its class decides which fields exist)."""
    base = base or DEFAULT
    changes = {name: parse_value(name, text, type(base)) for name, text in values.items()}
    return dataclasses.replace(base, **changes)


def from_query(query: dict[str, list[str]], base: Config | None = None) -> tuple[Config, list[str]]:
    """A link's query (every value of every key): `from_strings_lenient`, and a note for what it cannot use: a key
    given more than once (which value was meant?) and fields that only the command line uses (`epochs`)."""
    values, notes = {}, []
    for name, texts in query.items():
        if len(texts) > 1:
            notes.append(f"{shown(name)} is given {len(texts)} times in the link (using the default)")
        elif name in FIELDS and FIELDS[name].metadata["effect"] == "run":
            notes.append(f"ignored {name}: it only sets how long the command line trains")
        elif name == "source" and texts[0] == "file":
            notes.append("ignored source=file: a link cannot carry an uploaded file (using the generated data)")
        else:
            values[name] = texts[0]
    config, more = from_strings_lenient(values, base)
    return config, notes + more


def to_link(config: Config) -> dict[str, str]:
    """The config's fields for a link: every field but those only the command line uses."""
    return {k: v for k, v in to_strings(config).items() if FIELDS[k].metadata["effect"] != "run"}


def from_strings_lenient(values: dict[str, str], base=None) -> tuple:
    """For URLs: every bad value falls back to its default, with one readable note each. Never raises."""
    base, notes, changes = base or DEFAULT, [], {}
    fields = {f.name for f in dataclasses.fields(base)}
    for name, text in values.items():
        try:
            changes[name] = parse_value(name, text, type(base))
        except ConfigError as err:
            notes.append(f"{err} (using the default)" if name in fields else f"ignored {err}")
    while True:
        try:
            return dataclasses.replace(base, **changes), notes
        except ConfigError as err:  # values fine alone but inconsistent together: drop the one named
            if err.field not in changes:
                return base, notes + [f"{err} (using the defaults)"]
            del changes[err.field]
            notes.append(f"{err} (using the default)")

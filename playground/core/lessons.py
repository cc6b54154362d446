"""Guided lessons and challenges: loaded from TOML files in `playground/lessons/`, each claim checked by the engine.

A lesson is a few steps; a step is a short text, a config (the same strings as a link), what to do or watch, and a
claim: a metric measured after a number of epochs and a bound it must meet (for example "test_accuracy after 300
epochs at most 0.6"). `check_lesson` trains every step's config with a `Session`, measures the metric and says
whether the claim holds, so a lesson can never teach something the engine does not do.

A lesson may name what it `needs`: config fields that another part of the playground adds. Until `Config` has them
it is listed as waiting and its check is skipped with the reason; it lights up by itself when the field lands.

A lesson with `mode = "gan"` is about the GAN mode: its step configs are `GanConfig` link strings (parsed by the
same parser over `GAN_DEFAULT`), its claims measure the GAN run (`GAN_METRICS`), and a claim's `epochs` count GAN
steps: `check_lesson` trains a `GanRun` for that many steps.

A challenge is a goal a student chases alone: a data set, limits (parameters, hidden layers, features, activation)
and a metric bound; `challenge_status` checks a running session against it. Each challenge ships with a `solution`
config that `check_challenge` trains, so every challenge is known to be solvable.

No streamlit or plotly here.
"""

from __future__ import annotations

import dataclasses
import functools
import time
import tomllib
from importlib import resources
from typing import NamedTuple

import numpy as np

from .config import FIELDS, MAX_LAYERS, MAX_WIDTH, Config, ConfigError, from_strings, parse_list
from .gan_config import GAN_DEFAULT, GanConfig

MAX_WORDS = 80        # a step's text: short enough to read aloud from a projector
MIN_STEPS, MAX_STEPS = 3, 6
MAX_CLAIM_EPOCHS = 3000  # keeps `lesson check` of every lesson within a minute or two on two cores
# What a claim may measure; each is computed by `measure` from a trained session.
METRICS = {
    "test_accuracy": "accuracy on the test points",
    "train_accuracy": "accuracy on the training points",
    "test_loss": "loss on the test points",
    "train_loss": "loss on the training points",
    "loss_gap": "test loss minus training loss (how much the network overfits)",
    "diverged": "1 if the loss or a weight stopped being finite, else 0",
    "first_layer_gradient": "gradient norm of the first weight layer divided by the output layer's",
    "min_class_recall": "the lowest share of test points of one class classified correctly",
    "distinct_neurons": "how many first-layer neurons have different incoming weights",
    "feature_share": "share of |gradient x input| over the test points that comes from `feature`",
    "params": "number of weights and biases",
}
MODES = ("classifier", "gan")  # a lesson's `mode`: which tab and engine its steps use
MAX_CLAIM_GAN_STEPS = 10_000  # ~5 s at the default models' speed on two cores
# What a GAN lesson's claim may measure, on a `GanRun` that trained (see `measure_gan`).
GAN_METRICS = {
    "modes_covered": "modes of the real distribution holding at least 2% of 2,000 generated samples",
    "divergence": "Jensen-Shannon divergence estimate between real and generated samples (0 same, 0.693 disjoint)",
    "divergence_drop": "the divergence estimate at the start minus the one now (how far the generator moved to the "
                       "real data)",
    "d_loss": "the discriminator's loss at the last step (2 ln 2 = 1.386 when it cannot tell real from generated)",
    "g_loss": "the generator's loss at the last step",
    "diverged": "1 if a loss or a weight stopped being finite, else 0",
}


class LessonError(ValueError):
    """A lesson or challenge file that does not describe a valid lesson; the message names the file and the place."""


@dataclasses.dataclass(frozen=True)
class Claim:
    metric: str
    epochs: int
    at_least: float | None = None
    at_most: float | None = None
    feature: str | None = None  # for `feature_share`
    unit: str = "epochs"  # "steps" in a GAN lesson

    def holds(self, value: float) -> bool:
        return ((self.at_least is None or value >= self.at_least)
                and (self.at_most is None or value <= self.at_most))

    def describe(self) -> str:
        what = f"share of {self.feature}" if self.metric == "feature_share" else self.metric.replace("_", " ")
        bounds = [f"≥ {self.at_least:g}"] if self.at_least is not None else []
        bounds += [f"≤ {self.at_most:g}"] if self.at_most is not None else []
        return f"after {self.epochs} {self.unit}: {what} {' and '.join(bounds)}"


@dataclasses.dataclass(frozen=True)
class Step:
    text: str
    config: tuple[tuple[str, str], ...]  # (field, string) pairs as in a link; the rest are defaults
    do: str
    claim: Claim
    panel: str | None = None  # a "Look inside" panel the step opens, if any
    lab: tuple[tuple[str, tuple[int, ...]], ...] = ()  # a sweep the step sets up in the lab: depths and widths
    keep_weights: bool = False  # go on from the previous step's trained network (its weights on this step's data)
    mode: str = "classifier"  # the lesson's: "gan" steps open the GAN tab with a GanConfig

    @property
    def values(self) -> dict[str, str]:
        return dict(self.config)


@dataclasses.dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    concept: str
    steps: tuple[Step, ...]
    needs: tuple[str, ...] = ()
    mode: str = "classifier"

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """The needed config fields `Config` does not have yet (empty: the lesson is live)."""
        return tuple(n for n in self.needs if n not in FIELDS)


def _require(table: dict, key: str, kind, where: str):
    if key not in table:
        raise LessonError(f"{where}: missing {key!r}")
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise LessonError(f"{where}: {key!r} must be a {kind.__name__}")
    return value


def _optional_number(table: dict, key: str, where: str) -> float | None:
    return _require(table, key, float, where) if key in table else None


def _claim(table: dict, where: str, mode: str = "classifier") -> Claim:
    unknown = set(table) - {"metric", "epochs", "at_least", "at_most", "feature"}
    if unknown:
        raise LessonError(f"{where}: unknown claim keys {sorted(unknown)}")
    metric = _require(table, "metric", str, where)
    metrics, most = (GAN_METRICS, MAX_CLAIM_GAN_STEPS) if mode == "gan" else (METRICS, MAX_CLAIM_EPOCHS)
    if metric not in metrics:
        raise LessonError(f"{where}: metric {metric!r} is not one of {', '.join(metrics)}")
    epochs = _require(table, "epochs", int, where)
    if not 0 <= epochs <= most:
        raise LessonError(f"{where}: epochs must be 0 to {most}")
    claim = Claim(metric, epochs, _optional_number(table, "at_least", where), _optional_number(table, "at_most", where),
                  table.get("feature"), "steps" if mode == "gan" else "epochs")
    if claim.at_least is None and claim.at_most is None:
        raise LessonError(f"{where}: a claim needs at_least or at_most")
    if (metric == "feature_share") != (claim.feature is not None):
        raise LessonError(f"{where}: `feature` goes with the metric feature_share, and only with it")
    return claim


def _config_pairs(table: dict, needs: tuple[str, ...], where: str, mode: str = "classifier"
                  ) -> tuple[tuple[str, str], ...]:
    """The step's config as link strings, checked by the config's own parser (fields still waiting are kept); a GAN
    lesson's by `GanConfig`'s."""
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise LessonError(f"{where}: config must be a table of strings, as in a link")
    pairs = tuple(table.items())
    if mode == "gan":
        try:
            from_strings(dict(pairs), base=GAN_DEFAULT)
        except ConfigError as err:
            raise LessonError(f"{where}: {err}") from None
        return pairs
    if any(name not in FIELDS and name not in needs for name, _ in pairs):
        raise LessonError(f"{where}: unknown setting in {sorted(n for n, _ in pairs if n not in FIELDS)}")
    try:
        from_strings({n: v for n, v in pairs if n in FIELDS})
    except ConfigError as err:
        raise LessonError(f"{where}: {err}") from None
    return pairs


LAB_LISTS = {"depths": (0, MAX_LAYERS), "widths": (1, MAX_WIDTH)}  # what a step may set up in the lab, and bounds


def _lab(table: dict, where: str) -> tuple:
    """A sweep for the lab ({"depths": "1,2,3", "widths": "2,4,8"}), parsed by the config's list parser."""
    if set(table) - set(LAB_LISTS) or not all(isinstance(v, str) for v in table.values()):
        raise LessonError(f"{where}: lab takes strings for {' and '.join(LAB_LISTS)} only")
    try:
        return tuple((k, parse_list(k, v, int, bounds=LAB_LISTS[k], length=(1, None))) for k, v in table.items())
    except ConfigError as err:
        raise LessonError(f"{where}: lab {err}") from None


def _step(table: dict, needs: tuple[str, ...], where: str, mode: str = "classifier") -> Step:
    text = _require(table, "text", str, where).strip()
    if len(text.split()) > MAX_WORDS:
        raise LessonError(f"{where}: the text has {len(text.split())} words, at most {MAX_WORDS}")
    claim = _claim(_require(table, "claim", dict, where), where + " claim", mode)
    keep = table.get("keep_weights", False)
    if not isinstance(keep, bool):
        raise LessonError(f"{where}: 'keep_weights' must be true or false")
    if mode == "gan" and (keep or "panel" in table or "lab" in table):
        raise LessonError(f"{where}: a GAN lesson's step has no keep_weights, panel or lab (the classifier's)")
    return Step(text, _config_pairs(table.get("config", {}), needs, where, mode),
                _require(table, "do", str, where).strip(), claim, table.get("panel"), _lab(table.get("lab", {}), where),
                keep, mode)


def parse_lesson(text: str, name: str) -> Lesson:
    """One lesson from its TOML text; `name` (the file) appears in every error."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LessonError(f"{name}: {err}") from None
    needs = tuple(table.get("needs", ()))
    mode = table.get("mode", "classifier")
    if mode not in MODES:
        raise LessonError(f"{name}: mode {mode!r} is not one of {', '.join(MODES)}")
    if mode == "gan" and needs:
        raise LessonError(f"{name}: `needs` names classifier fields; a GAN lesson has none")
    steps = table.get("steps", [])
    if not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise LessonError(f"{name}: {len(steps)} steps, a lesson has {MIN_STEPS} to {MAX_STEPS}")
    parsed = tuple(_step(s, needs, f"{name} step {i + 1}", mode) for i, s in enumerate(steps))
    if parsed[0].keep_weights:
        raise LessonError(f"{name} step 1: keep_weights needs a step before it")
    return Lesson(_require(table, "id", str, name), _require(table, "title", str, name),
                  _require(table, "concept", str, name), parsed, needs, mode)


def _lesson_files():
    folder = resources.files("playground").joinpath("lessons")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml") and f.name != "challenges.toml"),
                  key=lambda f: f.name)


@functools.cache
def all_lessons() -> dict[str, Lesson]:
    """Every lesson shipped in the package, by id, in file-name order (the files are numbered)."""
    lessons = {}
    for f in _lesson_files():
        lesson = parse_lesson(f.read_text(encoding="utf-8"), f.name)
        if lesson.id in lessons:
            raise LessonError(f"{f.name}: lesson id {lesson.id!r} is used twice")
        lessons[lesson.id] = lesson
    return lessons


def step_config(step: Step) -> Config | GanConfig:
    """The config a step opens: its strings over the defaults, exactly as a link would (a GAN step's over
    `GAN_DEFAULT`, a `GanConfig`)."""
    return from_strings(step.values, base=GAN_DEFAULT if step.mode == "gan" else None)


# --- measuring ------------------------------------------------------------------------------------------------------

def _first_layer_gradient(session) -> float:
    norms = session.gradient_norms()
    return float(norms[0] / max(float(norms[-1]), 1e-30))


def _min_class_recall(session) -> float:
    from . import probes
    d = session.data
    matrix = probes.confusion_matrix(session.arch, session.params, d.x_test, d.y_test, session.config.n_classes)
    totals = matrix.sum(1)
    return float(min(matrix[k, k] / totals[k] for k in range(len(totals)) if totals[k]))


def _distinct_neurons(session) -> float:
    from .model import layers_of
    w, b = (np.asarray(a) for a in layers_of(session.params)[0])
    columns = np.round(np.vstack([w, b[None]]).T, 5)  # one row per neuron: its incoming weights and bias
    return float(len({tuple(c) for c in columns}))


def _feature_share(session, feature: str) -> float:
    from .analysis import feature_contributions
    c = session.config
    points = session.dataset.points_test[:100]  # enough for a stable share, one small jitted call each
    totals = dict.fromkeys(c.features, 0.0)
    for point in points:
        for name, value in feature_contributions(session.arch, session.params, c.features, point).items():
            totals[name] += abs(value)
    return totals.get(feature, 0.0) / max(sum(totals.values()), 1e-30)


def _last(values: np.ndarray) -> float:
    return float(values[-1]) if len(values) else float("nan")


def measure(session, claim: Claim) -> float:
    """The claim's metric on a session that has trained (see METRICS)."""
    h, m = session.history, claim.metric
    simple = {"test_accuracy": h.test_accuracy, "train_accuracy": h.train_accuracy, "test_loss": h.test_loss,
              "train_loss": h.train_loss}
    if m in simple:
        return _last(simple[m])
    computed = {
        "loss_gap": lambda: _last(h.test_loss) - _last(h.train_loss),
        "diverged": lambda: float(session.diverged),
        "first_layer_gradient": lambda: _first_layer_gradient(session),
        "min_class_recall": lambda: _min_class_recall(session),
        "distinct_neurons": lambda: _distinct_neurons(session),
        "feature_share": lambda: _feature_share(session, claim.feature),
        "params": lambda: float(session.arch.n_params),
    }
    return computed[m]()


def measure_gan(run, claim: Claim) -> float:
    """A GAN claim's metric on a `GanRun` (see GAN_METRICS); modes covered by the GAN code's own measure."""
    m = claim.metric
    if m == "modes_covered":
        covered = run.modes_covered()
        return float("nan") if covered is None else float(covered)
    if m == "diverged":
        return float(run.diverged)
    if m in ("d_loss", "g_loss"):
        return _last(getattr(run.history, m))
    run.measure_divergence()
    divergence = run.history.divergence
    return float(divergence[-1]) if m == "divergence" else float(divergence[0] - divergence[-1])


class StepResult(NamedTuple):
    step: int          # 1-based
    claim: str         # the claim in words
    value: float | None
    holds: bool | None  # None: skipped
    seconds: float
    reason: str = ""   # why it was skipped


@functools.lru_cache(maxsize=4)
def _trained(config: Config, epochs: int):
    """A session trained for `epochs`. Kept for the next few steps: lessons often make two claims about one run."""
    from .session import Session
    session = Session(config)
    session.advance(epochs)
    return session


@functools.lru_cache(maxsize=2)
def _trained_gan(config: GanConfig, steps: int):
    """A GAN run trained for `steps` (kept for the next step, which may claim something else about the same run)."""
    from .gan_session import GanRun
    run = GanRun(config)
    run.advance(steps)
    return run


def check_step(step: Step, number: int) -> StepResult:
    """Train the step's config for the claim's epochs (a GAN step: GAN steps) and measure."""
    start = time.perf_counter()
    if step.mode == "gan":
        value = measure_gan(_trained_gan(step_config(step), step.claim.epochs), step.claim)
    else:
        value = measure(_trained(step_config(step), step.claim.epochs), step.claim)
    return StepResult(number, step.claim.describe(), value, bool(step.claim.holds(value)),
                      time.perf_counter() - start)


def _continued(steps: tuple[Step, ...], index: int):
    """A fresh session trained through the steps up to `index`, each step that keeps the weights going on from the
    one before on its own data and settings (as the page does): transfer learning."""
    from .session import Session
    step = steps[index]
    if not step.keep_weights:
        session = Session(step_config(step))
    else:
        session = _continued(steps, index - 1)
        session.apply(step_config(step), keep_weights=True)
    session.advance(step.claim.epochs)
    return session


def check_lesson(lesson: Lesson) -> list[StepResult]:
    """Every step's claim, measured; a waiting lesson gives skipped results naming what it needs."""
    if lesson.waiting_for:
        reason = "needs: " + ", ".join(lesson.waiting_for)
        return [StepResult(i + 1, s.claim.describe(), None, None, 0.0, reason) for i, s in enumerate(lesson.steps)]
    results = []
    for i, step in enumerate(lesson.steps):
        if not step.keep_weights:
            results.append(check_step(step, i + 1))
            continue
        start = time.perf_counter()
        value = measure(_continued(lesson.steps, i), step.claim)
        results.append(StepResult(i + 1, step.claim.describe(), value, bool(step.claim.holds(value)),
                                  time.perf_counter() - start))
    return results


# --- challenges -----------------------------------------------------------------------------------------------------

RULES = {  # what a challenge may demand of the settings, and how it reads
    "dataset": "data set {}",
    "max_params": "at most {} weights and biases",
    "max_hidden_layers": "at most {} hidden layers",
    "min_hidden_layers": "at least {} hidden layers",
    "allowed_features": "inputs only from {}",
    "max_epochs": "within {} epochs",
    "points": "{} points",
    "noise": "noise {}",
}


@dataclasses.dataclass(frozen=True)
class Challenge:
    id: str
    title: str
    text: str
    rules: tuple[tuple[str, object], ...]
    goal: Claim
    solution: tuple[tuple[str, str], ...]

    @property
    def rule_values(self) -> dict:
        return dict(self.rules)


class ChallengeStatus(NamedTuple):
    solved: bool
    value: float | None     # the goal's metric now (None before the first epoch)
    broken: tuple[str, ...]  # the rules the settings break, in words


def _challenge(table: dict, where: str) -> Challenge:
    rules = _require(table, "rules", dict, where)
    unknown = set(rules) - set(RULES)
    if unknown:
        raise LessonError(f"{where}: unknown rules {sorted(unknown)}; known ones are {', '.join(RULES)}")
    goal = _claim(_require(table, "goal", dict, where), where + " goal")
    if goal.metric not in ("test_accuracy", "train_accuracy", "test_loss", "train_loss"):
        raise LessonError(f"{where}: a goal is an accuracy or a loss the live view shows")
    rules = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in rules.items())
    return Challenge(_require(table, "id", str, where), _require(table, "title", str, where),
                     _require(table, "text", str, where), rules, goal,
                     _config_pairs(_require(table, "solution", dict, where), (), where + " solution"))


@functools.cache
def all_challenges() -> dict[str, Challenge]:
    f = resources.files("playground").joinpath("lessons", "challenges.toml")
    try:
        table = tomllib.loads(f.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise LessonError(f"challenges.toml: {err}") from None
    found = [_challenge(t, f"challenges.toml challenge {i + 1}") for i, t in enumerate(table.get("challenges", []))]
    return {c.id: c for c in found}


def broken_rules(challenge: Challenge, config: Config, n_params: int, epoch: int) -> tuple[str, ...]:
    """The rules `config` breaks (the epoch rule: only once training went past it), each in words."""
    r, broken = challenge.rule_values, []
    checks = {
        "dataset": lambda v: config.dataset == v,
        "max_params": lambda v: n_params <= v,
        "max_hidden_layers": lambda v: len(config.layers) <= v,
        "min_hidden_layers": lambda v: len(config.layers) >= v,
        "allowed_features": lambda v: set(config.features) <= set(v),
        "max_epochs": lambda v: epoch <= v,
        "points": lambda v: config.points == v,
        "noise": lambda v: abs(config.noise - v) < 1e-9,
    }
    for name, value in r.items():
        if not checks[name](value):
            broken.append(rule_words(name, value))
    return tuple(broken)


def rule_words(name: str, value) -> str:
    """One rule of a challenge in words, as the page shows it."""
    if name == "max_hidden_layers" and value == 0:
        return "no hidden layer"
    return RULES[name].format(", ".join(value) if isinstance(value, tuple) else value)


def last_epoch(history, values) -> int:
    """The epoch of the history's last column: its `epoch` numbers where it has them (a long run's history is
    thinned), else the number of columns."""
    epochs = getattr(history, "epoch", None)
    return int(epochs[-1]) if epochs is not None and len(epochs) else len(values)


def challenge_status(challenge: Challenge, config: Config, n_params: int, history) -> ChallengeStatus:
    """Where a running network stands: solved once the rules hold and the goal's metric meets its bound."""
    goal = challenge.goal
    values = getattr(history, goal.metric)
    broken = broken_rules(challenge, config, n_params, last_epoch(history, values))
    if not len(values):
        return ChallengeStatus(False, None, broken)
    value = float(values[-1])
    return ChallengeStatus(not broken and goal.holds(value), value, broken)


def check_challenge(challenge: Challenge) -> StepResult:
    """Train the challenge's solution for the goal's epochs: proof that the challenge can be solved."""
    from .session import Session
    start = time.perf_counter()
    session = Session(from_strings(dict(challenge.solution)))
    session.advance(challenge.goal.epochs)
    status = challenge_status(challenge, session.config, session.arch.n_params, session.history)
    reason = "breaks: " + "; ".join(status.broken) if status.broken else ""
    return StepResult(0, challenge.goal.describe(), status.value, status.solved, time.perf_counter() - start, reason)

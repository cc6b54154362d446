"""Lessons: every file is a valid lesson, every claim holds when the engine trains it, and the CLI reports it."""

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

from playground import cli
from playground.core import lessons
from playground.core.config import from_strings
from playground.core.gan_config import COLLAPSE, GAN_DEFAULT, GanConfig
from playground.core.model import layers_of

GOOD_STEP = '''
[[steps]]
text = "One neuron draws a line."
do = "Press Play."
config = { dataset = "gauss", layers = "" }
claim = { metric = "test_accuracy", epochs = 50, at_least = 0.9 }
'''


def lesson_text(steps: str = GOOD_STEP * 3, head: str = 'id = "t"\ntitle = "T"\nconcept = "c"\n') -> str:
    return head + steps


def test_the_package_ships_at_least_twelve_valid_lessons():
    found = lessons.all_lessons()
    live = [lesson for lesson in found.values() if not lesson.waiting_for]
    assert len(found) >= 12 and len(live) >= 12
    for lesson in found.values():
        assert lessons.MIN_STEPS <= len(lesson.steps) <= lessons.MAX_STEPS
        for step in lesson.steps:
            assert len(step.text.split()) <= lessons.MAX_WORDS and step.do
            if not lesson.waiting_for:
                base = GAN_DEFAULT if lesson.mode == "gan" else None
                assert lessons.step_config(step) == from_strings(step.values, base=base)


def test_a_step_can_set_up_a_lab_sweep():
    step = lessons.all_lessons()["width-depth"].steps[2]
    assert dict(step.lab) == {"depths": (1, 2, 3, 4), "widths": (2, 4, 8, 24)}


def test_a_step_config_is_the_link_over_the_defaults():
    step = lessons.all_lessons()["xor"].steps[1]
    config = lessons.step_config(step)
    assert config.dataset == "xor" and config.layers == () and config.features == ("x1", "x2", "x1x2")
    assert config.learning_rate == from_strings({}).learning_rate


@pytest.mark.parametrize("text, words", [
    (lesson_text(GOOD_STEP * 2), ["2 steps", "3 to 6"]),
    (lesson_text(GOOD_STEP.replace("One neuron draws a line.", "word " * 81) + GOOD_STEP * 2), ["step 1", "81 words"]),
    (lesson_text(GOOD_STEP.replace("test_accuracy", "happiness") * 3), ["step 1", "'happiness'"]),
    (lesson_text(GOOD_STEP.replace('layers = ""', 'layers = "4,99"') * 3), ["step 1", "layers", "99"]),
    (lesson_text(GOOD_STEP.replace('layers = ""', 'colour = "red"') * 3), ["step 1", "unknown setting", "colour"]),
    (lesson_text(GOOD_STEP.replace("at_least = 0.9", "at_least = 0.9, feature = \"x1\"") * 3), ["feature_share"]),
    (lesson_text(head='id = "t"\ntitle = "T"\n'), ["missing 'concept'"]),
    (lesson_text(GOOD_STEP + 'lab = { depths = "1,99" }\n' + GOOD_STEP * 2), ["step 1", "lab depths", "99"]),
    (lesson_text(GOOD_STEP + 'lab = { colours = "1" }\n' + GOOD_STEP * 2), ["step 1", "lab takes"]),
    ("id = ", ["bad.toml"]),
])
def test_a_bad_lesson_file_is_refused_with_the_place(text, words):
    with pytest.raises(lessons.LessonError) as err:
        lessons.parse_lesson(text, "bad.toml")
    for word in words:
        assert word in str(err.value)


def test_a_claim_that_fails_is_reported_with_its_measured_value():
    lesson = lessons.parse_lesson(lesson_text(GOOD_STEP.replace("at_least = 0.9", "at_most = 0.2") * 3), "t.toml")
    result = lessons.check_step(lesson.steps[0], 1)
    assert result.holds is False and result.value > 0.9 and "≤ 0.2" in result.claim


def test_a_waiting_lesson_is_skipped_until_its_field_exists(monkeypatch):
    head = 'id = "t"\ntitle = "T"\nconcept = "c"\nneeds = ["future_field"]\n'
    lesson = lessons.parse_lesson(lesson_text(head=head), "t.toml")
    assert lesson.waiting_for == ("future_field",)
    results = lessons.check_lesson(lesson)
    assert all(r.holds is None and r.reason == "needs: future_field" for r in results)
    monkeypatch.setattr(lessons, "FIELDS", dict(lessons.FIELDS, future_field=None))
    assert lesson.waiting_for == ()


def test_the_transfer_lesson_fine_tunes_the_network_trained_before_with_its_first_layers_frozen():
    steps = lessons.all_lessons()["transfer"].steps
    assert [s.keep_weights for s in steps] == [False, True, True]
    moved_on = lessons._continued(steps, 1)  # trained on the circle, then on gauss
    fine_tuned = lessons._continued(steps, 2)  # the same, then 50 more epochs with layers 1 to 3 frozen
    before, after = layers_of(moved_on.params), layers_of(fine_tuned.params)
    assert moved_on.config.dataset == "gauss" and fine_tuned.config.freeze == (1, 2, 3)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(before[:3], after[:3]))
    assert not np.array_equal(before[3][0], after[3][0])


def test_keeping_the_weights_needs_a_step_before():
    with pytest.raises(lessons.LessonError, match="step 1: keep_weights needs a step before it"):
        lessons.parse_lesson(lesson_text(GOOD_STEP.replace("[[steps]]", "[[steps]]\nkeep_weights = true", 1)
                                         + GOOD_STEP * 2), "t.toml")


GAN_STEP = '''
[[steps]]
text = "Two networks play a game."
do = "Press Play."
config = { real = "ring8", g_layers = "16,16" }
claim = { metric = "modes_covered", epochs = 5000, at_least = 6 }
'''
GAN_HEAD = 'id = "g"\ntitle = "G"\nconcept = "c"\nmode = "gan"\n'


def test_a_gan_lesson_opens_gan_configs_and_counts_gan_steps():
    lesson = lessons.parse_lesson(lesson_text(GAN_STEP * 3, GAN_HEAD), "g.toml")
    assert lesson.mode == "gan" and all(step.mode == "gan" for step in lesson.steps)
    config = lessons.step_config(lesson.steps[0])
    assert isinstance(config, GanConfig) and config.g_layers == (16, 16) and config.d_layers == GAN_DEFAULT.d_layers
    assert lesson.steps[0].claim.describe() == "after 5000 steps: modes covered ≥ 6"


@pytest.mark.parametrize("text, words", [
    (lesson_text(GAN_STEP.replace('g_layers = "16,16"', 'g_layers = "16,999"') * 3, GAN_HEAD),
     ["step 1", "g_layers"]),
    (lesson_text(GAN_STEP.replace("g_layers", "layers") * 3, GAN_HEAD), ["step 1", "unknown setting"]),
    (lesson_text(GAN_STEP.replace("modes_covered", "test_accuracy") * 3, GAN_HEAD), ["step 1", "'test_accuracy'"]),
    (lesson_text(GAN_STEP.replace("5000", "20000") * 3, GAN_HEAD), ["step 1", "epochs must be 0 to 10000"]),
    (lesson_text(GAN_STEP.replace("[[steps]]", "[[steps]]\npanel = \"gradients\"") * 3, GAN_HEAD),
     ["step 1", "no keep_weights, panel or lab"]),
    (lesson_text(GOOD_STEP.replace("test_accuracy", "modes_covered") * 3), ["step 1", "'modes_covered'"]),
    (lesson_text(GAN_STEP * 3, GAN_HEAD.replace('"gan"', '"audio"')), ["g.toml", "mode 'audio'"]),
])
def test_a_bad_gan_lesson_is_refused_with_the_place(text, words):
    with pytest.raises(lessons.LessonError) as err:
        lessons.parse_lesson(text, "g.toml")
    for word in words:
        assert word in str(err.value)


def test_the_gan_lesson_shows_collapse_with_the_documented_setting():
    lesson = lessons.all_lessons()["gan"]
    assert lesson.mode == "gan" and 3 <= len(lesson.steps) <= 5
    assert any(step.values | {"seed": "0"} == COLLAPSE | {"seed": "0"} and step.claim.metric == "modes_covered"
               and step.claim.at_most is not None and step.claim.at_most <= 3 for step in lesson.steps)
    assert "arrows" in " ".join(step.text + step.do for step in lesson.steps)


def test_lesson_list_is_one_line_of_json():
    out = subprocess.run([sys.executable, "-m", "playground", "lesson", "list", "--json"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    (line,) = out.stdout.strip().splitlines()
    items = json.loads(line)
    assert {i["id"] for i in items} == set(lessons.all_lessons())
    transfer = next(i for i in items if i["id"] == "transfer")
    assert transfer["waiting_for"] == [] and transfer["steps"] == 3
    assert all(set(i) == {"id", "title", "concept", "steps", "waiting_for"} for i in items)


def test_lesson_check_passes_for_every_lesson(monkeypatch, capsys):
    """The whole check, in this process (compilations shared with the other tests): every live claim holds. Without
    the persistent compilation cache, which tests leave off (playground.core.train.enable_compilation_cache)."""
    monkeypatch.setattr("playground.core.train.enable_compilation_cache", lambda *a: None)
    code = cli.main(["lesson", "check", "--json"])
    report = json.loads(capsys.readouterr().out)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert code == 0 and not failed, failed
    statuses = {r["status"] for r in report["results"]}
    assert statuses == {"pass"}  # every lesson is live (none waits for a feature)
    assert sum(r["status"] == "pass" for r in report["results"]) >= 40
    assert sum(r["lesson"].startswith("challenge ") for r in report["results"]) >= 5


def test_lesson_check_exits_1_naming_the_step_and_value(monkeypatch, capsys):
    bad = lessons.parse_lesson(lesson_text(GOOD_STEP * 2 + GOOD_STEP.replace("at_least = 0.9", "at_most = 0.2")),
                               "t.toml")
    monkeypatch.setattr(lessons, "all_lessons", lambda: {"t": dataclasses.replace(bad, id="t")})
    assert cli.main(["lesson", "check", "t"]) == 1
    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if line.startswith("fail")]
    assert "t step 3" in line and float(line.split("measured ")[1].split()[0]) > 0.9
    assert cli.main(["lesson", "check", "nope"]) == 2


def test_at_least_five_challenges_each_solvable_by_its_solution():
    challenges = lessons.all_challenges()
    assert len(challenges) >= 5
    for challenge in challenges.values():
        result = lessons.check_challenge(challenge)
        assert result.holds and not result.reason, (challenge.id, result)


def test_a_challenge_names_the_rules_the_settings_break():
    challenge = lessons.all_challenges()["spiral-60"]
    config = from_strings({"dataset": "circle", "layers": "8,8"})
    history = type("H", (), {"test_accuracy": [0.99]})()
    status = lessons.challenge_status(challenge, config, 105, history)
    assert not status.solved and status.value == 0.99
    assert status.broken == ("data set spiral", "at most 60 weights and biases")
    ok = lessons.challenge_status(challenge, from_strings({"dataset": "spiral"}), 55, history)
    assert ok.solved and ok.broken == ()
    assert not lessons.challenge_status(challenge, from_strings({"dataset": "spiral"}), 55,
                                        type("H", (), {"test_accuracy": [0.9]})()).solved


def test_the_epoch_rule_counts_from_the_reset():
    challenge = lessons.all_challenges()["spiral-fast"]
    config = from_strings({"dataset": "spiral"})
    late = type("H", (), {"test_accuracy": [0.5] * 600 + [0.99]})()
    assert lessons.challenge_status(challenge, config, 337, late).broken == ("within 500 epochs",)


def test_the_epoch_rule_reads_a_thinned_history_by_its_epoch_numbers():
    from playground.core.train import History
    challenge = lessons.all_challenges()["spiral-fast"]
    config = from_strings({"dataset": "spiral"})
    columns = [np.array([0.5, 0.6, 0.99])] * 4
    thinned = History(*columns, epoch=np.array([100, 400, 600]))  # three columns kept of 600 epochs
    assert lessons.challenge_status(challenge, config, 337, thinned).broken == ("within 500 epochs",)
    assert lessons.challenge_status(challenge, config, 337, History(*columns)).solved  # epochs 1, 2, 3

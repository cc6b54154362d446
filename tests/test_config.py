import dataclasses

import pytest

from playground.core.config import (
    ACTIVATION_NAMES,
    DATASET_NAMES,
    DEFAULT,
    EFFECTS,
    FEATURE_NAMES,
    FIELDS,
    INIT_NAMES,
    MAX_POINT_EPOCHS,
    OPTIMIZER_NAMES,
    WIDGETS,
    Config,
    ConfigError,
    check_work,
    fields_with_effect,
    from_strings,
    from_strings_lenient,
    parse_list,
    parse_value,
    to_strings,
)


def test_defaults_are_tensorflow_playgrounds():
    c = Config()
    assert (c.dataset, c.noise, c.train_ratio, c.batch_size) == ("circle", 0.0, 0.5, 10)
    assert (c.features, c.layers, c.activation, c.learning_rate) == (("x1", "x2"), (4, 2), ("tanh",), 0.03)
    assert (c.regularization, c.regularization_rate, c.points) == ("none", 0.0, 500)


def test_every_field_has_help_and_a_default():
    for f in dataclasses.fields(Config):
        assert f.metadata["help"], f.name
        assert f.default is not dataclasses.MISSING, f.name


@pytest.mark.parametrize("config", [
    DEFAULT,
    Config(dataset="spiral", classes=4, layers=(8, 8, 3), activation=("relu", "sin", "tanh"), dropout=(0.1,),
           features=("x1", "sinx2", "x1x2"), learning_rate=0.003, optimizer="adamw", freeze=(1, 4), seed=7),
    Config(dataset="plane", layers=(), output="tanh_mse", batch_size=2000, regularization="l1",
           regularization_rate=0.001, noise=0.35, train_ratio=0.9, second_class_share=0.2),
])
def test_round_trip_through_strings(config):
    strings = to_strings(config)
    assert set(strings) == set(FIELDS) and all(isinstance(v, str) for v in strings.values())
    assert from_strings(strings) == config
    assert from_strings(to_strings(config, only_changed=True)) == config


def test_empty_layer_list_is_an_empty_string():
    assert to_strings(Config(layers=()))["layers"] == ""
    assert from_strings({"layers": ""}).layers == ()


@pytest.mark.parametrize("values, field, words", [
    ({"activation": "foo"}, "activation", ["'foo'", "relu", "tanh", "sin"]),
    ({"dataset": "mnist"}, "dataset", ["'mnist'", "spiral", "checkerboard"]),
    ({"learning_rate": "100"}, "learning_rate", ["100", "1e-05", "10"]),
    ({"noise": "abc"}, "noise", ["'abc'", "number"]),
    ({"layers": "4,40"}, "layers", ["40", "32"]),
    ({"layers": ",".join(["2"] * 11)}, "layers", ["0 to 10"]),
    ({"batch_size": "2.5"}, "batch_size", ["whole number"]),
    ({"classes": "3"}, "classes", ["spiral", "gauss"]),
    ({"layers": "3,3", "activation": "relu,tanh,sin"}, "activation", ["one per hidden layer"]),
    ({"freeze": "4"}, "freeze", ["1 to 3"]),
    ({"bogus": "1"}, "bogus", ["unknown", "dataset"]),
])
def test_validation_names_the_field_and_the_allowed_values(values, field, words):
    with pytest.raises(ConfigError) as err:
        from_strings(values)
    assert err.value.field == field
    assert str(err.value).startswith(field + ":")
    for word in words:
        assert word in str(err.value)


def test_direct_construction_is_validated_too():
    with pytest.raises(ConfigError):
        Config(init="bad")
    with pytest.raises(ConfigError):
        Config(noise=float("nan"))


def test_lenient_parsing_falls_back_per_field_with_a_note():
    config, notes = from_strings_lenient({"dataset": "spiral", "activation": "nope", "learning_rate": "-1",
                                          "layers": "3,3,3", "dropout": "0.1,0.2", "zzz": "1"})
    assert config.dataset == "spiral" and config.layers == (3, 3, 3)
    assert config.activation == DEFAULT.activation and config.learning_rate == DEFAULT.learning_rate
    assert config.dropout == DEFAULT.dropout
    assert len(notes) == 4
    assert any(n.startswith("activation:") for n in notes) and any("zzz" in n for n in notes)


def test_per_layer_values_expand():
    c = Config(layers=(3, 3, 3), activation=("relu",), dropout=(0.0, 0.5, 0.0))
    assert c.layer_activations == ("relu",) * 3
    assert c.layer_dropout == (0.0, 0.5, 0.0)
    assert set(ACTIVATION_NAMES) >= set(c.layer_activations)


@pytest.mark.parametrize("name, text", [
    ("layers", "1_0"), ("layers", "١٢"), ("points", "1_000"), ("seed", "٣"), ("epochs", "+"),
    ("noise", "0_1"), ("noise", "٠.١"), ("learning_rate", "inf"), ("learning_rate", "nan"), ("noise", "0x1"),
    ("noise", "."), ("noise", "1e"), ("batch_size", "１０"),  # a full-width digit
])
def test_only_ascii_numbers_parse(name, text):
    with pytest.raises(ConfigError) as err:
        parse_value(name, text)
    assert err.value.field == name and "number" in str(err.value)


@pytest.mark.parametrize("name, text, value", [
    ("layers", " 8, 8 ", (8, 8)), ("seed", "+3", 3), ("noise", ".25", 0.25), ("noise", "2.5e-1", 0.25),
    ("learning_rate", "1E-3", 0.001), ("learning_rate", "3.", 3.0), ("noise", "0", 0.0),
])
def test_ascii_numbers_parse(name, text, value):
    assert parse_value(name, text) == value


def test_parse_list_checks_what_it_is_given():
    assert parse_list("depths", "0, 2,3", int, bounds=(0, 10), length=(1, None)) == (0, 2, 3)
    with pytest.raises(ConfigError, match="depths: needs at least 1 entry, got 0"):
        parse_list("depths", " , ", int, bounds=(0, 10), length=(1, None))
    with pytest.raises(ConfigError, match="widths: 40 is outside 1 to 32"):
        parse_list("widths", "4,40", int, bounds=(1, 32))
    with pytest.raises(ConfigError, match="activations: 'foo' is not one of relu"):
        parse_list("activations", "relu,foo", str, choices=ACTIVATION_NAMES)


def test_every_name_list_matches_its_table():
    from playground.core import data, model, train

    for names, table in [(ACTIVATION_NAMES, model.ACTIVATIONS), (INIT_NAMES, model.INITS),
                         (OPTIMIZER_NAMES, train.OPTIMIZERS), (DATASET_NAMES, data.DATASETS),
                         (FEATURE_NAMES, data.FEATURES)]:
        assert len(set(names)) == len(names) and set(names) == set(table), names


def test_the_labs_layer_lists_use_the_same_parser():
    from playground.web.lab_common import parse_layers

    assert parse_layers("8,8") == parse_layers(" 8 8 ") == parse_layers("8;8") == (8, 8)
    assert parse_layers("") == parse_layers("0") == ()
    for text, words in [("1_0", ["'1_0'", "whole number", "8,8"]), ("١٢", ["whole number"]),
                        ("4,40", ["40 is outside 1 to 32"]), (",".join(["2"] * 11), ["0 to 10 entries"])]:
        with pytest.raises(ValueError) as err:
            parse_layers(text)
        for word in words:
            assert word in str(err.value), (text, str(err.value))


@pytest.mark.parametrize("config", [DEFAULT, Config(points=20, train_ratio=0.1), Config(points=2000, train_ratio=0.9),
                                    Config(dataset="xor", points=333, train_ratio=0.3, second_class_share=0.1),
                                    Config(dataset="spiral", classes=5, points=21, train_ratio=0.9)])
def test_n_train_is_the_data_sets(config):
    from playground.core.data import make_dataset

    assert config.n_train == make_dataset(config).n_train


def test_runs_that_cannot_finish_in_minutes_are_refused():
    assert Config(epochs=MAX_POINT_EPOCHS // 250).epochs == 40_000  # 250 training points by default
    with pytest.raises(ConfigError, match="epochs: 40,001 epochs x 250 training points .* limit of 10,000,000"):
        Config(epochs=40_001)
    check_work(Config(epochs=400), networks=100)
    with pytest.raises(ConfigError, match="101 networks x 400 epochs"):
        check_work(Config(epochs=400), networks=101)
    config, notes = from_strings_lenient({"epochs": "300000", "points": "100"})
    assert config.epochs == DEFAULT.epochs and config.points == 100 and "limit" in notes[0]


# One changed value per field, each valid on BASE (spiral, so that `classes` may change).
_TWO_POINTS = "Y2QAyAAAANT-wgEBAA"  # two drawn points (userdata.encode_drawn), kept while the source is generated
BASE = Config(dataset="spiral", drawn=_TWO_POINTS)
CHANGES = {"source": "drawn", "drawn": "",
           "dataset": "xor", "classes": 3, "points": 200, "noise": 0.1, "train_ratio": 0.6, "second_class_share": 0.3,
           "data_seed": 1, "features": ("x1",), "layers": (3,), "activation": ("relu",), "dropout": (0.1,),
           "init": "he", "output": "tanh_mse", "optimizer": "adam", "learning_rate": 0.1, "batch_size": 20,
           "regularization": "l2", "regularization_rate": 0.01, "freeze": (1,), "seed": 1, "epochs": 10,
           "schedule": "cosine", "schedule_epochs": 200}


def test_every_field_declares_its_effect_and_widget():
    assert set(CHANGES) == set(FIELDS)
    assert sorted(sum((fields_with_effect(e) for e in EFFECTS), ())) == sorted(FIELDS)
    for f in dataclasses.fields(Config):
        assert f.metadata["effect"] in EFFECTS and f.metadata["widget"] in WIDGETS, f.name


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_costs_what_its_field_declares(name):
    """Session.apply's answer to a change of one field is the effect that field declares."""
    from playground.core.session import Session

    session = Session(BASE)
    state = session.state
    happened = session.apply(BASE.replace(**{name: CHANGES[name]}))
    effect = FIELDS[name].metadata["effect"]
    if effect == "run":  # nothing for the engine: apply rebuilds the same knobs and says "knobs"
        assert happened in ("none", "knobs") and session.state is state
    else:
        assert happened == {"data": "data", "weights": "reset", "optimizer": "optimizer", "knob": "knobs"}[effect]
    if effect == "knob":
        assert session.state is state  # the same run goes on
    if effect == "optimizer":
        assert session.params is state.params  # same weights, fresh optimizer state


def test_the_pages_widget_groups_come_from_the_fields():
    from playground.web.playground_page import HELD_FIELDS, WIDGET_FIELDS

    assert set(WIDGET_FIELDS) == {"dataset", "classes", "points", "noise", "train_ratio", "second_class_share", "init",
                                  "output", "optimizer", "learning_rate", "batch_size", "regularization",
                                  "regularization_rate", "schedule", "schedule_epochs"}
    assert set(HELD_FIELDS) == {"data_seed", "source", "drawn", "seed", "epochs"}
    assembled = set(FIELDS) - set(WIDGET_FIELDS) - set(HELD_FIELDS)
    assert assembled == {"features", "layers", "activation", "dropout", "freeze"}

import dataclasses

import pytest

from playground.core.config import (
    ACTIVATION_NAMES,
    DEFAULT,
    FIELDS,
    Config,
    ConfigError,
    from_strings,
    from_strings_lenient,
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

"""The engine against independent references and against what textbooks say networks do."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from playground.core import bridge as padded
from playground.core import probes
from playground.core.config import Config
from playground.core.model import Arch, layers_of, params_from_layers, per_example_loss
from playground.core.session import Session
from playground.core.train import batch_loss


def trained(epochs=None, **kw) -> Session:
    c = Config(**kw)
    s = Session(c)
    s.advance(c.epochs if epochs is None else epochs)
    return s


def final_accuracy(s: Session) -> tuple[float, float]:
    return float(s.history.train_accuracy[-1]), float(s.history.test_accuracy[-1])


# --- correctness ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    dict(layers=(3, 4), activation=("tanh", "sigmoid")),
    dict(dataset="spiral", classes=3, layers=(5,), activation=("softplus",)),
    dict(dataset="multigauss", layers=(4,), activation=("elu",), output="default"),
    dict(layers=(3,), output="tanh_mse", activation=("sin",)),
])
def test_gradients_match_finite_differences(kw):
    c = Config(**kw)
    s = Session(c)
    x, y = s.data.x_train[:20], s.data.y_train[:20]
    m = jnp.ones(20)
    spec, knobs = s.spec, s.knobs
    grads = layers_of(jax.grad(batch_loss, argnums=1)(spec, s.params, knobs, x, y, m))
    layers = [tuple(np.asarray(a, np.float64) for a in layer) for layer in layers_of(s.params)]

    def loss_at(ls):
        return float(batch_loss(spec, params_from_layers(ls), knobs, x, y, m))

    rng = np.random.default_rng(0)
    for layer, (kernel, _) in enumerate(layers):
        for _ in range(3):
            i, j = rng.integers(kernel.shape[0]), rng.integers(kernel.shape[1])
            eps = 1e-2
            plus = [list(ly) for ly in layers]
            minus = [list(ly) for ly in layers]
            plus[layer][0] = kernel.copy()
            plus[layer][0][i, j] += eps
            minus[layer][0] = kernel.copy()
            minus[layer][0][i, j] -= eps
            numeric = (loss_at(plus) - loss_at(minus)) / (2 * eps)
            assert grads[layer][0][i, j] == pytest.approx(numeric, rel=0.05, abs=2e-4)


def test_loss_matches_an_independent_numpy_forward_pass():
    c = Config(layers=(4, 2))
    s = Session(c)
    (w1, b1), (w2, b2), (w3, b3) = layers_of(s.params)
    x, y = np.asarray(s.data.x_train), np.asarray(s.data.y_train)
    logit = (np.tanh(np.tanh(x @ w1 + b1) @ w2 + b2) @ w3 + b3)[:, 0]
    p = 1 / (1 + np.exp(-logit))
    expected = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()
    assert probes.loss(s.arch, s.params, x, y) == pytest.approx(expected, rel=1e-5)


def test_same_seed_same_run_and_chunking_does_not_matter():
    a = trained(epochs=60, dataset="spiral", layers=(6, 6), seed=3, dropout=(0.1,))
    b = Session(Config(dataset="spiral", layers=(6, 6), seed=3, dropout=(0.1,)))
    for _ in range(4):
        b.advance(15)
    np.testing.assert_array_equal(a.history.train_loss, b.history.train_loss)
    for la, lb in zip(layers_of(a.params), layers_of(b.params)):
        np.testing.assert_array_equal(la[0], lb[0])
    c = trained(epochs=60, dataset="spiral", layers=(6, 6), seed=4, dropout=(0.1,))
    assert not np.array_equal(a.history.train_loss, c.history.train_loss)


def test_an_epoch_is_one_pass_in_batches():
    s = trained(epochs=1, points=100, train_ratio=0.5, batch_size=7, optimizer="sgd")
    assert s.epoch == 1 and len(s.history.train_loss) == 1
    # one epoch of batch 7 over 50 points = 8 updates (the last one of 1 example); count them through adam's step
    t = trained(epochs=1, points=100, train_ratio=0.5, batch_size=7, optimizer="adam")
    assert int(t.state.opt_state.inner_state[0].count) == 8


def test_divergence_stops_at_the_last_finite_state():
    s = Session(Config(dataset="plane", layers=(), learning_rate=10.0, batch_size=500, init="large"))
    done = s.advance(200)
    assert s.diverged and done < 200 and s.epoch == done
    assert np.isfinite(s.history.train_loss).all() and len(s.history.train_loss) == done
    assert all(np.isfinite(a).all() for layer in layers_of(s.params) for a in layer)
    assert s.advance(10) == 0  # stays stopped until resumed
    s.resume_after_divergence()
    assert not s.diverged


def test_frozen_layers_do_not_move():
    s = Session(Config(dataset="xor", layers=(4, 4), freeze=(1, 2), optimizer="adamw"))
    before = layers_of(s.params)
    s.advance(50)
    after = layers_of(s.params)
    np.testing.assert_array_equal(before[0][0], after[0][0])
    np.testing.assert_array_equal(before[1][1], after[1][1])
    assert not np.array_equal(before[2][0], after[2][0])


def test_knob_changes_keep_the_run_and_the_compiled_function():
    from playground.core.compiled import PROGRAMS
    s = trained(epochs=20, dataset="xor")
    compiled = len(PROGRAMS)
    assert s.apply(s.config.replace(learning_rate=0.1, regularization="l2", regularization_rate=0.01)) == "knobs"
    s.advance(20)
    assert s.epoch == 40 and len(PROGRAMS) == compiled
    assert s.apply(s.config.replace(optimizer="adam")) == "optimizer" and s.epoch == 40
    assert s.apply(s.config.replace(layers=(3,))) == "reset" and s.epoch == 0
    assert s.apply(s.config.replace(noise=0.2)) == "data"


def test_padded_bridge_trains_exactly_like_the_exact_network():
    c = Config(dataset="spiral", layers=(8, 3, 8), activation=("tanh", "relu", "sin"), optimizer="adam",
               regularization="l2", regularization_rate=0.001, freeze=(2,))
    exact = trained(epochs=30, **{k: getattr(c, k) for k in ("dataset", "layers", "activation", "optimizer",
                                                              "regularization", "regularization_rate", "freeze")})
    s = Session(c)
    from playground.core.train import compiled_trainer
    pspec = padded.PaddedSpec.from_spec(s.spec)
    run, _ = compiled_trainer(pspec, (250, 250, 2, "int32"))
    state, *_ = run(padded.to_padded(pspec, s.arch, s.state), s.data, pspec.knobs(s.arch, s.knobs),
                    jnp.int32(30), jnp.int32(1))
    back = padded.from_padded(s.arch, state)
    for a, b in zip(layers_of(exact.params), layers_of(back.params)):
        np.testing.assert_allclose(a[0], b[0], atol=1e-4)
    hidden_p, out_p = padded.neuron_activations_on_grid(pspec, s.arch, state.params, c.features, 6.0, 20)
    hidden_e, out_e = probes.neuron_activations_on_grid(s.arch, back.params, c.features, 6.0, 20)
    np.testing.assert_allclose(out_p, out_e, atol=1e-5)
    assert [h.shape for h in hidden_p] == [h.shape for h in hidden_e] == [(20, 20, 8), (20, 20, 3), (20, 20, 8)]


# --- probes -----------------------------------------------------------------------------------------------------------

def test_grid_probe_shapes_and_values():
    s = trained(epochs=300)
    hidden, out = s.grid(50)
    assert [h.shape for h in hidden] == [(50, 50, 4), (50, 50, 2)] and out.shape == (50, 50, 1)
    assert 0 <= out.min() and out.max() <= 1
    assert out[25, 25, 0] > 0.5 and out[0, 0, 0] < 0.5  # class 1 in the middle of the circle, class 0 at the corner
    _, out3 = Session(Config(dataset="spiral", classes=3)).grid(10)
    np.testing.assert_allclose(out3.sum(-1), 1, rtol=1e-5)


def test_gradient_norms_equal_jax_grad():
    s = trained(epochs=5, layers=(3, 3))
    x, y = s.data.x_train, s.data.y_train
    norms = s.gradient_norms()
    grads = jax.grad(lambda p: per_example_loss(s.arch.head, s.spec.logits(p, x, s.knobs), y).mean())(s.params)
    np.testing.assert_allclose(norms, [np.linalg.norm(k) for k, _ in layers_of(grads)], rtol=1e-5)


def test_confusion_matrix_counts_every_point():
    s = trained(epochs=100, dataset="gauss")
    m = probes.confusion_matrix(s.arch, s.params, s.data.x_test, s.data.y_test, 2)
    assert m.sum() == len(s.data.y_test) and np.trace(m) / m.sum() == pytest.approx(
        float(s.history.test_accuracy[-1]), abs=1e-6)


# --- what textbooks say ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dataset, features", [("xor", ("x1", "x2", "x1x2")), ("circle", ("x1sq", "x2sq"))])
def test_no_hidden_layer_needs_the_right_hand_made_feature(dataset, features):
    linear = trained(epochs=300, dataset=dataset, layers=())
    assert final_accuracy(linear)[1] < 0.75
    crafted = trained(epochs=300, dataset=dataset, layers=(), features=features)
    assert final_accuracy(crafted)[1] > 0.95


@pytest.mark.parametrize("dataset", ["xor", "circle"])
def test_hidden_layers_learn_the_features_themselves(dataset):
    assert final_accuracy(trained(epochs=300, dataset=dataset))[1] > 0.95


def test_the_spiral_needs_depth():
    shallow = trained(epochs=1500, dataset="spiral", layers=(8,))
    deep = trained(epochs=1500, dataset="spiral", layers=(8,) * 6)
    assert final_accuracy(shallow)[0] < 0.9
    assert final_accuracy(deep)[0] > 0.97 and final_accuracy(deep)[1] > 0.9


def test_deep_sigmoid_gradients_vanish_but_relu_with_he_init_does_not():
    def ratio(**kw):
        norms = Session(Config(dataset="spiral", layers=(8,) * 8, **kw)).gradient_norms()
        return norms[0] / norms[-1]
    assert ratio(activation=("sigmoid",)) < 1e-3
    assert ratio(activation=("relu",), init="he") > 0.05


def test_a_big_network_overfits_small_noisy_data_and_l2_narrows_the_gap():
    common = dict(dataset="circle", noise=0.4, points=200, train_ratio=0.2, layers=(16, 16, 16), epochs=1500,
                  optimizer="adam", learning_rate=0.01)
    free = final_accuracy(trained(**common))
    regularized = final_accuracy(trained(**common, regularization="l2", regularization_rate=0.01))
    assert free[0] > 0.99 and free[0] - free[1] > 0.15
    assert regularized[0] - regularized[1] < free[0] - free[1] - 0.05


def test_k_class_spiral_and_regression_learn():
    s = trained(epochs=1500, dataset="spiral", classes=3, layers=(16, 16), optimizer="adam", learning_rate=0.01,
                noise=0.1)
    assert final_accuracy(s)[0] > 0.9
    r = trained(epochs=300, dataset="plane", layers=(), learning_rate=0.01)
    assert r.history.test_loss[-1] < 1e-3


def test_snapshots_for_replay_are_kept_and_thinned():
    from playground.core import session as session_module
    s = Session(Config(dataset="xor"))
    assert [e for e, _ in s.snapshots] == [0]
    for _ in range(session_module.SNAPSHOTS + 50):
        s.advance(1)
    epochs = [e for e, _ in s.snapshots]
    assert len(epochs) <= session_module.SNAPSHOTS and epochs[0] == 0 and epochs == sorted(epochs)
    assert epochs[-1] >= s.epoch - 2
    fresh = Session(Config(dataset="xor"))
    fresh.advance(3)
    assert fresh.snapshots[-1][0] == 3
    np.testing.assert_array_equal(fresh.snapshots[-1][1][0][0], layers_of(fresh.params)[0][0])
    s.gradient_norms()
    s.gradient_norms()
    assert len(s.gradient_history) == 1 and s.gradient_history[0][0] == s.epoch


def test_one_params_representation_for_any_shape():
    """Params are a tuple of Layer(W (in, out), b (out,)) per weight layer; layers_of and params_from_layers
    round-trip."""
    from playground.core.model import Layer, init_layers, logits
    for arch in [Arch(2, (3, 5), ("tanh", "relu"), (0.0, 0.0), 1, "sigmoid_ce"),
                 Arch(4, (), (), (), 3, "softmax_ce"), Arch(2, (8,) * 6, ("tanh",) * 6, (0.0,) * 6, 1, "tanh_mse")]:
        params = params_from_layers(init_layers(arch, "glorot", 0))
        assert all(isinstance(layer, Layer) for layer in params)
        assert [(w.shape, b.shape) for w, b in params] == [((i, o), (o,)) for i, o in
                                                           zip(arch.sizes[:-1], arch.sizes[1:])]
        assert logits(arch, params, np.ones((3, arch.n_in), np.float32)).shape == (3, arch.n_out)
        back = params_from_layers(layers_of(params))
        assert jax.tree.structure(back) == jax.tree.structure(params)

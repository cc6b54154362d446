import numpy as np
import pytest

from playground.core.config import CLASSIFICATION_DATASETS, DATASET_NAMES, Config
from playground.core.data import DATASETS, feature_matrix, make_dataset


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_every_generator_has_one_signature_and_is_seeded(name):
    a = DATASETS[name](200, 0.2, np.random.default_rng(3))
    b = DATASETS[name](200, 0.2, np.random.default_rng(3))
    c = DATASETS[name](200, 0.2, np.random.default_rng(4))
    assert a[0].shape == (200, 2) and a[1].shape == (200,)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("name", CLASSIFICATION_DATASETS)
def test_classification_sets_are_balanced_two_class_sets(name):
    _, y = DATASETS[name](1000, 0.0, np.random.default_rng(0))
    assert set(np.unique(y)) == {0, 1}
    assert abs(y.mean() - 0.5) < 0.06


def test_circle_geometry():
    x, y = DATASETS["circle"](1000, 0.0, np.random.default_rng(0))
    r = np.linalg.norm(x, axis=1)
    assert r[y == 1].max() <= 2.5 and r[y == 0].min() >= 3.5 and r.max() <= 5.0


def test_circle_noise_flips_labels_near_the_boundary():
    x, y = DATASETS["circle"](2000, 0.5, np.random.default_rng(0))
    r = np.linalg.norm(x, axis=1)
    assert 0.05 < ((r < 2.5) != (y == 1)).mean() < 0.5


def test_xor_geometry():
    x, y = DATASETS["xor"](1000, 0.0, np.random.default_rng(0))
    assert np.abs(x).min() >= 0.3 and np.abs(x).max() <= 5.3
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] >= 0))


def test_gauss_spread_grows_with_noise():
    x0, y0 = DATASETS["gauss"](2000, 0.0, np.random.default_rng(0))
    x1, _ = DATASETS["gauss"](2000, 0.5, np.random.default_rng(0))
    np.testing.assert_allclose(x0[y0 == 1].mean(0), [2, 2], atol=0.1)
    np.testing.assert_allclose(x0[y0 == 0].mean(0), [-2, -2], atol=0.1)
    np.testing.assert_allclose(x0[y0 == 1].var(0), [0.5, 0.5], rtol=0.15)
    np.testing.assert_allclose(x1[y0 == 1].var(0), [4, 4], rtol=0.15)


def test_spiral_geometry_and_k_classes():
    x, y = DATASETS["spiral"](500, 0.0, np.random.default_rng(0))
    assert np.linalg.norm(x, axis=1).max() <= 5.0
    np.testing.assert_allclose(x[y == 1], -x[y == 0], atol=1e-9)  # the arms are half a turn apart
    x3, y3 = DATASETS["spiral"](600, 0.1, np.random.default_rng(0), classes=3)
    assert np.bincount(y3).tolist() == [200, 200, 200]


def test_regression_targets():
    x, y = DATASETS["multigauss"](1000, 0.3, np.random.default_rng(0))
    assert y.dtype == np.float32 and -1 <= y.min() and y.max() <= 1 and y.std() > 0.05
    x, y = DATASETS["multigauss"](1000, 0.0, np.random.default_rng(0))
    near = np.linalg.norm(x - [4, 2.5], axis=1) < 0.5
    assert near.any() and (y[near] >= 0.75).all()
    x, y = DATASETS["plane"](100, 0.0, np.random.default_rng(0))
    np.testing.assert_allclose(y, x.sum(1) / 10, rtol=1e-5)


def test_make_dataset_splits_shuffles_and_repeats():
    c = Config(dataset="spiral", points=300, train_ratio=0.3, data_seed=5)
    d = make_dataset(c)
    assert len(d.y_train) == 90 and len(d.y_test) == 210
    assert not np.all(d.y_train[:45] == d.y_train[0])  # shuffled, not one arm then the other
    d2 = make_dataset(c)
    np.testing.assert_array_equal(d.points_train, d2.points_train)
    assert not np.array_equal(make_dataset(c.replace(data_seed=6)).points_train, d.points_train)
    assert d.extent >= 6.0


@pytest.mark.parametrize("share", [0.1, 0.3, 0.8])
def test_class_imbalance_sets_the_share_of_the_second_class(share):
    d = make_dataset(Config(dataset="xor", second_class_share=share, points=400))
    y = np.concatenate([d.y_train, d.y_test])
    assert len(y) == 400
    assert abs(y.mean() - share) < 0.01


def test_features():
    p = np.array([[1.0, 2.0], [-0.5, 3.0]])
    f = feature_matrix(p, ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"))
    np.testing.assert_allclose(f[1], [-0.5, 3.0, 0.25, 9.0, -1.5, np.sin(-0.5), np.sin(3.0)])
    assert feature_matrix(p, ("x1x2",)).shape == (2, 1)

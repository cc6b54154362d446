import json
import subprocess
import sys

import numpy as np
import pytest

from playground.core.config import Config
from playground.core.model import flat_layers, layers_of
from playground.core.session import Session
from playground.core.runs import Preparer, Run, SideBySide
from playground.core.sweep import Sweep, grid_configs, seed_configs


def test_grid_configs_cover_the_grid_once():
    configs = grid_configs(Config(), [0, 1, 2], [2, 4], ["tanh", "relu"])
    assert len(configs) == 1 + 2 * 2 * 2
    assert {c.layers for c in configs} == {(), (2,), (4,), (2, 2), (4, 4)}


def test_a_sweep_cell_matches_a_single_run_of_its_config():
    base = Config(dataset="spiral", optimizer="adam", learning_rate=0.01, seed=2)
    configs = grid_configs(base, [1, 3], [3, 6], ["tanh", "relu"])
    sweep = Sweep(configs, threads=2)
    sweep.advance(40)
    for i in (0, 3, 5):
        single = Session(configs[i])
        single.advance(40)
        h, hs = sweep.history(i), single.history
        np.testing.assert_allclose(h.train_loss, hs.train_loss, rtol=2e-3, atol=1e-5)
        np.testing.assert_allclose(h.test_accuracy[-1], hs.test_accuracy[-1], atol=0.01)
        for (w, _), (ws, _) in zip(layers_of(sweep.params(i)), layers_of(single.params)):
            np.testing.assert_allclose(w, ws, atol=2e-3)


def test_parameter_counts_and_results():
    sweep = Sweep(grid_configs(Config(), [0, 2], [3]))
    sweep.advance(5)
    r = sweep.results()
    # [] : 2*1+1 = 3; [3, 3]: (2+1)*3 + (3+1)*3 + (3+1)*1 = 25
    assert [x["params"] for x in r] == [3, 25]
    assert all(x["train_accuracy"] is not None for x in r) and sweep.epoch == 5
    assert sweep.output_grids(12).shape == (2, 12, 12, 1)
    snapshot = sweep.snapshot(0)  # the lab's grid: the networks' weights, no pictures (the browser paints them)
    assert snapshot.grids is None and [len(w) for w in snapshot.weights] == [3, 25]
    for i, flat in enumerate(snapshot.weights):
        np.testing.assert_array_equal(flat, flat_layers(layers_of(sweep.params(i))))


def test_seed_ensemble_differs_only_by_seed():
    sweep = Sweep(seed_configs(Config(dataset="xor"), 4))
    sweep.advance(50)
    finals = [sweep.history(i).train_loss[-1] for i in range(4)]
    assert len(set(np.round(finals, 6))) == 4


def test_sweeps_refuse_networks_that_cannot_share_one_program():
    with pytest.raises(ValueError):
        Sweep([Config(), Config(optimizer="adam")])


def test_sweep_cli_json():
    out = subprocess.run([sys.executable, "-m", "playground", "sweep", "--depths", "0,1,2", "--widths", "2,4",
                          "--epochs", "20", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 5
    for row in rows:
        assert set(row) >= {"depth", "width", "activation", "params", "train_loss", "test_loss", "train_accuracy",
                            "test_accuracy"}


def test_a_background_run_publishes_chunks_and_ends_where_a_direct_sweep_does():
    configs = grid_configs(Config(dataset="xor"), [1, 2], [2, 4])
    run = Run(Sweep(configs), target=150, grid=20).wait(120)
    assert not run.running and run.error is None and run.seconds > 0
    assert run.published == [Run.FIRST_CHUNK, Run.FIRST_CHUNK + Run.CHUNK, 150]
    snapshot = run.snapshot
    assert snapshot.epoch == 150 and snapshot.grids.shape == (4, 20, 20, 1)
    assert [len(curve) for curve in snapshot.test_loss] == [150] * 4
    direct = Sweep(configs)
    direct.advance(150)
    for shown, expected in zip(snapshot.results, direct.results()):
        assert shown["test_loss"] == pytest.approx(expected["test_loss"], abs=1e-5)


def test_a_stopped_run_ends_after_its_chunk_in_progress():
    configs = grid_configs(Config(dataset="spiral"), [3], [8])
    run = Run(configs, target=3000)  # given configs, the run builds its sweep in its own thread
    run.stop()
    run.wait(120)
    assert not run.running and run.error is None and run.epoch <= Run.FIRST_CHUNK
    assert run.sweep.configs == configs == run.configs


def test_a_prepared_sweep_is_compiled_into_the_shared_cache_and_run_finds_it():
    configs = grid_configs(Config(dataset="circle"), [1, 5], [3])
    assert Preparer().want(configs, grid=20).result(120)
    assert Sweep(configs).compiled  # Run builds its own Sweep; the program for its shape is already compiled
    run = Run(configs, target=20, grid=20).wait(120)
    assert run.error is None and run.compile_seconds is not None


def test_one_users_choice_never_drops_anothers():
    first, second = (grid_configs(Config(dataset="circle", data_seed=7), depths, [2]) for depths in ([1], [1, 2]))
    alice, bob = Preparer(), Preparer()
    a, b = alice.want(first, grid=20), bob.want(second, grid=20)
    assert a.result(120) and b.result(120)  # both compiled: users do not supersede each other
    assert Sweep(first).compiled and Sweep(second).compiled
    later = grid_configs(Config(dataset="circle", data_seed=7), [3], [2])
    dropped = alice.want(later, grid=20)
    alice.want(first, grid=20)  # her own newer choice drops her previous one before it started
    assert dropped.result(120) is False


def test_side_by_side_runs_in_the_background_like_a_sweep():
    configs = [Config(dataset="xor", layers=(4,)), Config(dataset="xor", layers=(2, 2), optimizer="adam")]
    run = Run(configs, target=120, grid=10, build=SideBySide).wait(120)
    assert run.error is None and run.published == [Run.FIRST_CHUNK, 120]
    snapshot = run.snapshot
    assert snapshot.grids.shape == (2, 10, 10, 1) and [len(c) for c in snapshot.test_loss] == [120, 120]
    direct = Session(configs[1])
    direct.advance(120)
    assert snapshot.results[1]["test_loss"] == pytest.approx(float(direct.history.test_loss[-1]), abs=1e-6)

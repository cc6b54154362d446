import json
import subprocess
import sys

import numpy as np
import pytest

from playground.core.config import Config
from playground.core.model import layers_of
from playground.core.session import Session
from playground.core.sweep import Sweep, SweepRun, grid_configs, prepare, seed_configs, take_prepared


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
    run = SweepRun(Sweep(configs), target=150, grid=20).wait(120)
    assert not run.running and run.error is None and run.seconds > 0
    assert run.published == [SweepRun.FIRST_CHUNK, SweepRun.FIRST_CHUNK + SweepRun.CHUNK, 150]
    snapshot = run.snapshot
    assert snapshot.epoch == 150 and snapshot.grids.shape == (4, 20, 20, 1)
    assert [len(curve) for curve in snapshot.test_loss] == [150] * 4
    direct = Sweep(configs)
    direct.advance(150)
    for shown, expected in zip(snapshot.results, direct.results()):
        assert shown["test_loss"] == pytest.approx(expected["test_loss"], abs=1e-5)


def test_a_stopped_run_ends_after_its_chunk_in_progress():
    configs = grid_configs(Config(dataset="spiral"), [3], [8])
    run = SweepRun(configs, target=3000)  # given configs, the run builds its sweep in its own thread
    run.stop()
    run.wait(120)
    assert not run.running and run.error is None and run.epoch <= SweepRun.FIRST_CHUNK
    assert run.sweep.configs == configs == run.configs


def test_a_prepared_sweep_is_compiled_fresh_and_handed_over_once():
    configs = grid_configs(Config(dataset="circle"), [1, 5], [3])
    prepare(configs, grid=20).result(120)
    assert prepare(configs, grid=20) is None  # ready: not prepared twice
    prepared = take_prepared(configs)
    assert prepared is not None and prepared.epoch == 0 and prepared.configs == configs
    assert take_prepared(configs) is None  # handed over once
    assert prepared.compile() is Sweep(configs).compile()  # compiled once per shape in this process, then reused


def test_only_the_latest_choice_is_prepared():
    first, second = (grid_configs(Config(dataset="circle"), depths, [2]) for depths in ([1], [1, 2]))
    superseded = prepare(first, grid=20)
    prepare(second, grid=20).result(120)
    superseded.result(120)
    assert take_prepared(first) is None  # asked for, then replaced before it was compiled

import json
import subprocess
import sys

import numpy as np
import pytest

from playground.config import Config
from playground.model import layers_of
from playground.session import Session
from playground.sweep import Sweep, grid_configs, seed_configs


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

"""The "Depth × width lab" tab through streamlit's AppTest: sweep grid, open a cell in the playground, side by side,
seed ensembles, bad input.

The tab is a stateful `st.tabs(..., key="page")`: setting `session_state["page"]` to its label opens it. Sweeps and
ensembles train in a background thread (`sweep.SweepRun`); each `run()` paints its latest snapshot. The sweep grid is
a canvas component: AppTest reads the message it is sent (`lab_message`).
"""

import base64
import json
import time

import numpy as np
from app_utils import fresh, step
from streamlit.testing.v1 import AppTest

from playground.core import sweep as sweep_module
from playground.core.sweep import Sweep, grid_configs
from playground.core.model import flat_layers, layers_of
from playground.web import lab_common as ui_lab

LAB = "Depth × width lab"


def lab(mode: str = "Sweep grid", **query) -> AppTest:
    at = fresh(**query)
    at.session_state["page"] = LAB
    at.run()
    assert not at.exception
    if mode != "Sweep grid":
        at.radio(key="lab_mode").set_value(mode).run()
        assert not at.exception
    return at


def charts(at) -> dict:
    """Plotly charts on the page by title: AppTest only exposes them as JSON (`proto.spec`)."""
    out = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        out[spec["layout"].get("title", {}).get("text", "")] = spec
    return out


def array(value) -> np.ndarray:
    """A plotly JSON array: a list, or plotly 7's {"dtype", "bdata" (base64), "shape"} form."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(n) for n in str(value.get("shape", len(flat))).split(",")])
    return np.asarray(value, dtype=float)


def lab_message(at) -> dict:
    """What the sweep's canvas component was last sent (lab_view.sweep_message)."""
    element = next(e for e in at.get("bidi_component") if e.proto.component_name.endswith("playground_lab_grid"))
    return json.loads(element.proto.json)[0]


def run_until_finished(at, key: str, seconds: float = 120) -> list[int]:
    """Rerun the page every 0.2 s while the background run `key` trains; the epochs the page showed."""
    epochs, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = at.session_state[key]
        running = run.running
        epochs.append(run.epoch)
        at.run()
        assert not at.exception
        if not running:
            return epochs
        time.sleep(0.2)
    raise AssertionError(f"{key} did not finish: {epochs}")


def start_small_sweep(at, epochs: int = 100):
    at.multiselect(key="sweep_depths").set_value([1, 2])
    at.multiselect(key="sweep_widths").set_value([2, 4])
    at.select_slider(key="sweep_epochs").set_value(epochs)
    at.run()
    assert not at.exception
    at.button(key="sweep_run").click().run()
    assert not at.exception


def test_sweep_fills_in_chunk_by_chunk_and_shows_the_engines_numbers():
    at = lab(dataset="spiral")
    assert "spiral" in at.caption[0].value  # the playground's settings are shown
    start_small_sweep(at, epochs=100)
    epochs = run_until_finished(at, "lab_sweep")
    run = at.session_state.lab_sweep
    assert epochs[-1] == 100 and epochs == sorted(epochs)
    assert run.published == [run.FIRST_CHUNK, 100]  # it filled in, chunk by chunk
    sweep = run.sweep
    assert sweep.epoch == 100 and len(sweep.configs) == 4
    assert all(c.dataset == "spiral" for c in sweep.configs)
    assert any("finished" in m.value for m in at.markdown if "lab-status" in m.value)

    results = sweep.results()
    message = lab_message(at)
    assert message["epoch"] == 100 and message["target"] == 100
    table = message["tables"][0]
    assert (table["activation"], table["widths"], table["depths"]) == ("tanh", [2, 4], [1, 2])
    assert table["rows"] == [[0, 1], [2, 3]]
    # every network's exact weights, which the browser paints from (tests/test_forward_js.py checks the pictures)
    weights = np.frombuffer(base64.b64decode(message["weights"]), np.float32)
    nets = message["networks"]
    assert [net["sizes"] for net in nets] == [[2, 2, 1], [2, 4, 1], [2, 2, 2, 1], [2, 4, 4, 1]]
    assert [net["activations"] for net in nets] == [["tanh"], ["tanh"], ["tanh", "tanh"], ["tanh", "tanh"]]
    for i, net in enumerate(nets):
        exact = flat_layers(layers_of(sweep.params(i)))
        np.testing.assert_array_equal(weights[net["offset"]: net["offset"] + len(exact)], exact)
    assert len(weights) == nets[-1]["offset"] + len(exact) == sum(r["params"] for r in results)
    assert message["head"] == "sigmoid_ce" and message["features"] == ["x1", "x2"]
    assert message["metric"] == "test accuracy"
    assert [c["score"] for c in message["cells"]] == [f"{100 * r['test_accuracy']:.0f}%" for r in results]
    assert [c["params"] for c in message["cells"]] == [r["params"] for r in results]
    assert len(message["curves"]) == 4  # every network's test loss, drawn overlaid
    np.testing.assert_allclose(message["curves"][3][-1], sweep.history(3).test_loss[-1], atol=1e-4)

    at.selectbox(key="sweep_cell").set_value(3).run()  # depth 2 x width 4
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    r = results[3]
    assert metrics["Network (depth × width)"] == "2 × 4"
    assert metrics["Parameters"] == str(r["params"]) == str(3 * 4 + 5 * 4 + 5)
    assert metrics["Test accuracy"] == f"{100 * r['test_accuracy']:.1f}%"
    assert metrics["Test loss"] == f"{r['test_loss']:.4f}"

    at.selectbox(key="sweep_metric").set_value("test_loss").run()
    assert not at.exception
    message = lab_message(at)
    assert message["metric"] == "test loss"
    assert [c["score"] for c in message["cells"]] == [f"{r['test_loss']:.3f}" for r in results]
    best = int(np.argmin([r["test_loss"] for r in results]))
    assert message["cells"][best]["quality"] == 1.0  # the lowest loss is coloured best


def test_the_sweep_matches_a_sweep_run_directly():
    at = lab()
    start_small_sweep(at, epochs=50)
    run_until_finished(at, "lab_sweep")
    shown = at.session_state.lab_sweep.sweep.results()
    direct = Sweep(grid_configs(at.session_state.session.config, [1, 2], [2, 4]))
    direct.advance(50)
    for a, b in zip(shown, direct.results()):
        assert (a["depth"], a["width"], a["params"]) == (b["depth"], b["width"], b["params"])
        assert abs(a["test_loss"] - b["test_loss"]) < 1e-5


def test_open_in_playground_shows_the_cell_with_all_its_settings():
    at = lab(dataset="xor", learning_rate="0.1", optimizer="adam")
    start_small_sweep(at, epochs=50)
    run_until_finished(at, "lab_sweep")
    cell = at.session_state.lab_sweep.sweep.cells[3]
    at.selectbox(key="sweep_cell").set_value(3).run()
    at.button(key="sweep_open").click().run()
    assert not at.exception
    assert at.session_state["page"] == "Playground"
    config = at.session_state.session.config
    assert config == cell.config
    assert config.layers == (4, 4) and config.dataset == "xor" and config.optimizer == "adam"
    assert config.learning_rate == 0.1
    assert at.number_input(key="hidden_layers").value == 2
    assert [at.number_input(key=f"width_{i}").value for i in range(2)] == [4, 4]
    assert at.selectbox(key="optimizer").value == "adam"
    assert at.query_params["layers"] == ["4,4"] or at.query_params["layers"] == "4,4"
    assert at.session_state.session.epoch == 0
    step(at)  # the playground trains the opened network
    assert at.session_state.session.epoch == 1


def test_bad_sweep_input_gets_a_message_not_a_traceback():
    at = lab()
    at.multiselect(key="sweep_depths").set_value([]).run()
    at.button(key="sweep_run").click().run()
    assert not at.exception
    assert "depth" in at.error[0].value
    assert "lab_sweep" not in at.session_state
    at.multiselect(key="sweep_depths").set_value([1]).run()
    at.multiselect(key="sweep_widths").set_value([]).run()
    at.button(key="sweep_run").click().run()
    assert not at.exception and "width" in at.error[0].value
    at.multiselect(key="sweep_widths").set_value([2]).run()
    at.multiselect(key="sweep_activations").set_value([]).run()
    at.button(key="sweep_run").click().run()
    assert not at.exception and "activation" in at.error[0].value


def test_side_by_side_trains_in_lockstep_and_can_match_parameter_counts():
    at = lab("Side by side", layers="8,8")
    assert at.text_input(key="side_layers_0").value == "8,8"
    at.text_input(key="side_layers_1").set_value("2,2,2,2").run()
    at.selectbox(key="side_activation_1").set_value("relu").run()
    at.select_slider(key="side_epochs").set_value(100).run()
    at.checkbox(key="side_match").check().run()
    at.button(key="side_run").click().run()
    assert not at.exception
    run_until_finished(at, "lab_side")
    first, second = at.session_state.lab_side.experiment.sessions
    assert first.epoch == second.epoch == 100
    assert first.dataset.points_train.tolist() == second.dataset.points_train.tolist()
    assert first.config.seed == second.config.seed
    assert second.config.activation == ("relu",) and len(second.config.layers) == 4
    target = first.arch.n_params  # 8,8: 3*8 + 9*8 + 9 = 105
    assert abs(second.arch.n_params - target) < 0.15 * target
    curves = charts(at)["Test loss (and train loss) of each configuration"]["data"]
    assert len(curves) == 4 and all(len(array(c["y"])) == 100 for c in curves)
    assert sum('class="lab-side"' in m.value for m in at.markdown) == 2

    at.text_input(key="side_layers_1").set_value("a,b").run()
    assert not at.exception
    assert "Configuration 2" in at.warning[0].value
    at.button(key="side_run").click().run()
    assert not at.exception and "Configuration 2" in at.error[0].value


def test_match_parameter_count_comes_close():
    from playground.core.config import Config
    base = Config(layers=(8, 8))
    target = sweep_module.n_params(base)
    for layers in [(2, 2, 2, 2, 2, 2), (30,), (4,)]:
        matched = sweep_module.match_parameter_count(base.replace(layers=layers), target)
        assert len(matched.layers) == len(layers)
        assert abs(sweep_module.n_params(matched) - target) <= 0.15 * target


def test_seed_ensemble_reports_success_rate_spread_and_disagreement():
    at = lab("Seed ensemble", dataset="xor", layers="4")
    at.number_input(key="seeds_n").set_value(4).run()
    at.select_slider(key="seeds_epochs").set_value(100).run()
    at.button(key="seeds_run").click().run()
    assert not at.exception
    run_until_finished(at, "lab_seeds")
    sweep = at.session_state.lab_seeds.sweep
    assert [c.seed for c in sweep.configs] == [0, 1, 2, 3]
    results = sweep.results()
    summary = sweep_module.ensemble_summary(results, at.session_state.seeds_threshold)
    accuracies = np.array([r["test_accuracy"] for r in results])
    assert summary["success_rate"] == (accuracies >= 0.9).mean()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Success rate (test accuracy ≥ 90%)"] == f"{100 * summary['success_rate']:.0f}%"
    assert metrics["Test accuracy, mean ± std"].startswith(f"{100 * accuracies.mean():.1f}%")
    maps = next(spec for title, spec in charts(at).items() if "heatmap" in [d["type"] for d in spec["data"]])
    mean, spread = (d for d in maps["data"] if d["type"] == "heatmap")
    grids = sweep.output_grids(ui_lab.GRID)[..., 0]
    np.testing.assert_allclose(array(spread["z"])[::-1], grids.std(0), atol=1e-5)
    np.testing.assert_allclose(array(mean["z"])[::-1], grids.mean(0), atol=1e-5)


def test_regression_and_three_class_sweeps_and_ensembles_draw_without_errors():
    for dataset, query in (("plane", {}), ("the playground's data", {"dataset": "spiral", "classes": "3"})):
        at = lab(**query)
        at.selectbox(key="sweep_dataset").set_value(dataset).run()
        start_small_sweep(at, epochs=50)
        run_until_finished(at, "lab_sweep")
        message = lab_message(at)
        assert len(message["cells"]) == 4 and message["epoch"] == 50
        assert message["metric"] == ("test loss" if dataset == "plane" else "test accuracy")
        at.radio(key="lab_mode").set_value("Seed ensemble").run()
        at.number_input(key="seeds_n").set_value(3).run()
        at.select_slider(key="seeds_epochs").set_value(50).run()
        at.button(key="seeds_run").click().run()
        run_until_finished(at, "lab_seeds")
        assert not at.exception
        assert any("Test loss, mean ± std" == m.label for m in at.metric)

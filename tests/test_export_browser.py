"""Take it away, in Chromium as a person does: play, read the per-class view and the rate, download every export,
open a bad weights file (refused, literal reason) and the good one (network and settings restored)."""

import io
import json
import os

import numpy as np
import pytest
from browser_utils import browser_available, click_button, shown_epoch, wait_for_live_view, wait_until
from flax import serialization
from PIL import Image

from playground.core.config import from_strings
from playground.core.export import load_weights
from playground.core.model import Arch, init_layers

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")

QUERY = "dataset=circle&second_class_share=0.1&layers=3&schedule=cosine&schedule_epochs=200"


def _play_then_pause(page, epochs: int):
    click_button(page, "Play")
    assert wait_until(lambda: shown_epoch(page) >= epochs, timeout=90)
    click_button(page, "Pause")
    page.wait_for_function("() => { const v = document.querySelector('.pg-root')._view;"
                           "return !v.playing && v.frame && v.frame.f32; }", timeout=60_000)


def _download(page, label: str) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=label, exact=True).click()
    with open(info.value.path(), "rb") as f:
        return f.read()


def _open_export_panel(page):
    page.get_by_text("Save and export", exact=True).click()
    page.get_by_role("button", name="Python script", exact=True).wait_for(timeout=30_000)


def _upload(page, name: str, content: bytes):
    page.locator(".st-key-weights_file input[type=file]").set_input_files(  # the CSV upload has one too
        {"name": name, "mimeType": "application/octet-stream", "buffer": content})


def test_per_class_view_and_rate_while_playing(page, server_url):
    page.goto(f"{server_url}/?{QUERY}")
    wait_for_live_view(page)
    _play_then_pause(page, 30)
    table = page.locator(".pg-confusion")
    assert table.is_visible()
    rows = [r.split() for r in page.locator(".pg-confusion tr").all_inner_texts()]
    assert len(rows) == 3 and rows[1][0] == "0" and rows[2][0] == "1"
    assert sum(int(n) for row in rows[1:] for n in row[1:3]) == 250  # every test point, once
    # with no hidden capacity to spare early on, the minority class is missed and flagged
    if rows[2][3] == "0%":
        assert page.locator(".pg-lag-note").is_visible()
    rate = float(page.locator(".pg-rate").inner_text().split()[-1])
    assert 0 < rate < 0.03  # cosine over 200 epochs, below the slider's rate after 30


def test_download_every_export_and_open_the_weights_again(page, server_url, tmp_path):
    page.goto(f"{server_url}/?{QUERY}")
    wait_for_live_view(page)
    _play_then_pause(page, 40)
    epoch = shown_epoch(page)
    _open_export_panel(page)

    config = from_strings(json.loads(_download(page, "Config (JSON)"))["config"])
    assert (config.dataset, config.layers, config.schedule, config.second_class_share) == ("circle", (3,), "cosine",
                                                                                           0.1)
    saved = _download(page, "Weights (msgpack)")
    loaded_config, layers, saved_epoch = load_weights(saved)
    assert loaded_config == config and saved_epoch == epoch and [w.shape for w, _ in layers] == [(2, 3), (3, 1)]
    png = Image.open(io.BytesIO(_download(page, "Picture (PNG)")))
    assert png.format == "PNG" and png.size == (400, 400) and len(set(png.convert("RGB").getdata())) > 50
    gif = Image.open(io.BytesIO(_download(page, "Training (GIF)")))
    assert gif.format == "GIF" and gif.n_frames >= 3
    script = _download(page, "Python script").decode()
    assert "import optax" in script and f"EPOCHS = {epoch}" in script
    compile(script, "train_network.py", "exec")

    # a file that is not ours: refused with its reason as literal text, nothing changes
    crafted = serialization.msgpack_restore(saved)
    crafted["config"]["dataset"] = "**log in at** [here](http://example.invalid)"
    _upload(page, "crafted.msgpack", serialization.msgpack_serialize(crafted))
    page.get_by_text("That file was not loaded, and nothing changed.").wait_for(timeout=60_000)
    assert page.get_by_text("**log in at** [here](", exact=False).count() >= 1  # quoted cut short, as literal text
    assert page.locator("a[href='http://example.invalid']").count() == 0
    assert shown_epoch(page) == epoch

    # new weights, then the saved file: the network and its settings come back
    click_button(page, "Reset")
    assert wait_until(lambda: shown_epoch(page) == 0, timeout=60)
    _upload(page, "weights.msgpack", saved)
    page.get_by_text("Loaded the network and its settings", exact=False).wait_for(timeout=60_000)
    assert "schedule=cosine" in page.url and "layers=3" in page.url
    again = _download(page, "Weights (msgpack)")
    _, restored, _ = load_weights(again)
    for (w, b), (w0, b0) in zip(restored, layers):
        np.testing.assert_array_equal(w, w0)
        np.testing.assert_array_equal(b, b0)
    fresh = init_layers(Arch.from_config(config), config.init, config.seed + 1)
    assert not np.array_equal(restored[0][0], fresh[0][0])

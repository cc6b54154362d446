"""What a person sees: the real app in headless chromium.

Every wait is for a condition (a painted epoch, an answer from the server, a number of animation frames), never for a
fixed time, so that the tests pass on a loaded machine. Skipped where chromium or playwright is missing, except under
CI=true: there a missing browser is a failure."""

import os

import pytest
from browser_utils import (
    boundary_pixels,
    box_of,
    browser_available,
    click_button,
    paints,
    shown_epoch,
    wait_for_live_view,
    wait_until,
)

from playground.core.config import ACTIVATION_NAMES

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")

VIEW = "document.querySelector('.pg-root')._view"


def view(page, expression: str):
    """Evaluate `expression` about the live view's state `v` (assets/live_view.js)."""
    return page.evaluate(f"() => {{ const root = document.querySelector('.pg-root'), v = root && root._view;"
                         f"return v ? {expression} : null; }}")


def animation_frames(page, count: int = 30):
    """Wait for `count` display frames: long enough for a running animation to show a new epoch."""
    page.evaluate("""n => new Promise(done => { let k = 0;
                       const f = () => (++k >= n ? done() : requestAnimationFrame(f)); requestAnimationFrame(f); })""",
                  count)


def answered(page, batch: int) -> bool:
    """The server has answered since `batch` (its message counter) and the page shows an exact, paused frame."""
    return view(page, f"v.batch > {batch} && !v.playing && v.pending === null && v.frame && v.frame.f32")


def test_play_animates_pause_stops_step_adds_one(page, server_url):
    page.goto(server_url)
    wait_for_live_view(page)
    # the status line and the canvas are updated by the same function call: no order to race
    assert shown_epoch(page) == 0 and view(page, "v.root.dataset.epoch") == "0"
    boundary_before, paints_before = boundary_pixels(page), paints(page)

    click_button(page, "Play")
    assert wait_until(lambda: shown_epoch(page) >= 20, timeout=60)
    assert paints(page) > paints_before + 5
    assert boundary_pixels(page) != boundary_before
    # after Play's page run, frames come from the app's frame route, without a script run (live_feed)
    assert wait_until(lambda: view(page, "v.fed || 0") >= 2, timeout=60), view(page, "[v.fed, v.feed]")

    # Pause acts in the browser: the epoch read in the same task as the click is the one that stays
    batch, stopped = page.evaluate(f"""() => {{ const v = {VIEW};
        [...document.querySelectorAll('.pg-bar button')].find(b => b.textContent === 'Pause').click();
        return [v.batch, v.shown]; }}""")
    assert wait_until(lambda: answered(page, batch), timeout=30)  # the server went back to the epoch shown
    animation_frames(page)
    assert shown_epoch(page) == stopped and view(page, "v.shown") == stopped

    batch = view(page, "v.batch")
    click_button(page, "Step")
    assert wait_until(lambda: answered(page, batch) and shown_epoch(page) == stopped + 1, timeout=30)
    animation_frames(page)
    assert shown_epoch(page) == stopped + 1

    # two quick clicks ask for two target epochs: exactly two more, however the messages arrive
    batch = view(page, "v.batch")
    page.evaluate("""() => { const b = [...document.querySelectorAll('.pg-bar button')]
                                 .find(b => b.textContent === 'Step'); b.click(); b.click(); }""")
    assert wait_until(lambda: answered(page, batch) and shown_epoch(page) == stopped + 3, timeout=30)
    animation_frames(page)
    assert shown_epoch(page) == stopped + 3


EPOCH_LOG = """() => { const v = document.querySelector('.pg-root')._view; window.__epochs = [];
    const record = () => { if (!v.root.isConnected) return; const e = v.shown, log = window.__epochs;
                           if (log[log.length - 1] !== e) log.push(e); requestAnimationFrame(record); };
    requestAnimationFrame(record); }"""


def test_a_new_speed_and_a_new_learning_rate_show_soon_and_the_epoch_never_goes_back(page, server_url):
    """The page holds frames trained ahead; a change goes back on the server to about the frame painted when the
    answer arrives (live_player._catch_up), so the frames after it follow the change, and the picture never jumps
    back."""
    page.goto(server_url)
    wait_for_live_view(page)
    page.evaluate(EPOCH_LOG)
    click_button(page, "Play")
    assert wait_until(lambda: shown_epoch(page) >= 10, timeout=60)
    page.select_option(".pg-speed select", "10")
    changed_at = view(page, "v.shown")
    # frames 10 epochs apart follow soon after the epoch shown at the change (not after all the frames held)
    assert wait_until(lambda: any(b - a == 10 and a >= changed_at for a, b in zip(*[page.evaluate(
        "window.__epochs")[i:] for i in (0, 1)])), timeout=30)
    before = view(page, "v.frame.rate")
    page.evaluate("document.querySelector(\".st-key-learning_rate input[type='range']\").focus()")
    page.keyboard.press("ArrowRight")
    assert wait_until(lambda: view(page, f"v.frame.rate !== {before}"), timeout=30)
    after = view(page, "v.frame.rate")
    # the link follows the new rate
    assert wait_until(lambda: f"learning_rate={after:g}" in page.url, timeout=30), page.url
    click_button(page, "Pause")
    epochs = page.evaluate("window.__epochs")
    assert len(epochs) > 5 and all(b > a for a, b in zip(epochs, epochs[1:])), epochs

    # the top bar's other controls change more than knobs: the whole page follows them
    page.get_by_label("Activation", exact=True).click()
    page.keyboard.type("relu")
    page.get_by_role("option", name="relu", exact=True).first.click()
    assert wait_until(lambda: view(page, "v.spec.activations.every(a => a === 'relu')"), timeout=60)
    assert wait_until(lambda: "activation=relu" in page.url, timeout=30), page.url


# What Streamlit does when it mounts the component afresh: the old element leaves the page and the component's code
# runs again in a new, empty element.
REMOUNT = """() => { const v = window.__pgLiveView, host = document.createElement('div'), component = v.component;
    v.root.parentElement.parentElement.appendChild(host);
    v.root.remove();
    window.__pgLiveMount(new Proxy(component, {get: (target, name) => name === 'parentElement' ? host
        : typeof target[name] === 'function' ? target[name].bind(target) : target[name]}));
}"""


def test_a_live_view_mounted_afresh_goes_on_playing(page, server_url):
    """Streamlit now and then mounts the live view's component afresh in a page run (seen after Play: the picture
    stopped by itself and the speed went back to 1). The view moves into the new place with its state."""
    page.goto(server_url)
    wait_for_live_view(page)
    page.select_option(".pg-speed select", "10")
    click_button(page, "Play")
    assert wait_until(lambda: shown_epoch(page) >= 50, timeout=60)
    before, paints_before = view(page, "v.shown"), paints(page)
    page.evaluate(REMOUNT)
    assert view(page, "[v.adopted, v.playing, v.speed]") == [1, True, 10]
    assert wait_until(lambda: shown_epoch(page) >= before + 100 and paints(page) > paints_before + 10, timeout=60)
    assert page.evaluate("document.querySelectorAll('.pg-root').length") == 1
    assert page.evaluate("document.querySelector('.pg-root')._view === window.__pgLiveView")
    click_button(page, "Pause")
    assert wait_until(lambda: view(page, "!v.playing && v.frame && v.frame.f32"), timeout=30)


def test_a_live_view_on_another_tab_keeps_training_but_paints_only_when_shown_again(page, server_url):
    """A student presses Play and opens the lab tab: the network goes on training, the hidden view paints nothing
    (a hidden view painting at 60 frames/s cost about a core of the student's machine); back on the playground tab,
    the picture shows the epoch reached meanwhile."""
    page.goto(server_url)
    wait_for_live_view(page)
    page.select_option(".pg-speed select", "10")
    click_button(page, "Play")
    assert wait_until(lambda: shown_epoch(page) >= 50, timeout=60)
    page.get_by_role("tab", name="Depth × width lab").click()
    page.get_by_role("button", name="Run sweep", exact=True).wait_for(timeout=30_000)
    animation_frames(page, 5)  # the view learns that it is hidden at the next rendering
    paints_hidden, epoch_hidden = paints(page), int(view(page, "v.root.dataset.epoch"))
    assert wait_until(lambda: int(view(page, "v.root.dataset.epoch")) >= epoch_hidden + 200, timeout=60)
    assert paints(page) <= paints_hidden + 1  # a frame in flight when the tab changed, at most
    assert view(page, "v.playing") is True
    kept = int(view(page, "v.root.dataset.epoch"))

    page.get_by_role("tab", name="Playground").click()
    assert wait_until(lambda: paints(page) > paints_hidden + 5, timeout=30)
    assert shown_epoch(page) >= kept  # the picture and the status line caught up with the training
    click_button(page, "Pause")
    assert wait_until(lambda: view(page, "!v.playing && v.frame && v.frame.f32"), timeout=30)


def test_discretize_acts_in_the_browser_at_once_and_the_server_keeps_it(page, server_url):
    """'Discretize output' only changes how the page colours the map: the click flips it in the same task (no answer
    awaited), the map is repainted, and the page run that follows keeps the value (static part, link)."""
    page.goto(server_url)
    wait_for_live_view(page)
    click_button(page, "Play")
    assert wait_until(lambda: shown_epoch(page) >= 30, timeout=60)
    click_button(page, "Pause")
    box = page.locator(".st-key-discretize input[type='checkbox']")
    box.wait_for(state="attached", timeout=60_000)  # More settings come after the first paint
    assert wait_until(lambda: view(page, "!v.playing && v.frame && v.frame.f32"), timeout=60)
    before, version = boundary_pixels(page), view(page, "v.spec.version")
    flipped = page.evaluate("""() => { document.querySelector(".st-key-discretize input[type='checkbox']").click();
                                       return document.querySelector('.pg-root')._view.spec.discretize; }""")
    assert flipped is True  # in the click's own task: nothing came from the server yet
    animation_frames(page, 5)
    assert boundary_pixels(page) != before
    # the server's own static part (a new version) says discretize too
    assert wait_until(lambda: view(page, f"v.spec.version !== {version!r} && v.spec.discretize === true"),
                      timeout=60), (box.is_checked(), view(page, "v.spec.version"))
    assert wait_until(lambda: "discretize=true" in page.url.lower() or "discretize=1" in page.url, timeout=30), \
        (page.url, box.is_checked())


def test_shared_url_shows_its_settings(page, server_url):
    page.goto(server_url + "/?dataset=xor&layers=3,3&activation=relu")
    wait_for_live_view(page)
    # More settings come after the first paint, each kind of widget when its script is in: wait for those read here
    for selector in (".st-key-activation_1 input", ".st-key-width_1 input", ".st-key-dataset input"):
        page.locator(selector).wait_for(timeout=60_000)
    page.get_by_text("Layer 2", exact=True).wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "Layer 2" in body and "Layer 3" not in body
    chosen = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-testid=stSelectbox] input')]
                                 .map(i => [i.getAttribute('aria-label'), i.value]))""")
    widths = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stNumberInput] input')]
                                 .map(i => [i.getAttribute('aria-label'), i.value])""")
    assert ["Hidden layers", "2"] in widths
    assert ["Neurons in layer 1", "3"] in widths and ["Neurons in layer 2", "3"] in widths
    assert chosen["Data set"] == "xor"
    assert chosen["Activation 1"] == chosen["Activation 2"] == "relu"
    assert "layers=3%2C3" in page.url or "layers=3,3" in page.url
    assert view(page, "v.spec.sizes") == [2, 3, 3, 1]


# (query, head): each activation once, the four output heads in turn
HEADS = (("", "sigmoid_ce"), ("dataset=spiral&classes=3&", "softmax_ce"), ("dataset=plane&", "linear_mse"),
         ("output=tanh_mse&", "tanh_mse"))


@pytest.mark.parametrize("index,activation", list(enumerate(ACTIVATION_NAMES)))
def test_every_activation_and_head_is_painted(page, server_url, index, activation):
    query, head = HEADS[index % len(HEADS)]
    page.goto(f"{server_url}/?{query}activation={activation}&layers=4,3")
    wait_for_live_view(page)
    assert view(page, "[v.spec.head, v.spec.activations]") == [head, [activation, activation]]
    colours = page.evaluate("""() => { const c = document.querySelector('canvas.pg-output');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, seen = new Set();
        for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return seen.size; }""")
    assert colours > 50  # a map and its points, not a blank or one-colour canvas
    neuron = page.evaluate(f"""() => {{ const v = {VIEW}, p = v.g.pos[1][0], n = Math.floor(v.g.node);
        const d = v.ctx.getImageData(Math.ceil(p[0]) + 1, Math.ceil(p[1]) + 1, n - 3, n - 3).data, seen = new Set();
        for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return seen.size; }}""")
    assert neuron > 3  # the first hidden neuron's own map
    if head == "softmax_ce":
        assert view(page, "v.spec.classes") == 3


def test_hover_shows_weights_and_biases_and_a_click_edits_one_while_paused(page, server_url):
    page.goto(server_url + "/?dataset=xor&layers=3,2")
    wait_for_live_view(page)
    box = page.locator("canvas.pg-network").bounding_box()
    g = view(page, "({pos: v.g.pos, inputs: v.g.inputs, node: v.g.node, "
                   "scale: v.net.getBoundingClientRect().width / v.net.width})")
    s, n = g["scale"], g["node"]
    neuron = g["pos"][1][0]
    page.mouse.move(box["x"] + (neuron[0] + n / 2) * s, box["y"] + (neuron[1] + n / 2) * s)
    assert wait_until(lambda: "bias" in page.locator(".pg-tip").inner_text(), timeout=5)
    a, b = g["inputs"][0], g["pos"][1][1]  # the link from x1 to layer 1's second neuron, a fifth of the way along
    p0, p3 = (a[0] + n, a[1] + n / 2), (b[0], b[1] + n / 2)
    bend = min(40, (p3[0] - p0[0]) / 3)
    p1, p2 = (p0[0] + bend, p0[1]), (p3[0] - bend, p3[1])
    t = 0.2
    x, y = ((1 - t) ** 3 * p0[i] + 3 * (1 - t) ** 2 * t * p1[i] + 3 * (1 - t) * t * t * p2[i] + t ** 3 * p3[i]
            for i in (0, 1))
    page.mouse.move(box["x"] + x * s, box["y"] + y * s)
    assert wait_until(lambda: "weight" in page.locator(".pg-tip").inner_text(), timeout=5)
    tip = page.locator(".pg-tip").inner_text()
    assert tip.startswith("weight X\u2081") and "layer 1 neuron 2" in tip
    assert float(tip.split(":", 1)[1].split()[0]) == pytest.approx(view(page, "v.params[1]"), abs=1e-3)
    assert "class 0" in page.locator(".pg-legend").inner_text()

    page.mouse.click(box["x"] + x * s, box["y"] + y * s)
    editor = page.locator("input.pg-edit")
    editor.wait_for(state="visible", timeout=5_000)
    batch = view(page, "v.batch")
    editor.fill("1.25")
    editor.press("Enter")
    assert wait_until(lambda: view(page, "v.batch") > batch and view(page, "v.frame.f32 && v.params[1]") == 1.25,
                      timeout=30)  # the server's own network now has it, and the page shows that network


def test_network_plus_and_minus_and_the_data_set_previews(page, server_url):
    page.goto(server_url)
    wait_for_live_view(page)
    page.locator(".pg-pm button[title='add a hidden layer']").click()
    assert wait_until(lambda: view(page, "v.spec.sizes") == [2, 4, 2, 2, 1], timeout=30)
    page.locator(".pg-pm button[title='add a neuron to layer 1']").click()
    assert wait_until(lambda: view(page, "v.spec.sizes") == [2, 5, 2, 2, 1], timeout=30)
    assert wait_until(lambda: "layers=5%2C2%2C2" in page.url or "layers=5,2,2" in page.url, timeout=30)
    page.locator(".pg-dataset", has_text="spiral").click()
    assert wait_until(lambda: view(page, "v.spec.dataset") == "spiral", timeout=30)
    page.locator("canvas.pg-network").click(position=position_of_feature(page, "x1sq"))
    assert wait_until(lambda: view(page, "v.spec.features") == ["x1", "x2", "x1sq"], timeout=30)
    captions = page.locator(".pg-dataset span").all_inner_texts()
    assert "checkerboard" in captions  # whole names, on one line


def position_of_feature(page, name: str) -> dict:
    row = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"].index(name)
    g = view(page, "({pos: v.g.pos, node: v.g.node, scale: v.net.getBoundingClientRect().width / v.net.width})")
    p = g["pos"][0][row]
    return {"x": (p[0] + g["node"] / 2) * g["scale"], "y": (p[1] + g["node"] / 2) * g["scale"]}


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_one_screen_shows_data_features_network_output_epoch_and_play(page, server_url, width, height):
    page.set_viewport_size({"width": width, "height": height})
    try:
        page.goto(server_url + "/?dataset=spiral&layers=8,8,8,8,8,8")
        wait_for_live_view(page)
        page.screenshot(path=f"/tmp/playground_{width}x{height}.png")
        for selector in (".pg-dataset", "canvas.pg-network", "canvas.pg-output", ".pg-status", "button.pg-play",
                         ".pg-pm"):
            b = box_of(page, selector)
            assert b["y"] >= 0 and b["y"] + b["height"] <= height and b["x"] + b["width"] <= width, selector
        assert "Deploy" not in page.inner_text("body")
        size = box_of(page, "canvas.pg-output")["width"]
        assert size >= (250 if width == 1366 else 400)
    finally:
        page.set_viewport_size({"width": 1600, "height": 1300})

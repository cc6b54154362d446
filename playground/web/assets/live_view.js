// The live view: the browser owns Play, Pause, Step and speed, paints one frame per animation frame from a queue of
// snapshots the server sends (playground/web/live_view.py), and asks for more before the queue runs dry.
// What the server is told: the component state `control` (see playground/web/playground_page.py); triggers `edit`
// (a weight or bias typed in while paused), `arch` (+ / - on the network), `pick` (a data set or a feature) and
// `draw` (points drawn on the output map, live_draw.js).

const SPEEDS = [1, 2, 3, 5, 10, 20, 50, 100, 250];
// Ask for ~0.5 s of frames when fewer than ~0.25 s are left, on a quiet server. Every answer costs the browser a
// Streamlit re-render and the server a fragment run; a change of learning rate or speed does not wait for the frames
// held (the server goes back to about the frame on screen, live_player._catch_up), so holding more costs nothing.
// Measured against 0.25 / 0.12, alternating, load 1.3-3.4: C1 54.4, 52.8 -> 57.0, 56.1 frames/s at 19.1, 21.0 ->
// 17.4, 18.9 ms of browser CPU a frame and 1.05, 1.14 -> 0.76, 0.73 ms of server CPU; C2 alike (44-49 frames/s).
const AHEAD_S = 0.5, LOW_S = 0.25;
const MAX_FRAMES = 40;                // the most frames one answer carries (live_player.MAX_FRAMES)

function el(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function build(parentElement) {
  const root = el("div", "pg-root", parentElement);
  const bar = el("div", "pg-bar", root);
  const v = {root, queue: [], playing: false, speed: 1, shown: null, seq: 0, fps: 60, lastTick: 0, batch: -1,
             curve: {epochs: [], train: [], test: []}, stepTarget: null, requested: null, requestedAt: 0};
  v.play = el("button", "pg-play", bar, "Play");
  v.step = el("button", "pg-step", bar, "Step");
  v.step.title = "train exactly one epoch";
  const speedLabel = el("label", "pg-speed", bar, "speed ");
  v.speedSelect = el("select", "", speedLabel);
  SPEEDS.forEach(s => { const o = el("option", "", v.speedSelect, `${s} epoch${s > 1 ? "s" : ""}/frame`); o.value = s; });
  v.status = el("div", "pg-status", bar, "Epoch 0");
  v.rateLine = el("div", "pg-rate", bar);   // on the status line: a line under the map pushed the curve off a projector
  const main = el("div", "pg-main", root);
  const left = el("div", "pg-left", main);   // the data sets, and below them the per-class view
  v.data = el("div", "pg-data", left);
  v.perClass = el("div", "pg-perclass", left);
  const wrap = el("div", "pg-netwrap", main);
  v.netBack = document.createElement("canvas");   // the input column on the page's colour, painted once per layout
  v.net = el("canvas", "pg-network", wrap);
  v.controls = el("div", "pg-netctl", wrap);
  v.tip = el("div", "pg-tip", wrap);
  v.editor = el("input", "pg-edit", wrap);
  v.editor.type = "number"; v.editor.step = "0.01";
  const side = v.side = el("div", "pg-side", main);
  v.drawHome = el("div", "pg-side-head", side);   // the heading and the draw tools share one row above the map
  el("div", "pg-heading", v.drawHome, "OUTPUT");
  v.output = el("canvas", "pg-output", side);
  v.legend = el("div", "pg-legend", side);
  buildDrawTools(v);
  v.curveCaption = el("div", "pg-caption", side);
  v.curveCanvas = el("canvas", "pg-curve", side);
  // Opaque canvases (alpha: false): the compositor copies them instead of blending them over the page, and skips
  // what lies beneath. Each frame starts from the background canvas instead of a transparent clear.
  v.ctx = v.net.getContext("2d", {alpha: false});
  v.output.getContext("2d", {alpha: false});   // the first call fixes a canvas's attributes
  v.mapCanvas = document.createElement("canvas");   // the 100 x 100 output map, scaled onto the visible canvas
  v.points = document.createElement("canvas");      // the data points, drawn once per data set and size
  v.atlas = document.createElement("canvas");       // every neuron's thumbnail side by side
  v.play.addEventListener("click", () => v.playing ? pause(v) : play(v));
  v.step.addEventListener("click", () => step(v));
  v.speedSelect.addEventListener("change", () => changeSpeed(v, Number(v.speedSelect.value)));
  attachPointer(v);
  window.addEventListener("resize", () => { if (v.spec) layout(v); });   // layout repaints the frame on screen
  // On another tab (the lab's; the playground's tab stays on the page, hidden), the view keeps up with its frames,
  // since training goes on, but paints nothing until shown again: a hidden view painting at 60 frames/s cost about a
  // core of the student's machine. Scrolled out of view is not hidden. (The GAN tab is drawn only while open.)
  // An IntersectionObserver calls back when the view enters or leaves the screen, a ResizeObserver when its box goes
  // to nothing (display: none while it was scrolled out of view): either asks whether it is shown.
  const seen = () => {
    v.hidden = !v.root.checkVisibility();   // display: none somewhere above
    if (!v.hidden && v.frame) v.dirty = true;   // shown again: the latest frame at the next animation frame
  };
  new IntersectionObserver(seen).observe(root);
  new ResizeObserver(seen).observe(root);
  window.__pgLiveView = v;   // the view mounted now, for the page-level listener below and a remount (adopt)
  listenToDiscretize();
  root._view = v;
  keepGoing(v);
  return v;
}

// "Discretize output" (a Streamlit checkbox under More settings) only changes how the browser colours the map: it acts
// here at once, on the next painted frame, instead of after the page run it starts (~0.3-0.4 s); that page run then
// brings the same value in the static part, and keeps it in the link.
function listenToDiscretize() {
  if (window.__pgDiscretizeListener) return;   // once per page: it acts on whichever view is mounted now
  window.__pgDiscretizeListener = true;
  document.addEventListener("change", event => {
    const box = event.target, v = window.__pgLiveView;
    if (!v || !v.spec || !box || !box.closest || !box.closest(".st-key-discretize") || box.type !== "checkbox") return;
    v.spec.discretize = box.checked;
    v.dirty = true;
  }, true);
}

// --- talking to the server --------------------------------------------------------------------------------------------

function sendControl(v, fields, viaFeed) {
  v.seq += 1;
  const last = v.queue.length ? v.queue[v.queue.length - 1].epoch : v.shown;
  const control = {playing: v.playing, speed: v.speed, shown: v.shown, last, want: v.shown, run: v.run,
                   have: v.spec ? v.spec.version : null, seq: v.seq, fps: Math.round(v.fps), ...fields};
  if (viaFeed && v.feed) fetchFrames(v, control);
  else v.component.setStateValue("control", control);
}

// While playing, more frames come from the app's frame route (`live_feed.py`) instead of a rerun of the server's
// fragment: the same answer without a Streamlit script run. The header of every message from the fragment says
// whether the route may be used now (`feed`); the route itself may answer `sync` (the page owes a run), and then, as
// after any failure, the request goes through the fragment.
function fetchFrames(v, control) {
  const feed = v.feed;
  const body = JSON.stringify({session: feed.session, token: feed.token, control});
  fetch(feed.url, {method: "POST", headers: {"Content-Type": "application/json"}, body, cache: "no-store",
                   credentials: "same-origin"})
    .then(response => response.ok ? response.json() : null)
    .catch(() => null)
    .then(answer => {
      if (!v.root.isConnected) return;
      const answered = Array.isArray(answer);
      if (answered) { v.fed = (v.fed || 0) + 1; receive(v, answer, true); }
      else if (v.feed === feed) v.feed = null;   // through the fragment until its next message offers it again
      if (!control.playing) {   // Pause: the page runs too (panels, link), unless another control came since
        if (!v.playing && v.seq === control.seq) sendControl(v, {want: control.want});
      } else if (!answered && v.playing && v.requested === control.want) sendControl(v, {want: control.want});
    });
}

function play(v) {
  v.playing = true; v.stepTarget = null; v.queue = [];
  updateButtons(v);
  requestMore(v, performance.now(), true, {});   // through the fragment: the page follows Play
}

function pause(v) {   // the picture stops at once; the server goes back to the epoch shown
  v.playing = false; v.queue = []; v.requested = null;
  updateButtons(v);
  sendControl(v, {want: v.shown}, true);   // the frame route answers at once; the page's own run follows
}

function step(v) {    // a target epoch, never "one more": a message that arrives twice trains once
  if (v.playing) { pause(v); return; }
  v.stepTarget = Math.max(v.shown, v.stepTarget ?? v.shown) + 1;
  sendControl(v, {want: v.stepTarget});
}

// A busy server answers slowly (thirty students on two cores: a second or more). The page then asks earlier and for
// more frames at once (`rtt`, the answer time, smoothed), so that one request is always on its way and each costs the
// server one run for many frames; on a quiet server that stays ~0.5 s ahead.
// It asks again only after RETRY_MS (or three answer times) without an answer: every request reruns the server's
// fragment and a rerun drops the run in progress, so quick repeats on a busy server made nearly every run a loss.
const RETRY_MS = 2500;
const retryMs = v => Math.max(RETRY_MS, 3000 * (v.rtt || 0));

// A new speed shows at once: the server goes back to about the frame painted when its answer arrives and trains on
// from there at the new speed (`restart`); the frames held past that point are replaced.
function changeSpeed(v, speed) {
  v.speed = speed;
  if (v.playing) requestMore(v, performance.now(), true, {restart: true});
}

function requestMore(v, now, force, fields) {
  const last = v.queue.length ? v.queue[v.queue.length - 1].epoch : v.shown, rtt = v.rtt || 0;
  const low = Math.max(LOW_S, 1.25 * rtt), retry = retryMs(v);
  if (!force && (v.queue.length > v.fps * low || (v.requested !== null && now - v.requestedAt < retry))) return;
  const count = Math.min(MAX_FRAMES, Math.max(2, Math.ceil(v.fps * Math.max(AHEAD_S, 2.5 * rtt))));
  v.requested = last + v.speed * count; v.requestedAt = now;
  sendControl(v, {want: v.requested, ...fields}, !fields);   // a new speed goes through the fragment
}

function updateButtons(v) {
  v.play.textContent = v.playing ? "Pause" : "Play";
  v.play.classList.toggle("pg-playing", v.playing);
}

// --- receiving ----------------------------------------------------------------------------------------------------------

function receive(v, message, fromFeed) {
  const [header, ...frames] = message;
  if (!header || header.batch === v.batch) return;   // the same message drawn again by a page run
  if (fromFeed && header.run !== v.run) { v.requested = null; return; }   // from before a reset: ask again
  v.batch = header.batch;
  if (!fromFeed) v.feed = header.feed || null;
  if (header.static) setSpec(v, header.static);
  else if (!v.spec || header.version !== v.spec.version) { sendControl(v, {have: null}); return; }
  const newRun = header.run !== v.run;
  if (newRun) { v.run = header.run; v.queue = []; v.stepTarget = null; v.curve = emptyCurve(); }
  if (header.curve) v.curve = header.curve;
  if (header.stop && v.playing) {
    v.playing = false; updateButtons(v);
    if (fromFeed) sendControl(v, {want: v.shown});   // the server stopped (divergence): the page runs to say why
  }
  if (header.note) {             // nothing could train yet (compiling): say so, and ask again soon
    setText(v.status, `Epoch ${(v.shown || 0).toLocaleString("en-US")} · ${header.note}`);
    v.requestedAt -= retryMs(v) - 300;
  }
  if (!frames.length) return;
  if (!header.playing) {         // a paused state: exactly the server's network, shown now
    if (v.playing && !header.stop) return;   // an older answer from before Play
    v.queue = []; v.pending = frames[frames.length - 1];
    v.stepTarget = null;
    return;
  }
  if (!v.playing) return;        // frames that were on their way when Pause was pressed
  // Frames from the epoch where the server went back (a new learning rate or speed, live_player._catch_up) replace
  // those held from there on; any the page has painted past meanwhile are dropped (the picture never goes back).
  const fresh = newRun ? frames : frames.filter(f => v.shown === null || f.epoch > v.shown);
  if (!fresh.length) { v.requested = null; return; }
  const first = fresh[0].epoch;
  v.queue = v.queue.filter(f => f.epoch < first).concat(fresh);
  if (v.requested !== null) {   // the answer time, smoothed: how far ahead to ask
    const seconds = (performance.now() - v.requestedAt) / 1000;   // the first may include a compile: capped
    v.rtt = v.rtt === undefined ? Math.min(seconds, 0.5) : v.rtt + (seconds < v.rtt ? 0.5 : 0.2) * (seconds - v.rtt);
  }
  v.requested = null;
}

function emptyCurve() { return {epochs: [], train: [], test: []}; }

function setSpec(v, spec) {
  v.spec = spec;
  if (!v.speedFromLink && SPEEDS.includes(spec.speed)) {   // once: the speed a shared link set
    v.speedFromLink = true; v.speed = spec.speed; v.speedSelect.value = String(spec.speed);
  }
  v.params = new Float32Array(parameterCount(spec.sizes));
  v.forward = makeForward(spec, 100);
  buildData(v);
  layout(v);
}

// --- painting -----------------------------------------------------------------------------------------------------------

// The animation loop and the top-follower run while the view is on the page; they end when it is removed, and start
// again if it is put back (adopt in live_input.js).
function keepGoing(v) {
  if (!v.ticking) { v.ticking = true; requestAnimationFrame(t => tick(v, t)); }
  if (!v.following) followTop(v);
}

function tick(v, now) {
  if (!v.root.isConnected) { v.ticking = false; return; }
  if (v.lastTick && v.playing) v.fps = 0.9 * v.fps + 0.1 * Math.min(60, 1000 / Math.max(1, now - v.lastTick));
  v.lastTick = now;
  const next = v.pending || (v.playing && v.queue.length ? v.queue.shift() : null);
  v.pending = null;
  if (next) (v.hidden ? keepUp : show)(v, next);
  else if (v.dirty && v.frame && !v.hidden) show(v, v.frame);
  if (v.playing) requestMore(v, now, false);
  requestAnimationFrame(t => tick(v, t));
}

function keepUp(v, frame) {   // a frame the hidden view does not paint: the state moves on; shown again, it paints
  v.frame = frame; v.frameSpec = v.spec; v.shown = frame.epoch; v.dirty = true;
  addToCurve(v.curve, frame);
  v.root.dataset.epoch = String(frame.epoch);
}

function networkKey(spec) {   // what a frame's weights mean: the same key, the same network
  return JSON.stringify([spec.sizes, spec.features, spec.activations, spec.head]);
}

function show(v, frame) {
  if (!v.spec) return;
  const started = performance.now();
  v.frame = frame; v.dirty = false; v.frameSpec = v.spec;   // the spec this frame was painted with
  decodeParameters(frame.p, frame.f32, v.params);
  const {layers, output} = v.forward(v.params);
  const n = v.forward.n, map = v.mapImage;
  paintOutputPixels(v.spec, output, n, map.pixels, v.spec.discretize);
  if (v.spec.sizes[v.spec.sizes.length - 1] > 1) paintClassMaps(v, output, n);
  v.mapCanvas.getContext("2d").putImageData(map.image, 0, 0);
  const size = v.output.width, octx = v.output.getContext("2d");
  octx.imageSmoothingEnabled = true;
  octx.drawImage(v.mapCanvas, 0, 0, size, size);
  octx.drawImage(v.points, 0, 0);
  const fixed = ALL_FEATURES.length * THUMB;
  paintAtlas(layers.slice(1, -1), n, 4, v.atlasImage.pixels, v.atlas.width, ALL_FEATURES.length);
  v.atlas.getContext("2d").putImageData(v.atlasImage.image, 0, 0, fixed, 0, v.atlas.width - fixed, THUMB);
  paintNetwork(v, v.params);
  v.shown = frame.epoch;
  addToCurve(v.curve, frame);
  v.curveCaption.style.visibility = paintCurve(v.curveCanvas, v.curve, v.curveCanvas.width, v.curveHeight) ? "visible" : "hidden";
  setText(v.status, statusText(v.spec, frame));
  if (frame.rate !== undefined) setText(v.rateLine, `learning rate\nnow ${frame.rate}`);   // two short lines beside the status
  if (frame.per_class !== undefined) {   // rebuilt only when it changed: a new table is a page mutation (see setText)
    const key = JSON.stringify(frame.per_class);
    if (key !== v.perClassKey) { v.perClassKey = key; paintPerClass(v.perClass, frame.per_class); }
  } else if (v.spec.classes === 0 && v.perClass.style.display !== "none") {
    v.perClassKey = null; paintPerClass(v.perClass, null);
  }
  window.__pgPaints = (window.__pgPaints || 0) + 1;   // read by the browser tests and the benchmark
  v.root.dataset.paints = String(window.__pgPaints);
  v.root.dataset.epoch = String(frame.epoch);
  const cost = window.__pgPaintMs = window.__pgPaintMs || {count: 0, total: 0};   // the benchmark reads this
  cost.count += 1; cost.total += performance.now() - started;
}

// Text that changes every frame is written into the element's one text node (a characterData change), never as new
// children: Streamlit's tab panel watches its subtree for child-list changes (react-aria's useHasTabbableChild) and
// answers each one by walking the page with checkVisibility(), which forces a style update mid-frame (profiled:
// ~1 ms of script and a style recalculation per painted frame, benchmarks/profile_browser.py).
function setText(element, text) {
  const node = element.firstChild;
  if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) { if (node.data !== text) node.data = text; }
  else element.textContent = text;
}

function addToCurve(curve, frame) {
  if (frame.train_loss === undefined) return;
  while (curve.epochs.length && curve.epochs[curve.epochs.length - 1] >= frame.epoch) {
    curve.epochs.pop(); curve.train.pop(); curve.test.pop();
  }
  curve.epochs.push(frame.epoch); curve.train.push(frame.train_loss); curve.test.push(frame.test_loss);
  if (curve.epochs.length > 400) {   // keep every other point: the curve stays a few hundred points long
    for (const k of ["epochs", "train", "test"]) curve[k] = curve[k].filter((_, i) => i % 2 === 0 || i === 399);
  }
}

function statusText(spec, frame) {
  let text = `Epoch ${frame.epoch.toLocaleString("en-US")}`;
  const f = x => x === null || x === undefined ? "–" : x.toFixed(3);
  if (frame.train_loss !== undefined) {
    text += ` · train loss ${f(frame.train_loss)} · test loss ${f(frame.test_loss)}`;
    if (spec.classes > 0 && frame.accuracy !== null) text += ` · test accuracy ${(100 * frame.accuracy).toFixed(1)}%`;
  }
  return text;
}

function imageFor(canvas, width, height) {
  canvas.width = width; canvas.height = height;
  const image = new ImageData(width, height);
  image.data.fill(255);
  return {image, pixels: new Uint32Array(image.data.buffer)};
}

// Sizes from the window: the output map and the network fill what is left of the screen below the component's top,
// down to the loss curve, so that the whole stage fits a 1366 x 768 projector. What surrounds the map (the heading and
// draw tools, the legend, the curve) is measured rather than guessed: it changes with the classes and the font size.
const MAP_MIN = 140, MAP_MAX = 560, CURVE_MIN = 48, CURVE_MAX = 100, BOTTOM_GAP = 12;

function layout(v) {
  const spec = v.spec, width = v.root.clientWidth || 1200;
  v.legend.innerHTML = legendHtml(spec);
  v.curveCaption.innerHTML = `loss: <span style="color:#222">&#9644; test</span> <span style="color:#999">` +
    `&#9644; train</span>`;
  refreshDrawTools(v);
  fitLeftColumn(v);
  const size = fitToScreen(v, Math.floor(width * 0.3));
  paintPoints(v.points, spec, size);
  v.mapImage = imageFor(v.mapCanvas, 100, 100);
  const thumbs = ALL_FEATURES.length + spec.sizes.slice(1, -1).reduce((a, b) => a + b, 0);
  v.atlasImage = imageFor(v.atlas, Math.max(1, thumbs) * THUMB, THUMB);
  paintInputThumbs(v);
  const netWidth = Math.max(360, width - v.side.offsetWidth - v.data.parentElement.offsetWidth - 60);
  v.net.width = netWidth; v.net.height = Math.max(260, v.side.offsetHeight);   // as tall as the output column
  v.netBack.width = v.net.width; v.netBack.height = v.net.height;
  v.g = networkLayout(spec, v.net.width, v.net.height);
  v.background = pageColour(v.root);
  paintNetworkBackground(v);
  v.ctx.drawImage(v.netBack, 0, 0);   // resized canvases are cleared to opaque black: the page's colour until a frame
  const octx = v.output.getContext("2d");
  octx.fillStyle = v.background; octx.fillRect(0, 0, v.output.width, v.output.height);
  v.dirty = true;
  buildNetworkControls(v);
  // Resizing the canvases cleared them: paint the frame on screen again now, in this task, when it belongs to this
  // network, rather than at the next animation frame (a blank frame in between showed as a flash, and a reader of the
  // canvas in between saw it empty). A new network's first frame comes with the same message, just after.
  if (v.frame && v.frameSpec && networkKey(v.frameSpec) === networkKey(v.spec)) show(v, v.frame);
}

function pageColour(element) {   // the first opaque background colour from the element up (Streamlit's theme)
  for (let e = element; e && e.nodeType === 1; e = e.parentElement) {
    const colour = getComputedStyle(e).backgroundColor;
    if (colour && colour !== "transparent" && !/rgba\(.*,\s*0\)$/.test(colour)) return colour;
  }
  return "#fff";
}

function documentTop(element) { return element.getBoundingClientRect().top + window.scrollY; }

function pastBottom(element) {   // does the element end below the window's bottom (the page scrolled to its top)?
  return documentTop(element) + element.offsetHeight > window.innerHeight - BOTTOM_GAP;
}

// The data sets in three columns instead of two when the left column (data sets, per-class table) would end below
// the window: under a lesson's text the stage has about 290 px. The network gives up the width.
function fitLeftColumn(v) {
  const left = v.data.parentElement;
  left.classList.remove("pg-wide");
  if (pastBottom(left)) left.classList.add("pg-wide");
}

// The largest map (at most `widest`) whose column, curve included, ends above the window's bottom. Short of height
// (a lesson's text above the stage, presenter mode) the draw tools, the legend and the curve go beside the map when
// that leaves it clearly larger; the curve takes the height left over.
const ASIDE = 150;   // pixels of the column beside the map

function fitToScreen(v, widest) {
  v.laidOutTop = documentTop(v.root);
  const stage = window.innerHeight - BOTTOM_GAP - documentTop(v.side);
  const largest = Math.max(MAP_MIN, Math.min(MAP_MAX, widest));
  const below = fitted(v, false, stage, largest);
  const beside = below < largest ? fitted(v, true, stage, largest) : 0;
  const aside = beside > below + 24, size = aside ? beside : below;
  setMapSize(v, size, CURVE_MIN, aside);
  const spare = aside ? v.output.getBoundingClientRect().bottom - v.curveCanvas.getBoundingClientRect().bottom
                      : stage - v.side.offsetHeight;
  setMapSize(v, size, Math.max(CURVE_MIN, Math.min(CURVE_MAX, CURVE_MIN + Math.floor(spare))), aside);
  return size;
}

function fitted(v, aside, stage, largest) {   // measured twice: the draw tools' row may wrap at another width
  let size = largest;
  for (let pass = 0; pass < 2; pass++) {
    setMapSize(v, size, CURVE_MIN, aside);
    size = Math.max(MAP_MIN, Math.min(largest, Math.floor(stage - (v.side.offsetHeight - size))));
  }
  return size;
}

function setMapSize(v, size, curveHeight, aside) {
  v.side.classList.toggle("pg-beside", aside);
  v.output.width = v.output.height = size;
  // the row above the map wraps at the map's width, never widens the column
  v.side.style.width = `${aside ? size + 8 + ASIDE : size}px`;
  v.side.style.gridTemplateColumns = aside ? `${size}px ${ASIDE}px` : "";
  v.curveHeight = curveHeight;
  v.curveCanvas.width = aside ? ASIDE : size; v.curveCanvas.height = curveHeight;
}

// Content above the stage (a lesson's text, a note) can change height after the layout: follow it, twice a second
// (reading two rectangles; never per frame, where it would force a layout of the page).
function followTop(v) {
  v.following = true;
  const timer = setInterval(() => {
    if (!v.root.isConnected) { clearInterval(timer); v.following = false; return; }
    const left = v.data.parentElement;   // the per-class table arrives with the first frames, after the layout
    const moved = Math.abs(documentTop(v.root) - v.laidOutTop) > 4;
    if (v.spec && (moved || !left.classList.contains("pg-wide") && pastBottom(left))) layout(v);
  }, 500);
}

function paintInputThumbs(v) {   // atlas slots 0..6: every feature over the plane, scaled to its largest magnitude
  const xs = gridCoordinates(v.spec.extent, 100), pixels = v.atlasImage.pixels, w = v.atlas.width;
  ALL_FEATURES.forEach((name, t) => {
    const fn = FEATURE_FUNCTIONS[name];
    let big = 1e-6;
    for (let r = 0; r < THUMB; r++) for (let c = 0; c < THUMB; c++) big = Math.max(big, Math.abs(fn(xs[4 * c], xs[99 - 4 * r])));
    for (let r = 0; r < THUMB; r++) for (let c = 0; c < THUMB; c++) {
      pixels[r * w + t * THUMB + c] = NODE_COLOURS[level(fn(xs[4 * c], xs[99 - 4 * r]) / big)];
    }
  });
  v.atlas.getContext("2d").putImageData(v.atlasImage.image, 0, 0);
}

function legendHtml(spec) {
  if (spec.classes > 2) return `<span>colour: the class it predicts; paler: less sure</span>`;
  const [low, high] = spec.classes === 0 ? ["\u22121", "+1"] : ["class 0", "class 1"];
  return `<span>${low}</span><span class="bar" style="background:linear-gradient(to right, rgb(${NEG}), ` +
    `rgb(${MID}), rgb(${POS}))"></span><span>${high}</span>`;
}

// --- the per-class view beside the loss: test accuracy of each class and the confusion matrix ---------------------------
// A class far below the overall accuracy (`lagging`, chosen by the server) is marked: imbalance hides it otherwise.

function paintPerClass(box, view) {
  box.replaceChildren();
  if (!view) { box.style.display = "none"; return; }
  box.style.display = "";
  el("div", "pg-heading", box, "PER CLASS (TEST)");
  const table = el("table", "pg-confusion", box);
  const head = el("tr", "", table);
  el("th", "", head, "true\\pred.");
  view.matrix.forEach((_, c) => el("th", "", head, String(c)));
  el("th", "", head, "acc.");
  view.matrix.forEach((row, c) => {
    const tr = el("tr", view.lagging.includes(c) ? "pg-lagging" : "", table);
    const name = el("th", "", tr);
    const swatch = el("span", "pg-swatch", name);
    swatch.style.background = `rgb(${CLASS_COLOURS[c % CLASS_COLOURS.length].join(",")})`;
    el("span", "", name, ` ${c}`);
    row.forEach((count, p) => el("td", p === c ? "pg-diag" : "", tr, String(count)));
    const a = view.accuracy[c];
    el("td", "pg-acc", tr, a === null ? "–" : `${(100 * a).toFixed(0)}%`);
  });
  if (view.lagging.length) {
    el("div", "pg-lag-note", box, `class ${view.lagging.join(", ")} far below the overall ` +
       `${(100 * view.overall).toFixed(0)}%: the accuracy hides it`);
  }
}

// The live GAN view: the browser owns Play, Pause, Step, Step D, Step G and the speed, paints one frame per animation
// frame from the snapshots the server sends (playground/web/gan_view.py) and asks for more before they run out, as the
// classifier's live view does (live_view.js). From each frame's weights it computes, with live_forward.js's
// activations and float16 table: the generated samples (the generator on the fixed noise of the header), the
// discriminator's output over the plane, the generator's gradient at each sample (the arrows) and the noise grid bent
// by the generator. What the server is told: the component state `control` (playground/web/gan_player.py) and the
// trigger `draw` (the points of the drawn distribution).

const GAN_SPEEDS = [1, 2, 5, 10, 20, 50, 100, 250];
const GAN_AHEAD_S = 0.25, GAN_LOW_S = 0.12, GAN_RETRY_MS = 2500;
// The discriminator's map: HEAT_N x HEAT_N points, smoothed onto the canvas. Its forward pass is most of a frame's
// arithmetic (2 -> 32 -> 32 -> 1: about 1,100 multiply-adds a point), so 48 x 48 rather than 64 x 64 (-44 %).
const HEAT_N = 48;
const ARROWS = 150;         // samples that get an arrow (of the 500 painted): more only clutter the picture
// palette.LAYERS[0] and [2]: green for real (and where D says "real"), purple for generated (D says "fake")
const REAL_RGB = [27, 158, 119], FAKE_RGB = [117, 112, 179];
const rgb = c => `rgb(${c[0]},${c[1]},${c[2]})`;

function ganEl(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// A network on `count` points at once, neuron-major (a[j * count + p]), buffers allocated once per shape
// (`denseNetwork` in live_forward.js: WebAssembly SIMD where it can). params: per layer the kernel (in, out) row by
// row, then the biases (as model.Params flattened by gan_view.py).
function makeMlp(sizes, activation, count) {
  const network = denseNetwork(sizes, count), last = sizes.length - 1;
  const activations = Array(Math.max(0, last - 1)).fill(activation);
  function run(params) {   // fill run.input (layers[0]) first; returns the output layer
    network.run(params, activations);
    return network.layers[last];
  }
  run.input = network.layers[0];
  run.count = count;
  return run;
}

// D's output as a probability of "real" (least squares: its raw output, clipped), and the derivative of the
// generator's loss with respect to D's output for one sample (gan.g_loss_of per sample).
function realness(loss, out) { return loss === "least_squares" ? Math.min(1, Math.max(0, out)) : 1 / (1 + Math.exp(-out)); }
function lossSlope(loss, out) {
  if (loss === "minimax") return -1 / (1 + Math.exp(-out));
  if (loss === "least_squares") return out - 1;
  return -1 / (1 + Math.exp(out));
}

function buildGan(parentElement) {
  const root = ganEl("div", "gan-root", parentElement);
  const bar = ganEl("div", "gan-bar", root);
  // 10 steps a frame to start: a GAN needs thousands of steps, one a frame would take minutes to show anything
  const v = {root, queue: [], playing: false, speed: 10, shown: null, seq: 0, fps: 60, lastTick: 0, batch: -1,
             curve: emptyGanCurve(), stepTarget: null, requested: null, requestedAt: 0, drawn: []};
  v.play = ganEl("button", "gan-play", bar, "Play");
  v.step = ganEl("button", "gan-step", bar, "Step");
  v.step.title = "one step: k discriminator updates, then one generator update";
  v.stepD = ganEl("button", "gan-step-d", bar, "Step D");
  v.stepD.title = "one discriminator update only: watch the heatmap change";
  v.stepG = ganEl("button", "gan-step-g", bar, "Step G");
  v.stepG.title = "one generator update only: watch the samples move along the arrows";
  const speedLabel = ganEl("label", "gan-speed", bar, "speed ");
  v.speedSelect = ganEl("select", "", speedLabel);
  GAN_SPEEDS.forEach(s => { const o = ganEl("option", "", v.speedSelect, `${s} step${s > 1 ? "s" : ""}/frame`); o.value = s; });
  v.speedSelect.value = String(v.speed);
  v.status = ganEl("div", "gan-status", bar, "Step 0");
  const main = ganEl("div", "gan-main", root);
  const planeBox = ganEl("div", "gan-planebox", main);
  v.plane = ganEl("canvas", "gan-plane", planeBox);
  v.hint = ganEl("div", "gan-hint", planeBox);
  v.clear = ganEl("button", "gan-clear", planeBox, "Clear drawing");
  const side = ganEl("div", "gan-side", main);
  v.legend = ganEl("div", "gan-legend", side);
  v.legend.innerHTML = `<span style="color:${rgb(REAL_RGB)}">&#9679; real</span> ` +
    `<span style="color:${rgb(FAKE_RGB)}">&#9679; generated</span> <span>&#8594; where the generator pulls each sample</span>` +
    `<br><span>background: D(x), <span style="color:${rgb(REAL_RGB)}">real</span> to ` +
    `<span style="color:${rgb(FAKE_RGB)}">fake</span>; thin lines: the noise grid, bent by the generator</span>`;
  ganEl("div", "gan-heading", side, "LOSSES: discriminator, generator");
  v.lossCanvas = ganEl("canvas", "gan-losses", side);
  ganEl("div", "gan-heading", side, "DIVERGENCE ESTIMATE (Jensen-Shannon, real vs generated)");
  v.divCanvas = ganEl("canvas", "gan-divergence", side);
  v.heatCanvas = document.createElement("canvas");
  v.heatCanvas.width = v.heatCanvas.height = HEAT_N;
  v.heatImage = new ImageData(HEAT_N, HEAT_N);
  v.play.addEventListener("click", () => v.playing ? ganPause(v) : ganPlay(v));
  v.step.addEventListener("click", () => ganStep(v, "both"));
  v.stepD.addEventListener("click", () => ganStep(v, "d"));
  v.stepG.addEventListener("click", () => ganStep(v, "g"));
  v.speedSelect.addEventListener("change", () => { v.speed = Number(v.speedSelect.value); });
  v.plane.addEventListener("click", ev => ganDraw(v, ev));
  v.clear.addEventListener("click", () => { v.drawn = []; v.dirty = true; ganDrawHint(v); });
  window.addEventListener("resize", () => { if (v.spec) { ganLayout(v); v.dirty = true; } });
  requestAnimationFrame(t => ganTick(v, t));
  root._view = v;
  return v;
}

// --- talking to the server --------------------------------------------------------------------------------------------

function ganSend(v, fields) {
  v.seq += 1;
  const last = v.queue.length ? v.queue[v.queue.length - 1].step : v.shown;
  v.component.setStateValue("control", {playing: v.playing, speed: v.speed, shown: v.shown, last, want: v.shown,
                                        run: v.run, have: v.spec ? v.spec.version : null, seq: v.seq, ...fields});
}

function ganPlay(v) {
  v.playing = true; v.stepTarget = null; v.queue = [];
  ganButtons(v);
  ganRequest(v, performance.now(), true);
}

function ganPause(v) {
  v.playing = false; v.queue = []; v.requested = null;
  ganButtons(v);
  ganSend(v, {want: v.shown});
}

function ganStep(v, part) {   // a target step, never "one more": a message that arrives twice trains once
  if (v.playing) { ganPause(v); return; }
  v.stepTarget = Math.max(v.shown, v.stepTarget ?? v.shown) + 1;
  ganSend(v, {want: v.stepTarget, part});
}

function ganRequest(v, now, force) {
  const last = v.queue.length ? v.queue[v.queue.length - 1].step : v.shown;
  if (!force && (v.queue.length > v.fps * GAN_LOW_S || (v.requested !== null && now - v.requestedAt < GAN_RETRY_MS))) return;
  const want = last + v.speed * Math.max(2, Math.ceil(v.fps * GAN_AHEAD_S));
  v.requested = want; v.requestedAt = now;
  ganSend(v, {want, first: force});
}

function ganButtons(v) {
  v.play.textContent = v.playing ? "Pause" : "Play";
  v.play.classList.toggle("gan-playing", v.playing);
}

function ganDraw(v, ev) {   // the drawn distribution: each click adds a point; sent once there are three
  if (!v.spec || !v.spec.drawing) return;
  const r = v.plane.getBoundingClientRect(), e = v.spec.extent;
  const x = -e + 2 * e * (ev.clientX - r.left) / r.width, y = e - 2 * e * (ev.clientY - r.top) / r.height;
  if (v.drawn.length >= 400) return;
  v.drawn.push(Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000);
  v.dirty = true;
  ganDrawHint(v);
  if (v.drawn.length >= 6) v.component.setTriggerValue("draw", v.drawn.slice());
}

function ganDrawHint(v) {
  const drawing = v.spec && v.spec.drawing;
  v.hint.style.display = v.clear.style.display = drawing ? "block" : "none";
  if (drawing) v.hint.textContent = v.drawn.length < 6 ? "click on the plane to draw points (at least 3)"
    : `${v.drawn.length / 2} points drawn: click to add more`;
}

// --- receiving ----------------------------------------------------------------------------------------------------------

function ganReceive(v, message) {
  const [header, ...frames] = message;
  if (!header || header.batch === v.batch) return;
  v.batch = header.batch;
  if (header.static) ganSetSpec(v, header.static);
  else if (!v.spec || header.version !== v.spec.version) { ganSend(v, {have: null}); return; }
  if (header.run !== v.run) { v.run = header.run; v.queue = []; v.stepTarget = null; v.curve = emptyGanCurve(); }
  if (header.curve) v.curve = header.curve;
  if (header.stop && v.playing) { v.playing = false; ganButtons(v); }
  if (!frames.length) return;
  if (!header.playing) {
    if (v.playing && !header.stop) return;   // an older answer from before Play
    v.queue = []; v.pending = frames[frames.length - 1]; v.stepTarget = null;
    return;
  }
  if (!v.playing) return;
  const first = frames[0].step;
  v.queue = v.queue.filter(f => f.step < first).concat(frames);
  v.requested = null;
}

function emptyGanCurve() { return {steps: [], d: [], g: [], div_steps: [], div: []}; }

function ganSetSpec(v, spec) {
  v.spec = spec;
  v.gParams = new Float32Array(parameterCount(spec.g_sizes));
  v.dParams = new Float32Array(parameterCount(spec.d_sizes));
  const nz = spec.noise_dim, samples = spec.z.length / nz;
  v.gSamples = makeMlp(spec.g_sizes, spec.g_activation, samples);
  for (let p = 0; p < samples; p++) for (let k = 0; k < nz; k++) v.gSamples.input[k * samples + p] = spec.z[p * nz + k];
  v.gridLines = noiseGrid(spec);
  const gridCount = v.gridLines.reduce((a, line) => a + line.length, 0);
  v.gGrid = makeMlp(spec.g_sizes, spec.g_activation, gridCount);
  let p = 0;
  for (const line of v.gridLines) for (const z of line) { for (let k = 0; k < nz; k++) v.gGrid.input[k * gridCount + p] = z[k]; p++; }
  v.dHeat = makeMlp(spec.d_sizes, spec.d_activation, HEAT_N * HEAT_N);
  const e = spec.extent;
  for (let r = 0; r < HEAT_N; r++) for (let c = 0; c < HEAT_N; c++) {
    v.dHeat.input[r * HEAT_N + c] = -e + 2 * e * (c + 0.5) / HEAT_N;
    v.dHeat.input[HEAT_N * HEAT_N + r * HEAT_N + c] = e - 2 * e * (r + 0.5) / HEAT_N;
  }
  v.dArrows = makeMlp(spec.d_sizes, spec.d_activation, 5 * Math.min(ARROWS, samples));
  v.drawn = spec.drawing ? spec.drawn.slice() : [];
  ganDrawHint(v);
  ganLayout(v);
}

function noiseGrid(spec) {   // lines of the noise space: 11 x 11 lines of 40 points in 2-D, one line of 200 in 1-D
  const span = spec.noise === "uniform" ? 1 : 2.5, lines = [];
  const at = (k, n) => -span + 2 * span * k / (n - 1);
  if (spec.noise_dim === 1) return [Array.from({length: 200}, (_, k) => [at(k, 200)])];
  for (let a = 0; a < 11; a++) {
    lines.push(Array.from({length: 40}, (_, k) => [at(a, 11), at(k, 40)]));
    lines.push(Array.from({length: 40}, (_, k) => [at(k, 40), at(a, 11)]));
  }
  return lines;
}

// --- painting -----------------------------------------------------------------------------------------------------------

function ganTick(v, now) {
  if (!v.root.isConnected) return;
  if (v.lastTick && v.playing) v.fps = 0.9 * v.fps + 0.1 * Math.min(60, 1000 / Math.max(1, now - v.lastTick));
  v.lastTick = now;
  if (v.pending) { ganShow(v, v.pending); v.pending = null; }
  else if (v.playing && v.queue.length) ganShow(v, v.queue.shift());
  else if (v.dirty && v.frame) ganShow(v, v.frame);
  if (v.playing) ganRequest(v, now, false);
  requestAnimationFrame(t => ganTick(v, t));
}

function ganShow(v, frame) {
  if (!v.spec) return;
  const started = performance.now();
  v.frame = frame; v.dirty = false;
  decodeParameters(frame.g, frame.f32, v.gParams);
  decodeParameters(frame.d, frame.f32, v.dParams);
  const fake = v.gSamples(v.gParams), grid = v.gGrid(v.gParams);
  const ctx = v.plane.getContext("2d"), size = v.plane.width;
  paintHeat(v);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(v.heatCanvas, 0, 0, size, size);
  const toPx = (x, y) => [(x + v.spec.extent) / (2 * v.spec.extent) * size, (v.spec.extent - y) / (2 * v.spec.extent) * size];
  paintGrid(ctx, v.gridLines, grid, v.gGrid.count, toPx);
  paintDots(ctx, v.spec.real, toPx, rgb(REAL_RGB));
  const n = v.gSamples.count, pts = [];
  for (let p = 0; p < n; p++) pts.push([fake[p], fake[n + p]]);
  paintDots(ctx, pts, toPx, rgb(FAKE_RGB), true);
  v.arrowCount = paintArrows(v, ctx, pts, toPx);
  if (v.spec.drawing) paintDrawn(ctx, v.drawn, toPx);
  v.shown = frame.step;
  addToGanCurve(v.curve, frame);
  paintGanCurves(v);
  v.status.textContent = ganStatus(frame);
  window.__pgGanPaints = (window.__pgGanPaints || 0) + 1;   // read by the browser tests and the benchmark
  v.root.dataset.paints = String(window.__pgGanPaints);
  v.root.dataset.step = String(frame.step);
  const cost = window.__pgGanPaintMs = window.__pgGanPaintMs || {count: 0, total: 0};
  cost.count += 1; cost.total += performance.now() - started;
}

function paintHeat(v) {
  const out = v.dHeat(v.dParams), px = new Uint32Array(v.heatImage.data.buffer), loss = v.spec.loss;
  for (let p = 0; p < HEAT_N * HEAT_N; p++) {
    const t = realness(loss, out[p]), c = t >= 0.5 ? mix(MID, REAL_RGB, (t - 0.5) * 1.3) : mix(MID, FAKE_RGB, (0.5 - t) * 1.3);
    px[p] = (255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0];
  }
  v.heatCanvas.getContext("2d").putImageData(v.heatImage, 0, 0);
}

function paintGrid(ctx, lines, out, count, toPx) {
  ctx.strokeStyle = `rgba(${FAKE_RGB.join(",")},0.45)`; ctx.lineWidth = 1;
  let p = 0;
  for (const line of lines) {
    ctx.beginPath();
    for (let k = 0; k < line.length; k++, p++) {
      const [x, y] = toPx(out[p], out[count + p]);
      if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
}

function paintDots(ctx, points, toPx, colour, ringed) {   // one path for all dots: one fill, not 500
  ctx.fillStyle = colour; ctx.strokeStyle = "#fff"; ctx.lineWidth = 0.8;
  const r = ringed ? 3 : 2.2;
  ctx.beginPath();
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const [px, py] = toPx(x, y);
    ctx.moveTo(px + r, py); ctx.arc(px, py, r, 0, 2 * Math.PI);
  }
  if (ringed) ctx.stroke();
  ctx.fill();
}

// The generator's pull on the first `m` samples: minus the gradient of its loss with respect to the point, from D
// by central differences (`run`: D on 5 m points, four shifted copies after the points themselves).
function generatorPulls(run, dParams, loss, pts, m) {
  const n = run.count, h = 0.01;
  const shifts = [[0, 0], [h, 0], [-h, 0], [0, h], [0, -h]];
  for (let p = 0; p < m; p++) shifts.forEach(([dx, dy], s) => {
    run.input[s * m + p] = pts[p][0] + dx; run.input[n + s * m + p] = pts[p][1] + dy;
  });
  const out = run(dParams), pulls = [];
  for (let p = 0; p < m; p++) {
    const slope = lossSlope(loss, out[p]);
    const gx = (out[m + p] - out[2 * m + p]) / (2 * h), gy = (out[3 * m + p] - out[4 * m + p]) / (2 * h);
    pulls.push([-slope * gx, -slope * gy]);
  }
  return pulls;
}

// Arrows on the first ARROWS samples, to scale within a frame: the longest is 12% of the plane. Returns how many
// were drawn (the non-zero ones).
function paintArrows(v, ctx, pts, toPx) {
  const m = Math.min(ARROWS, pts.length), pulls = generatorPulls(v.dArrows, v.dParams, v.spec.loss, pts, m);
  let longest = 1e-12;
  for (const [ax, ay] of pulls) if (Number.isFinite(ax) && Number.isFinite(ay)) longest = Math.max(longest, Math.hypot(ax, ay));
  const scale = 0.24 * v.spec.extent / longest;
  ctx.strokeStyle = "rgba(40,40,40,0.85)"; ctx.lineWidth = 1.2;
  let drawn = 0;
  for (let p = 0; p < m; p++) {
    const [ax, ay] = pulls[p];
    if (!Number.isFinite(ax) || !Number.isFinite(ay) || Math.hypot(ax, ay) * scale < 0.01) continue;
    const [x0, y0] = toPx(pts[p][0], pts[p][1]), [x1, y1] = toPx(pts[p][0] + ax * scale, pts[p][1] + ay * scale);
    const angle = Math.atan2(y1 - y0, x1 - x0), head = Math.min(5, 0.4 * Math.hypot(x1 - x0, y1 - y0));
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1);
    ctx.lineTo(x1 - head * Math.cos(angle - 0.5), y1 - head * Math.sin(angle - 0.5));
    ctx.moveTo(x1, y1); ctx.lineTo(x1 - head * Math.cos(angle + 0.5), y1 - head * Math.sin(angle + 0.5));
    ctx.stroke();
    drawn++;
  }
  return drawn;
}

function paintDrawn(ctx, drawn, toPx) {
  ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5;
  for (let k = 0; k + 1 < drawn.length; k += 2) {
    const [x, y] = toPx(drawn[k], drawn[k + 1]);
    ctx.beginPath(); ctx.moveTo(x - 4, y - 4); ctx.lineTo(x + 4, y + 4); ctx.moveTo(x - 4, y + 4); ctx.lineTo(x + 4, y - 4);
    ctx.stroke();
  }
}

function addToGanCurve(curve, frame) {
  while (curve.steps.length && curve.steps[curve.steps.length - 1] >= frame.step) { curve.steps.pop(); curve.d.pop(); curve.g.pop(); }
  while (curve.div_steps.length && curve.div_steps[curve.div_steps.length - 1] >= frame.step) { curve.div_steps.pop(); curve.div.pop(); }
  if (frame.step === 0) return;
  curve.steps.push(frame.step); curve.d.push(frame.dl); curve.g.push(frame.gl);
  if (frame.div !== null) { curve.div_steps.push(frame.step); curve.div.push(frame.div); }
  for (const [xs, ...ys] of [["steps", "d", "g"], ["div_steps", "div"]]) {
    if (curve[xs].length > 600) for (const k of [xs, ...ys]) curve[k] = curve[k].filter((_, i) => i % 2 === 0);
  }
}

const AXIS_PX = 34;   // left margin of the curves, for the axis labels

function paintSeries(ctx, xs, series, w, h, low, high) {
  const x0 = xs[0], x1 = Math.max(xs[xs.length - 1], x0 + 1);
  for (const [values, colour] of series) {
    ctx.strokeStyle = colour; ctx.lineWidth = 1.5; ctx.beginPath();
    let started = false;
    values.forEach((y, i) => {
      if (y === null || !Number.isFinite(y)) return;
      const px = AXIS_PX + (w - AXIS_PX - 4) * (xs[i] - x0) / (x1 - x0), py = h - 4 - (h - 8) * (Math.min(high, Math.max(low, y)) - low) / (high - low);
      if (started) ctx.lineTo(px, py); else { ctx.moveTo(px, py); started = true; }
    });
    ctx.stroke();
  }
}

function paintGanCurves(v) {
  const c = v.curve;
  for (const [canvas, xs, series, range] of [
    [v.lossCanvas, c.steps, [[c.d, rgb(REAL_RGB)], [c.g, rgb(FAKE_RGB)]], null],
    [v.divCanvas, c.div_steps, [[c.div, "#222"]], [0, Math.log(2)]]]) {
    const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = "#ddd"; ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    if (xs.length < 2) continue;
    let [low, high] = range || [Infinity, -Infinity];
    if (!range) for (const [vals] of series) for (const y of vals) if (y !== null && Number.isFinite(y)) { low = Math.min(low, y); high = Math.max(high, y); }
    if (!(high > low)) { high = low + 1; }
    paintSeries(ctx, xs, series, w, h, low, high);
    ctx.fillStyle = "#666"; ctx.font = "11px sans-serif";
    ctx.fillText(high.toFixed(2), 4, 12); ctx.fillText(low.toFixed(2), 4, h - 6);
  }
}

function ganStatus(frame) {
  const f = x => x === null || x === undefined ? "–" : x.toFixed(3);
  return `Step ${frame.step.toLocaleString("en-US")} · D loss ${f(frame.dl)} · G loss ${f(frame.gl)} · divergence ${f(frame.div)}`;
}

function ganLayout(v) {
  const top = Math.max(0, v.root.getBoundingClientRect().top + window.scrollY);
  const width = v.root.clientWidth || 1200, tall = window.innerHeight - top - 60;
  const size = Math.max(260, Math.min(600, tall, Math.floor(width * 0.48)));
  v.plane.width = v.plane.height = size;
  const sideWidth = Math.max(240, Math.min(560, width - size - 30));
  v.lossCanvas.width = v.divCanvas.width = sideWidth;
  v.lossCanvas.height = Math.max(90, Math.floor(size * 0.36)); v.divCanvas.height = Math.max(70, Math.floor(size * 0.26));
  v.dirty = true;
}

// For tests and the console: the generator on noise points, D's output and realness, and the generator's pulls at
// points, from flat float32 parameters (tests/test_gan_forward_js.py checks them against the engine).
window.__pgGanCompute = (spec, g, d, z, points) => {
  const gRun = makeMlp(spec.g_sizes, spec.g_activation, z.length / spec.noise_dim);
  gRun.input.set(z);   // neuron-major: all first noise coordinates, then all second ones
  const fake = Array.from(gRun(Float32Array.from(g)));
  const dRun = makeMlp(spec.d_sizes, spec.d_activation, points.length);
  points.forEach(([x, y], p) => { dRun.input[p] = x; dRun.input[points.length + p] = y; });
  const out = Array.from(dRun(Float32Array.from(d)));
  const pulls = generatorPulls(makeMlp(spec.d_sizes, spec.d_activation, 5 * points.length), Float32Array.from(d),
                               spec.loss, points, points.length);
  return {fake, out, realness: out.map(o => realness(spec.loss, o)), pulls};
};

window.__pgGanMount = function (component) {   // called by gan_loader.js
  const root = component.parentElement.querySelector(".gan-root");
  const v = root ? root._view : buildGan(component.parentElement);
  v.component = component;
  ganReceive(v, component.data || []);
};

"""The live picture: one frame of the network as compact arrays, and the canvas code that paints it in the browser.

Why not images or plotly: a plotly figure of 48 heatmaps takes ~340 ms to redraw and a PNG data-URI ~40 ms of server
CPU to encode (FACTS.md). Here the server only quantises every map to uint8 (a few hundred microseconds) and sends
them base64-encoded; the browser maps bytes through a 256-colour table onto canvases. No streamlit import here: the
UI module registers `LIVE_VIEW_JS` / `LIVE_VIEW_CSS` as a `st.components.v2` component.
"""

from __future__ import annotations

import base64
import functools

import numpy as np

from . import probes
from .config import MULTICLASS_DATASETS, Config
from .datasets import make_dataset
from .session import GRID, MAP_STEP  # GRID: pixels per side of the output map, the grid warmed in the background

NODE_MAP = GRID // MAP_STEP  # 25 pixels per side of each neuron's thumbnail (TF Playground uses 10)
CURVE_POINTS = 200  # most points of the loss curve sent per frame


def quantise(values: np.ndarray, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """Values in [low, high] (clipped) -> uint8 0..255."""
    scaled = (np.clip(values, low, high) - low) * (255.0 / (high - low))
    return (scaled + 0.5).astype(np.uint8)


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


@functools.lru_cache(maxsize=32)
def input_maps(features: tuple[str, ...], extent: float) -> np.ndarray:
    """(F, NODE_MAP, NODE_MAP) uint8: each input feature over the plane, scaled by its largest magnitude."""
    maps = probes.feature_maps_on_grid(features, extent, GRID)[:: GRID // NODE_MAP, :: GRID // NODE_MAP]  # (m, m, F)
    maps = maps / np.maximum(np.abs(maps).max(axis=(0, 1)), 1e-6)
    return quantise(maps).transpose(2, 0, 1).copy()


# The canvas's colours (LIVE_VIEW_JS), for the few small images the server draws itself.
_NEG, _MID, _POS = np.array([245, 147, 34]), np.array([232, 234, 235]), np.array([8, 119, 189])
_CLASS_RGB = np.array([[245, 147, 34], [8, 119, 189], [44, 160, 44], [214, 39, 40], [148, 103, 189]], np.uint8)


def colourise(values: np.ndarray) -> np.ndarray:
    """uint8 values (0 = orange, 128 = grey, 255 = blue) -> (..., 3) uint8 RGB, as the canvas paints them."""
    v = values.astype(np.float32)[..., None] / 127.5 - 1.0
    rgb = np.where(v < 0, _MID + (_NEG - _MID) * -v, _MID + (_POS - _MID) * v)
    return (rgb + 0.5).astype(np.uint8)


@functools.lru_cache(maxsize=32)
def feature_thumbnail(name: str, extent: float = 6.0) -> np.ndarray:
    """(NODE_MAP, NODE_MAP, 3) RGB: one input feature over the plane, for its toggle."""
    return colourise(input_maps((name,), extent)[0])


@functools.lru_cache(maxsize=64)
def dataset_preview(name: str, classes: int = 2, size: int = 64) -> np.ndarray:
    """(size, size, 3) RGB thumbnail of a data set's points, for the picker."""
    config = Config(dataset=name, classes=classes if name in MULTICLASS_DATASETS else 2, points=400)
    d = make_dataset(config)
    points, labels = np.concatenate([d.points_train, d.points_test]), np.concatenate([d.y_train, d.y_test])
    image = np.full((size, size, 3), 248, np.uint8)
    px = np.clip(((points[:, 0] + d.extent) / (2 * d.extent) * (size - 2)).astype(int), 0, size - 2)
    py = np.clip(((d.extent - points[:, 1]) / (2 * d.extent) * (size - 2)).astype(int), 0, size - 2)
    if config.problem == "regression":
        colours = colourise(quantise(labels))
    else:
        colours = _CLASS_RGB[labels % len(_CLASS_RGB)]
    for dx in (0, 1):  # 2 x 2 dots
        for dy in (0, 1):
            image[py + dy, px + dx] = colours
    return image


def output_map(output: np.ndarray, head: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(GRID, GRID) uint8 value in [-1, 1] (class 1 = +1), and for k classes the (GRID, GRID) winning class."""
    if head == "softmax_ce":
        k = output.shape[-1]
        confidence = (output.max(-1) - 1.0 / k) / (1.0 - 1.0 / k)  # 0 = undecided, 1 = sure
        return quantise(confidence, 0.0, 1.0), output.argmax(-1).astype(np.uint8)
    value = output[..., 0]
    if head == "sigmoid_ce":
        value = 2.0 * value - 1.0
    return quantise(value), None


def _points(points: np.ndarray, labels: np.ndarray) -> list:
    """[[x, y, label], ...] rounded for a small JSON message."""
    return np.round(np.column_stack([points, labels]).astype(np.float64), 3).tolist()


def _curve(values: np.ndarray) -> list:
    if len(values) > CURVE_POINTS:
        values = values[np.linspace(0, len(values) - 1, CURVE_POINTS).astype(int)]
    return np.round(values.astype(np.float64), 5).tolist()


def frame(session, show_test: bool = False, discretize: bool = False, whole: bool = True) -> dict:
    """Everything the canvas needs for one painted frame of `session` (JSON-serialisable, ~60 kB for 6x8).

    `whole=False` leaves out what a fragment run cannot change (network shape, data points, display options): the
    canvas takes those from the run's first frame."""
    config, arch, dataset = session.config, session.arch, session.dataset
    hidden, output = session.grid(GRID, MAP_STEP)
    hidden_maps = [quantise(h).transpose(2, 0, 1) for h in hidden]       # [(width, m, m)]
    value, winner = output_map(output, arch.head)
    layers = probes.weights(session.params)
    history = session.history
    changing = {
        "nodes": _b64(np.concatenate([input_maps(tuple(config.features), dataset.extent), *hidden_maps])),
        "output": _b64(value),
        "winner": None if winner is None else _b64(winner),
        "weights": [np.round(np.asarray(w, np.float64), 3).T.tolist() for w, _ in layers],  # per layer: [out][in]
        "biases": [np.round(np.asarray(b, np.float64), 3).tolist() for _, b in layers],     # per layer: [out]
        "train_loss": _curve(history.train_loss),
        "test_loss": _curve(history.test_loss),
        "epoch": session.epoch,
    }
    if not whole:
        return changing
    return {
        "sizes": list(arch.sizes),
        "features": list(config.features),
        "activations": list(arch.activations),
        "head": arch.head,
        "classes": config.n_classes,
        "node_map": NODE_MAP,
        "grid": GRID,
        "extent": dataset.extent,
        "train": _points(dataset.points_train, dataset.y_train),
        "test": _points(dataset.points_test, dataset.y_test) if show_test else [],
        "discretize": discretize,
    } | changing


LIVE_VIEW_CSS = """
.pg-root { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; font-family: sans-serif; }
.pg-root canvas { display: block; }
.pg-side { display: flex; flex-direction: column; gap: 8px; }
.pg-caption { font-size: 16px; color: #555; }
.pg-legend { display: flex; align-items: center; gap: 6px; font-size: 14px; color: #555; }
.pg-legend span.bar { display: inline-block; width: 200px; height: 12px;
  background: linear-gradient(to right, rgb(245,147,34), rgb(232,234,235), rgb(8,119,189)); }
.pg-tip { position: absolute; pointer-events: none; background: rgba(30,30,30,0.9); color: #fff; font-size: 14px;
  padding: 3px 7px; border-radius: 4px; display: none; white-space: nowrap; }
.pg-netwrap { position: relative; }
"""

LIVE_VIEW_JS = r"""
const OUTPUT_SIZE = 440;
const NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189];
const CLASS_COLOURS = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [214, 39, 40], [148, 103, 189]];

function mix(a, b, t) { return [0, 1, 2].map(i => Math.round(a[i] + (b[i] - a[i]) * t)); }
const LUT = new Uint8ClampedArray(256 * 3);
for (let i = 0; i < 256; i++) {
  const v = i / 127.5 - 1, c = v < 0 ? mix(MID, NEG, -v) : mix(MID, POS, v);
  LUT.set(c, 3 * i);
}
function decode(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
function imageOf(bytes, offset, n, colour) {   // colour(byte, pixel index) -> [r, g, b]
  const img = new ImageData(n, n), px = img.data;
  for (let p = 0; p < n * n; p++) {
    const c = colour(bytes[offset + p], p);
    px[4 * p] = c[0]; px[4 * p + 1] = c[1]; px[4 * p + 2] = c[2]; px[4 * p + 3] = 255;
  }
  return img;
}
const lutColour = b => [LUT[3 * b], LUT[3 * b + 1], LUT[3 * b + 2]];
function blit(ctx, img, x, y, size, scratch) {
  scratch.width = img.width; scratch.height = img.height;
  scratch.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, x, y, size, size);
}

function layout(sizes, width) {
  const most = Math.max(...sizes);
  const node = Math.max(14, Math.min(48, Math.floor(600 / most) - 8));
  const gap = Math.max(4, Math.round(node * 0.3));
  const height = Math.max(260, most * (node + gap) + 40);
  const cols = sizes.length, left = 70, right = width - 30;
  const xs = sizes.map((_, i) => left + (right - left) * i / (cols - 1));
  const pos = sizes.map((n, i) => Array.from({length: n}, (_, j) =>
      [xs[i] - node / 2, 30 + (height - 40 - n * (node + gap)) / 2 + j * (node + gap)]));
  return {node, height, pos};
}

function paintNetwork(canvas, d, nodes, scratch, outputCanvas, available) {
  // as wide as the page allows beside the output map (never wrapping below it), at most 160 px per column
  const width = Math.max(420, Math.min(160 * d.sizes.length, available - OUTPUT_SIZE - 40));
  const {node, height, pos} = layout(d.sizes, width);
  if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, width, height);
  // links: colour = sign, width = magnitude
  let biggest = 1e-6;
  d.weights.forEach(W => W.forEach(row => row.forEach(w => { biggest = Math.max(biggest, Math.abs(w)); })));
  d.weights.forEach((W, l) => W.forEach((row, j) => row.forEach((w, i) => {
    const a = pos[l][i], b = pos[l + 1][j];
    ctx.strokeStyle = w < 0 ? "rgba(245,147,34,0.85)" : "rgba(8,119,189,0.85)";
    ctx.lineWidth = Math.max(0.3, 5 * Math.abs(w) / biggest);
    ctx.beginPath(); ctx.moveTo(a[0] + node, a[1] + node / 2);
    ctx.bezierCurveTo(a[0] + node + 30, a[1] + node / 2, b[0] - 30, b[1] + node / 2, b[0], b[1] + node / 2);
    ctx.stroke();
  })));
  // every neuron as its own activation map; the output column as a small copy of the big map
  const m = d.node_map;
  let k = 0;
  ctx.font = "14px sans-serif"; ctx.fillStyle = "#333"; ctx.textAlign = "right";
  for (let l = 0; l < d.sizes.length - 1; l++) {
    pos[l].forEach((p, j) => {
      blit(ctx, imageOf(nodes, k * m * m, m, lutColour), p[0], p[1], node, scratch); k++;
      ctx.strokeStyle = "#666"; ctx.lineWidth = 1; ctx.strokeRect(p[0], p[1], node, node);
      if (l === 0) ctx.fillText(d.features[j], p[0] - 6, p[1] + node / 2 + 5);
    });
  }
  ctx.textAlign = "center"; ctx.font = "15px sans-serif";
  for (let l = 1; l < d.sizes.length - 1; l++) {
    const p = pos[l][0];
    ctx.fillText(d.activations[l - 1], p[0] + node / 2, 18);
  }
  ctx.fillText("input", pos[0][0][0] + node / 2, 18);
  const out = pos[pos.length - 1];
  ctx.fillText("output", out[0][0] + node / 2, 18);
  out.forEach(p => { ctx.drawImage(outputCanvas, p[0], p[1], node, node); ctx.strokeRect(p[0], p[1], node, node); });
  // biases: a small square at each neuron's lower left, coloured by sign, as large as its size
  let bigBias = 1e-6;
  (d.biases || []).forEach(B => B.forEach(b => { bigBias = Math.max(bigBias, Math.abs(b)); }));
  (d.biases || []).forEach((B, l) => B.forEach((b, j) => {
    const p = pos[l + 1][j], s = 3 + 6 * Math.abs(b) / bigBias;
    ctx.fillStyle = b < 0 ? "rgb(245,147,34)" : "rgb(8,119,189)";
    ctx.fillRect(p[0] - s - 2, p[1] + node - s, s, s);
  }));
  canvas._geometry = {pos, node, weights: d.weights, biases: d.biases || [], features: d.features};
}

function distanceToSegment(x, y, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1], t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) /
      (dx * dx + dy * dy || 1)));
  return Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy);
}

function bezierPoints(a, b, node) {   // the drawn link, sampled
  const p0 = [a[0] + node, a[1] + node / 2], p3 = [b[0], b[1] + node / 2];
  const p1 = [p0[0] + 30, p0[1]], p2 = [p3[0] - 30, p3[1]];
  return Array.from({length: 13}, (_, k) => {
    const t = k / 12, u = 1 - t;
    return [0, 1].map(i => u * u * u * p0[i] + 3 * u * u * t * p1[i] + 3 * u * t * t * p2[i] + t * t * t * p3[i]);
  });
}

function describe(g, x, y) {
  // a neuron under the pointer: its bias; else the nearest link within 4 px: its weight
  for (let l = 1; l < g.pos.length; l++) {
    for (let j = 0; j < g.pos[l].length; j++) {
      const p = g.pos[l][j];
      if (x >= p[0] && x <= p[0] + g.node && y >= p[1] && y <= p[1] + g.node) {
        const name = l === g.pos.length - 1 ? "output" : `layer ${l}, neuron ${j + 1}`;
        return `${name}: bias ${g.biases[l - 1][j].toFixed(3)}`;
      }
    }
  }
  let best = null, bestDistance = 4;
  g.weights.forEach((W, l) => W.forEach((row, j) => row.forEach((w, i) => {
    const pts = bezierPoints(g.pos[l][i], g.pos[l + 1][j], g.node);
    for (let k = 1; k < pts.length; k++) {
      const dist = distanceToSegment(x, y, pts[k - 1], pts[k]);
      if (dist < bestDistance) { bestDistance = dist; best = [l, i, j, w]; }
    }
  })));
  if (!best) return null;
  const [l, i, j, w] = best;
  const from = l === 0 ? g.features[i] : `layer ${l} neuron ${i + 1}`;
  const to = l === g.pos.length - 2 ? "output" : `layer ${l + 1} neuron ${j + 1}`;
  return `weight ${from} \u2192 ${to}: ${w.toFixed(3)}`;
}

function attachHover(canvas, tip) {
  canvas.addEventListener("mousemove", ev => {
    const g = canvas._geometry, r = canvas.getBoundingClientRect();
    const x = (ev.clientX - r.left) * canvas.width / r.width, y = (ev.clientY - r.top) * canvas.height / r.height;
    const text = g && describe(g, x, y);
    tip.style.display = text ? "block" : "none";
    if (text) { tip.textContent = text; tip.style.left = `${x + 12}px`; tip.style.top = `${y + 12}px`; }
  });
  canvas.addEventListener("mouseleave", () => { tip.style.display = "none"; });
}

function paintOutput(canvas, d, scratch) {
  const size = OUTPUT_SIZE, n = d.grid;
  canvas.width = size; canvas.height = size;
  const ctx = canvas.getContext("2d");
  const value = decode(d.output), winner = d.winner ? decode(d.winner) : null;
  let colour;
  if (winner) {
    colour = (b, p) => mix(MID, CLASS_COLOURS[winner[p]], d.discretize ? 0.85 : 0.15 + 0.7 * b / 255);
  } else {
    colour = d.discretize ? (b => lutColour(b >= 128 ? 230 : 25)) : lutColour;
  }
  blit(ctx, imageOf(value, 0, n, colour), 0, 0, size, scratch);
  const e = d.extent, toPx = (x, y) => [(x + e) / (2 * e) * size, (e - y) / (2 * e) * size];
  const dot = (pts, stroke) => pts.forEach(([x, y, c]) => {
    const [px, py] = toPx(x, y);
    const fill = d.head === "linear_mse" || d.head === "tanh_mse" && d.classes === 0
      ? lutColour(Math.max(0, Math.min(255, Math.round((c + 1) * 127.5)))) : CLASS_COLOURS[c] || POS;
    ctx.fillStyle = `rgb(${fill[0]},${fill[1]},${fill[2]})`;
    ctx.strokeStyle = stroke; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.arc(px, py, 4, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
  });
  dot(d.train, "#fff");
  dot(d.test, "#000");
}

function paintCurve(canvas, d) {
  const w = OUTPUT_SIZE, h = 110;
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, w, h);
  const all = d.train_loss.concat(d.test_loss).filter(Number.isFinite);
  if (!all.length) return;
  const top = Math.max(...all, 1e-6);
  const line = (ys, colour) => {
    ctx.strokeStyle = colour; ctx.lineWidth = 2; ctx.beginPath();
    ys.forEach((y, i) => {
      const px = ys.length > 1 ? i / (ys.length - 1) * (w - 4) + 2 : 2, py = h - 4 - (h - 8) * y / top;
      i ? ctx.lineTo(px, py) : ctx.moveTo(px, py);
    });
    ctx.stroke();
  };
  line(d.test_loss, "#222");
  line(d.train_loss, "#999");
}

export default function (component) {
  // component.data: [interval in ms, first frame, later frames...]. One fragment run sends a few consecutive
  // frames (fewer Streamlit runs per painted frame); later frames carry only what changed and are painted
  // `interval` ms apart, the first one at once. A new message cancels frames still waiting from the last one.
  const {parentElement} = component;
  const message = component.data || [];
  let root = parentElement.querySelector(".pg-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "pg-root";
    root.innerHTML = `<div class="pg-netwrap"><canvas class="pg-network"></canvas><div class="pg-tip"></div></div>
      <div class="pg-side"><canvas class="pg-output"></canvas>
      <div class="pg-legend"><span class="pg-low"></span><span class="bar"></span><span class="pg-high"></span></div>
      <div class="pg-caption">loss: <span style="color:#222">&#9644; test</span>
        <span style="color:#999">&#9644; train</span></div><canvas class="pg-curve"></canvas></div>`;
    parentElement.appendChild(root);
    root._scratch = document.createElement("canvas");
    attachHover(root.querySelector(".pg-network"), root.querySelector(".pg-tip"));
    root._timers = [];
  }
  root._timers.forEach(clearTimeout);
  root._timers = [];
  const [interval, first, ...later] = message;
  if (!first) return;
  paintFrame(root, first);
  later.forEach((changed, i) => root._timers.push(
    setTimeout(() => paintFrame(root, Object.assign({}, first, changed)), (i + 1) * interval)));
}

function paintFrame(root, data) {
  const output = root.querySelector(".pg-output");
  const regression = data.classes === 0, many = data.classes > 2;
  root.querySelector(".pg-low").textContent = regression ? "-1" : many ? "unsure" : "class 0";
  root.querySelector(".pg-high").textContent = regression ? "+1" : many ? "sure (colour = class)" : "class 1";
  root.querySelector(".pg-legend .bar").style.background = many
    ? "linear-gradient(to right, rgb(232,234,235), rgb(90,90,90))" : "";
  paintOutput(output, data, root._scratch);
  paintNetwork(root.querySelector(".pg-network"), data, decode(data.nodes), root._scratch, output,
               root.clientWidth || 1200);
  paintCurve(root.querySelector(".pg-curve"), data);
  window.__pgPaints = (window.__pgPaints || 0) + 1;   // read by the browser tests and the benchmark
  root.dataset.paints = String(window.__pgPaints);
  root.dataset.epoch = String(data.epoch);
}
"""

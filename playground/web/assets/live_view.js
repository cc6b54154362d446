const OUTPUT_SIZE = 440;

const LUT = new Uint8ClampedArray(256 * 3);
for (let i = 0; i < 256; i++) {
  const v = i / 127.5 - 1, c = v < 0 ? mix(MID, NEG, -v) : mix(MID, POS, v);
  LUT.set(c, 3 * i);
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
    ctx.strokeStyle = `rgba(${(w < 0 ? NEG : POS).join(",")},0.85)`;
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
    ctx.fillStyle = `rgb(${(b < 0 ? NEG : POS).join(",")})`;
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
    ? `linear-gradient(to right, rgb(${MID}), rgb(90,90,90))`
    : `linear-gradient(to right, rgb(${NEG}), rgb(${MID}), rgb(${POS}))`;
  paintOutput(output, data, root._scratch);
  paintNetwork(root.querySelector(".pg-network"), data, decode(data.nodes), root._scratch, output,
               root.clientWidth || 1200);
  paintCurve(root.querySelector(".pg-curve"), data);
  window.__pgPaints = (window.__pgPaints || 0) + 1;   // read by the browser tests and the benchmark
  root.dataset.paints = String(window.__pgPaints);
  root.dataset.epoch = String(data.epoch);
}

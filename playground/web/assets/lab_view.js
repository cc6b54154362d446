// The lab's sweep grid (playground/web/lab_view.py sweep_message): every network's decision boundary, painted here
// from its weights with the live view's forward pass (live_forward.js), the depth x width heatmap of a chosen metric
// and every network's test loss curve. Loaded once per page as a classic script (lab_loader.js); its names start
// with "lab" because classic scripts share one global scope with the live view's.

function labHeatColour(q) {          // 0 (worst) -> light grey-orange, 1 (best) -> deep blue
  if (q === null || q === undefined) return "rgb(240,240,240)";
  const a = [250, 236, 220], b = [8, 81, 156];
  return `rgb(${a.map((v, i) => Math.round(v + (b[i] - v) * q)).join(",")})`;
}

function labCurveColour(cell, cells) {  // hue by depth, lighter for narrower networks
  const depths = [...new Set(cells.map(c => c.depth))].sort((x, y) => x - y);
  const widths = [...new Set(cells.map(c => c.width))].sort((x, y) => x - y);
  const hue = 360 * depths.indexOf(cell.depth) / Math.max(depths.length, 1);
  const light = 30 + 35 * (1 - widths.indexOf(cell.width) / Math.max(widths.length - 1, 1));
  return `hsl(${hue}, 70%, ${light}%)`;
}

function labBuild(root, d, component) {
  const label = i => { const c = d.cells[i];
    return `depth ${c.depth} × width ${c.width}${c.activation ? " " + c.activation : ""}: ${c.params} parameters ` +
           `(click to open it in the playground)`; };
  const grid = d.tables.map(t => `<table><tr><th>${t.activation} depth \\ width</th>` +
      t.widths.map(w => `<th>${w}</th>`).join("") + "</tr>" +
      t.rows.map((row, r) => `<tr><th>${t.depths[r]}</th>` + row.map(i => i === null ? "<td></td>" :
        `<td class="lab-cell" data-i="${i}" title="${label(i)}"><canvas width="${d.n}" height="${d.n}"></canvas>` +
        `<div class="lab-score"></div></td>`).join("") + "</tr>").join("") + "</table>").join("");
  const heat = d.tables.map(t => `<table><tr><th>${t.activation} depth \\ width</th>` +
      t.widths.map(w => `<th>${w}</th>`).join("") + "</tr>" +
      t.rows.map((row, r) => `<tr><th>${t.depths[r]}</th>` + row.map(i => i === null ? "<td></td>" :
        `<td class="lab-heat" data-i="${i}" title="${label(i)}"></td>`).join("") + "</tr>").join("") +
      "</table>").join("");
  root.innerHTML = `<div><div class="lab-title">Decision boundaries</div><div id="lab-grid">${grid}</div></div>
    <div><div class="lab-title lab-heat-title"></div>${heat}
      <div class="lab-note">number of parameters below each score · click a cell to open it in the playground</div>
      <div class="lab-title" style="margin-top:14px">Test loss of every network</div>
      <canvas class="lab-curves" width="520" height="260"></canvas>
      <div class="lab-note">colour: depth; darker: wider · hover a cell to pick out its curve</div></div>`;
  root.querySelectorAll("td[data-i]").forEach(td => {
    const i = Number(td.dataset.i);
    td.addEventListener("click", () => component.setTriggerValue("open", i));
    td.addEventListener("mouseenter", () => { root._hover = i; labPaintCurves(root); });
    td.addEventListener("mouseleave", () => { root._hover = null; labPaintCurves(root); });
  });
}

// Network i's prediction over the plane, coloured as figures/inside.py boundary_rgb (scale 1): orange (class 0 or -1)
// through white to blue, or for k classes each class's colour faded by how sure the network is; then lightened
// (x 0.85 + 15 % white) so that the dots drawn on top stand out. RGBA bytes into `pixels`.
function labBoundaryPixels(head, output, k, P, pixels) {
  const put = (p, r, g, b) => {
    pixels[4 * p] = r * 0.85 + 38.25 | 0;   // truncated, as numpy's astype(uint8)
    pixels[4 * p + 1] = g * 0.85 + 38.25 | 0;
    pixels[4 * p + 2] = b * 0.85 + 38.25 | 0;
    pixels[4 * p + 3] = 255;
  };
  for (let p = 0; p < P; p++) {
    if (head === "softmax_ce") {
      let best = 0;
      for (let c = 1; c < k; c++) if (output[c * P + p] > output[best * P + p]) best = c;
      const top = output[best * P + p];
      const sure = top >= 1 ? 1 : top > 1 / k ? (top - 1 / k) / (1 - 1 / k) : 0;   // NaN (a diverged network): 0
      const colour = CLASS_COLOURS[best % CLASS_COLOURS.length];
      put(p, 255 + sure * (colour[0] - 255), 255 + sure * (colour[1] - 255), 255 + sure * (colour[2] - 255));
    } else {
      let v = head === "sigmoid_ce" ? 2 * output[p] - 1 : output[p];
      v = v >= 1 ? 1 : v <= -1 ? -1 : v === v ? v : 0;   // clipped; NaN -> 0
      const end = v < 0 ? NEG : POS, t = Math.abs(v);
      put(p, 255 + t * (end[0] - 255), 255 + t * (end[1] - 255), 255 + t * (end[2] - 255));
    }
  }
}

// Every network of the grid runs in one WebAssembly memory (`root._memory`, live_forward.js makeForward's `shared`),
// one network after another: a memory per network shape ran out in Chromium after about 125 (each reserves address
// space), and a sweep may have 96 networks.
function labForward(root, d, net) {
  const spec = {sizes: net.sizes, features: d.features, activations: net.activations, head: d.head, extent: d.extent};
  root._memory = root._memory || {};
  try { return makeForward(spec, d.n, false, root._memory); }
  catch (e) { return makeForward(spec, d.n, true); }   // no memory to be had: the plain JavaScript path
}

function labPaintCell(canvas, root, d, i, weights) {
  const n = d.n, P = n * n, net = d.networks[i], count = parameterCount(net.sizes);
  const {output} = labForward(root, d, net)(weights.subarray(net.offset, net.offset + count));
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(n, n);
  labBoundaryPixels(d.head, output, net.sizes[net.sizes.length - 1], P, img.data);
  ctx.putImageData(img, 0, 0);
  d.points.forEach(([x, y, c]) => {
    const col = CLASS_COLOURS[c % CLASS_COLOURS.length].map(v => Math.round(v * 0.8));
    ctx.fillStyle = `rgb(${col.join(",")})`;
    ctx.fillRect((x + d.extent) / (2 * d.extent) * (n - 1), (d.extent - y) / (2 * d.extent) * (n - 1), 1, 1);
  });
}

function labPaintCurves(root) {
  const d = root._data, canvas = root.querySelector(".lab-curves");
  if (!d || !canvas) return;
  const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, left = 44, bottom = 22;
  ctx.clearRect(0, 0, W, H);
  let top = 1e-6;
  d.curves.forEach(c => c.forEach(v => { if (isFinite(v)) top = Math.max(top, v); }));
  top = Math.min(top, 3.0);
  ctx.strokeStyle = "#999"; ctx.lineWidth = 1; ctx.fillStyle = "#555"; ctx.font = "12px sans-serif";
  ctx.beginPath(); ctx.moveTo(left, 4); ctx.lineTo(left, H - bottom); ctx.lineTo(W - 4, H - bottom); ctx.stroke();
  ctx.textAlign = "right"; ctx.fillText(top.toFixed(2), left - 4, 12); ctx.fillText("0", left - 4, H - bottom);
  ctx.textAlign = "center"; ctx.fillText(`epoch (of ${d.target})`, (left + W) / 2, H - 5);
  const draw = (c, colour, width) => {
    if (c.length < 2) return;
    const epochs = d.epoch || c.length;
    ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.beginPath();
    c.forEach((v, k) => {
      const x = left + (W - 4 - left) * (epochs * k / (c.length - 1)) / d.target;
      const y = H - bottom - (H - bottom - 4) * Math.min(v, top) / top;
      k ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  };
  const hovered = root._hover !== null && root._hover !== undefined;
  d.curves.forEach((c, i) => draw(c, hovered ? "rgba(180,180,180,0.6)" : labCurveColour(d.cells[i], d.cells), 1.3));
  if (hovered) draw(d.curves[root._hover], "#111", 3);
}

window.__pgLabMount = function (component) {   // called by lab_loader.js
  const {data, parentElement} = component;
  const d = data && data[0];   // sent as [message]: see web/lab_page.py
  if (!d) return;
  let root = parentElement.querySelector(".lab-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "lab-root";
    parentElement.appendChild(root);
  }
  const shape = JSON.stringify(d.tables);
  if (root._shape !== shape) { labBuild(root, d, component); root._shape = shape; root._hover = null; }
  else if (root._data && root._data.epoch === d.epoch && root._data.metric === d.metric &&
           root._data.weights === d.weights) return;  // a repaint of the same snapshot
  root._data = d;
  const began = performance.now();
  const bytes = decode(d.weights), weights = new Float32Array(bytes.buffer, 0, bytes.length / 4);
  root.querySelectorAll("td.lab-cell").forEach(td => {
    const i = Number(td.dataset.i);
    labPaintCell(td.querySelector("canvas"), root, d, i, weights);
    td.querySelector(".lab-score").textContent = `${d.cells[i].score} · ${d.cells[i].params}p`;
  });
  root.querySelector(".lab-heat-title").textContent = `${d.metric} by depth and width`;
  root.querySelectorAll("td.lab-heat").forEach(td => {
    const c = d.cells[Number(td.dataset.i)];
    td.style.background = labHeatColour(c.quality);
    td.style.color = c.quality !== null && c.quality > 0.55 ? "#fff" : "#222";
    td.innerHTML = `<b>${c.score}</b><br>${c.params}p`;
  });
  labPaintCurves(root);
  window.__labPaints = (window.__labPaints || 0) + 1;  // read by the browser tests and the benchmark
  const times = window.__labPaintMs = window.__labPaintMs || [];   // bench_lab.py: the latest 200 paints' ms
  times.push(performance.now() - began);
  if (times.length > 200) times.shift();
  root.dataset.paints = String(window.__labPaints);
  root.dataset.epoch = String(d.epoch);
};

// For tests and the console: network `net`'s boundary picture (RGBA bytes, n x n), as the grid paints it.
// Successive calls share one memory, as the networks of one grid do.
window.__labBoundary = (d, net, params) => {
  const root = window.__labTestRoot = window.__labTestRoot || {};
  const forward = labForward(root, d, net);
  const {output} = forward(Float32Array.from(params)), pixels = new Uint8ClampedArray(4 * d.n * d.n);
  labBoundaryPixels(d.head, output, net.sizes[net.sizes.length - 1], d.n * d.n, pixels);
  return {pixels: Array.from(pixels), simd: forward.simd};
};

function heatColour(q) {          // 0 (worst) -> light grey-orange, 1 (best) -> deep blue
  if (q === null || q === undefined) return "rgb(240,240,240)";
  const a = [250, 236, 220], b = [8, 81, 156];
  return `rgb(${a.map((v, i) => Math.round(v + (b[i] - v) * q)).join(",")})`;
}

function curveColour(cell, cells) {  // hue by depth, lighter for narrower networks
  const depths = [...new Set(cells.map(c => c.depth))].sort((x, y) => x - y);
  const widths = [...new Set(cells.map(c => c.width))].sort((x, y) => x - y);
  const hue = 360 * depths.indexOf(cell.depth) / Math.max(depths.length, 1);
  const light = 30 + 35 * (1 - widths.indexOf(cell.width) / Math.max(widths.length - 1, 1));
  return `hsl(${hue}, 70%, ${light}%)`;
}

function build(root, d, component) {
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
    td.addEventListener("mouseenter", () => { root._hover = i; paintCurves(root); });
    td.addEventListener("mouseleave", () => { root._hover = null; paintCurves(root); });
  });
}

function paintCell(canvas, bytes, offset, d) {
  const n = d.n, ctx = canvas.getContext("2d"), img = ctx.createImageData(n, n);
  for (let p = 0; p < n * n; p++) {
    img.data[4 * p] = bytes[offset + 3 * p]; img.data[4 * p + 1] = bytes[offset + 3 * p + 1];
    img.data[4 * p + 2] = bytes[offset + 3 * p + 2]; img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  d.points.forEach(([x, y, c]) => {
    const col = CLASS_COLOURS[c % CLASS_COLOURS.length].map(v => Math.round(v * 0.8));
    ctx.fillStyle = `rgb(${col.join(",")})`;
    ctx.fillRect((x + d.extent) / (2 * d.extent) * (n - 1), (d.extent - y) / (2 * d.extent) * (n - 1), 1, 1);
  });
}

function paintCurves(root) {
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
  d.curves.forEach((c, i) => draw(c, hovered ? "rgba(180,180,180,0.6)" : curveColour(d.cells[i], d.cells), 1.3));
  if (hovered) draw(d.curves[root._hover], "#111", 3);
}

export default function (component) {
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
  if (root._shape !== shape) { build(root, d, component); root._shape = shape; root._hover = null; }
  else if (root._data && root._data.epoch === d.epoch && root._data.metric === d.metric &&
           root._data.images === d.images) return;  // a repaint of the same snapshot
  root._data = d;
  const bytes = decode(d.images), size = d.n * d.n * 3;
  root.querySelectorAll("td.lab-cell").forEach(td => {
    const i = Number(td.dataset.i);
    paintCell(td.querySelector("canvas"), bytes, i * size, d);
    td.querySelector(".lab-score").textContent = `${d.cells[i].score} · ${d.cells[i].params}p`;
  });
  root.querySelector(".lab-heat-title").textContent = `${d.metric} by depth and width`;
  root.querySelectorAll("td.lab-heat").forEach(td => {
    const c = d.cells[Number(td.dataset.i)];
    td.style.background = heatColour(c.quality);
    td.style.color = c.quality !== null && c.quality > 0.55 ? "#fff" : "#222";
    td.innerHTML = `<b>${c.score}</b><br>${c.params}p`;
  });
  paintCurves(root);
  window.__labPaints = (window.__labPaints || 0) + 1;  // read by the browser tests and the benchmark
  root.dataset.paints = String(window.__labPaints);
  root.dataset.epoch = String(d.epoch);
}

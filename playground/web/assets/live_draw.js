// Drawing one's own data on the output map: a tool bar under the map picks what a click or a drag does (nothing, add
// a point of a class or of a value, erase), and buttons clear the drawn points or go back to the generated set.
// The tool is the browser's own state (no page run to pick it); a finished stroke is one `draw` trigger:
//   {add: [[x, y], ...], label}  |  {erase: [[x, y], ...], radius}  |  {clear: true}  |  {generated: true}
// in the data's coordinates. The server keeps the drawn set (core/userdata.py) and sends the points back in the
// header like any data set's; until then the stroke's dots are painted over the map at once.

const STROKE_SPACING = 14;   // pixels between two points of a drag
const ERASE_PIXELS = 14;     // the eraser's radius on screen

function buildDrawTools(v) {
  const bar = el("div", "pg-draw", v.drawHome || v.side);
  v.drawBar = bar;
  v.tool = v.tool || {mode: "off", label: 1, value: 0.5};
  v.stroke = [];
  attachDrawing(v);
}

function refreshDrawTools(v) {   // per data version: the class buttons follow the number of classes
  const bar = v.drawBar, spec = v.spec, regression = spec.classes === 0;
  bar.innerHTML = "";
  el("span", "pg-draw-label", bar, "draw:");
  const choices = [["off", "off", "move the mouse freely"]];
  if (regression) choices.push(["add", "value", "click or drag to add points of the value set beside"]);
  else for (let k = 0; k < spec.classes; k++) choices.push([`class${k}`, String(k), `click or drag to add class ${k}`]);
  choices.push(["erase", "erase", "click or drag over points to remove drawn points"]);
  const current = toolKey(v.tool);
  choices.forEach(([key, text, title]) => {
    const b = el("button", "pg-tool" + (key === current ? " pg-chosen" : ""), bar, text);
    b.title = title; b.dataset.tool = key;
    if (key.startsWith("class")) b.style.borderBottom = `4px solid rgb(${CLASS_COLOURS[Number(key.slice(5))].join(",")})`;
    b.addEventListener("click", () => { v.tool = toolFrom(key, v.tool); refreshDrawTools(v); });
  });
  if (regression) {
    const value = el("input", "pg-draw-value", bar);
    value.type = "number"; value.min = "-1"; value.max = "1"; value.step = "0.1"; value.value = String(v.tool.value);
    value.title = "the value of the points you add (-1 to 1)";
    value.addEventListener("change", () => {
      const x = Number(value.value);
      if (Number.isFinite(x)) v.tool.value = Math.max(-1, Math.min(1, x));
    });
  }
  const clear = el("button", "pg-tool", bar, "clear");
  clear.title = "remove every drawn point"; clear.dataset.tool = "clear";
  clear.addEventListener("click", () => v.component.setTriggerValue("draw", {clear: true}));
  const back = el("button", "pg-tool", bar, "generated");
  back.title = "train on the generated data set again (the drawn points are kept for later)";
  back.dataset.tool = "generated"; back.disabled = spec.source === "generated";
  back.addEventListener("click", () => v.component.setTriggerValue("draw", {generated: true}));
  v.output.style.cursor = v.tool.mode === "off" ? "default" : "crosshair";
  if (!regression && v.tool.mode === "add" && v.tool.label >= spec.classes) v.tool = {...v.tool, mode: "off"};
}

function toolKey(tool) { return tool.mode === "add" && tool.label !== null ? `class${tool.label}` : tool.mode; }

function toolFrom(key, tool) {
  if (key.startsWith("class")) return {...tool, mode: "add", label: Number(key.slice(5))};
  if (key === "add") return {...tool, mode: "add", label: null};
  return {...tool, mode: key};
}

function dataPoint(v, ev) {   // the pointer in the data's coordinates (row 0 of the map is y = +extent)
  const r = v.output.getBoundingClientRect(), e = v.spec.extent;
  const px = (ev.clientX - r.left) / r.width, py = (ev.clientY - r.top) / r.height;
  return [+(-e + 2 * e * px).toFixed(2), +(e - 2 * e * py).toFixed(2), ev.clientX, ev.clientY];
}

function attachDrawing(v) {
  const canvas = v.output;
  canvas.addEventListener("pointerdown", ev => {
    if (!v.spec || v.tool.mode === "off") return;
    ev.preventDefault();
    canvas.setPointerCapture(ev.pointerId);
    v.stroke = [dataPoint(v, ev)];
    markStroke(v, v.stroke[0]);
  });
  canvas.addEventListener("pointermove", ev => {
    if (!v.stroke.length) return;
    const p = dataPoint(v, ev), last = v.stroke[v.stroke.length - 1];
    if (Math.hypot(p[2] - last[2], p[3] - last[3]) < STROKE_SPACING) return;
    v.stroke.push(p);
    markStroke(v, p);
  });
  const finish = () => {
    if (!v.stroke.length) return;
    const points = v.stroke.map(p => [p[0], p[1]]);
    v.stroke = [];
    if (v.tool.mode === "erase") {
      const radius = ERASE_PIXELS / v.output.getBoundingClientRect().width * 2 * v.spec.extent;
      v.component.setTriggerValue("draw", {erase: points, radius});
    } else {
      const label = v.spec.classes === 0 ? v.tool.value : v.tool.label;
      v.component.setTriggerValue("draw", {add: points, label});
    }
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
}

function markStroke(v, [x, y]) {   // the stroke at once, before the server answers with the new data
  const size = v.output.width, e = v.spec.extent, ctx = v.output.getContext("2d");
  const px = (x + e) / (2 * e) * size, py = (e - y) / (2 * e) * size;
  ctx.beginPath();
  if (v.tool.mode === "erase") {
    ctx.arc(px, py, ERASE_PIXELS, 0, 2 * Math.PI); ctx.strokeStyle = "rgba(0,0,0,0.6)"; ctx.lineWidth = 1.5;
    ctx.stroke();
    return;
  }
  const colour = v.spec.classes === 0 ? (v.tool.value < 0 ? NEG : POS) : CLASS_COLOURS[v.tool.label];
  ctx.arc(px, py, Math.max(3, size / 100), 0, 2 * Math.PI);
  ctx.fillStyle = `rgb(${colour.join(",")})`; ctx.fill();
  ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.2; ctx.stroke();
}

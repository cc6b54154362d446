// What a person does on the live view besides Play / Pause / Step: pick a data set, switch a feature on or off, add or
// remove layers and neurons on the network itself, hover to read a weight or bias, click one while paused to edit it.

const BACKGROUND = rgba32([248, 248, 248]);

function buildData(v) {   // the data set previews, clickable, with their whole names under them
  const spec = v.spec;
  v.data.innerHTML = "";
  el("div", "pg-heading", v.data, "DATA");
  const grid = el("div", "pg-datasets", v.data);
  spec.datasets.forEach(({name, pixels}) => {
    const chosen = name === spec.dataset && spec.source === "generated";   // not while drawn or uploaded points train
    const item = el("button", "pg-dataset" + (chosen ? " pg-chosen" : ""), grid);
    item.title = `train on the ${name} data`;
    const c = el("canvas", "", item), n = spec.preview, bytes = decode(pixels);
    c.width = c.height = n;
    const image = new ImageData(n, n), rgba = new Uint32Array(image.data.buffer);
    for (let p = 0; p < n * n; p++) {   // 0 background, 1 + k class k, 128..255 a regression target (live_view.py)
      const b = bytes[p];
      rgba[p] = b === 0 ? BACKGROUND : b >= 128 ? NODE_COLOURS[2 * (b - 128)] : rgba32(CLASS_COLOURS[b - 1]);
    }
    c.getContext("2d").putImageData(image, 0, 0);
    el("span", "", item, name);
    item.addEventListener("click", () => v.component.setTriggerValue("pick", {dataset: name}));
  });
}

function buildNetworkControls(v) {   // + / - for the number of hidden layers and for each layer's neurons
  const {spec, g, controls} = v, hidden = spec.sizes.slice(1, -1);
  controls.innerHTML = "";
  const send = layers => v.component.setTriggerValue("arch", {layers});
  const pair = (x, y, add, remove, label) => {
    const box = el("div", "pg-pm", controls);
    box.style.left = `${x}px`; box.style.top = `${y}px`;
    const plus = el("button", "", box, "+"), minus = el("button", "", box, "\u2212");
    plus.title = `add ${label}`; minus.title = `remove ${label}`;
    plus.disabled = !add; minus.disabled = !remove;
    plus.addEventListener("click", () => add && send(add));
    minus.addEventListener("click", () => remove && send(remove));
    return box;
  };
  const layersBox = pair(g.xs[0] - 70, 0, hidden.length < 10 && [...hidden, hidden[hidden.length - 1] || 4],
                         hidden.length > 0 && hidden.slice(0, -1), "a hidden layer");
  el("span", "pg-count", layersBox, `${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"}`);
  hidden.forEach((width, l) => {
    const more = hidden.slice(), fewer = hidden.slice();
    more[l] = width + 1; fewer[l] = width - 1;
    const box = pair(g.xs[l + 1] + g.node / 2, 20, width < 32 && more, width > 1 && fewer,
                     `a neuron to layer ${l + 1}`);
    box.classList.add("pg-layer");
    const frozen = (spec.frozen || []).includes(l + 1);
    const header = el("span", "pg-count pg-header" + (frozen ? " pg-frozen" : ""), box,
                      `${width} ${spec.activations[l]}${frozen ? " \u2744" : ""}`);
    header.title = frozen ? "frozen: click to train this layer again" : "click to freeze this layer";
    // the state wanted, not "toggle": the same message may carry the settings' widgets as the browser last saw them
    header.addEventListener("click", () => v.component.setTriggerValue("pick", {freeze: l + 1, on: !frozen}));
  });
}

function hit(v, x, y) {   // what is under the canvas point (x, y): a neuron, a feature, a link, or null
  const {g, spec} = v, sizes = spec.sizes;
  if (!g) return null;
  const inside = p => x >= p[0] && x <= p[0] + g.node && y >= p[1] && y <= p[1] + g.node;
  const feature = g.pos[0].findIndex(inside);
  if (feature >= 0) return {kind: "feature", name: ALL_FEATURES[feature]};
  for (let l = 1; l < g.pos.length; l++) {
    const j = g.pos[l].findIndex(inside);
    if (j >= 0) return {kind: "bias", layer: l - 1, row: null, column: j, index: biasIndex(sizes, l - 1, j)};
  }
  let best = null, bestDistance = 5;
  for (let l = 0; l + 1 < sizes.length; l++) for (let i = 0; i < sizes[l]; i++) for (let j = 0; j < sizes[l + 1]; j++) {
    const [p0, p3] = linkEnds(g, l, i, j), bend = Math.min(40, (p3[0] - p0[0]) / 3);
    let previous = p0;
    for (let k = 1; k <= 12; k++) {
      const t = k / 12, u = 1 - t, pt = [0, 1].map(d => u * u * u * p0[d] + 3 * u * u * t * (p0[d] + (d ? 0 : bend)) +
          3 * u * t * t * (p3[d] - (d ? 0 : bend)) + t * t * t * p3[d]);
      const dist = distanceToSegment(x, y, previous, pt);
      if (dist < bestDistance) { bestDistance = dist; best = {kind: "weight", layer: l, row: i, column: j}; }
      previous = pt;
    }
  }
  if (best) best.index = weightIndex(sizes, best.layer, best.row, best.column);
  return best;
}

function weightIndex(sizes, layer, row, column) {
  let offset = 0;
  for (let l = 0; l < layer; l++) offset += (sizes[l] + 1) * sizes[l + 1];
  return offset + row * sizes[layer + 1] + column;
}

function biasIndex(sizes, layer, column) { return weightIndex(sizes, layer, sizes[layer], column); }

function distanceToSegment(x, y, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1], t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) /
      (dx * dx + dy * dy || 1)));
  return Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy);
}

function neuronName(spec, layer, j) {   // weight layer `layer`'s input side (layer) or output side (layer + 1)
  if (layer === 0) return FEATURE_LABELS[spec.features[j]];
  return layer === spec.sizes.length - 1 ? "output" : `layer ${layer} neuron ${j + 1}`;
}

function describe(v, target) {
  const value = v.params[target.index];
  if (target.kind === "bias") {
    const name = target.layer + 1 === v.spec.sizes.length - 1 ? "output" : `layer ${target.layer + 1}, neuron ${target.column + 1}`;
    return `${name}: bias ${value.toFixed(3)}`;
  }
  return `weight ${neuronName(v.spec, target.layer, target.row)} \u2192 ` +
    `${neuronName(v.spec, target.layer + 1, target.column)}: ${value.toFixed(3)}`;
}

function attachPointer(v) {
  const at = ev => {
    const r = v.net.getBoundingClientRect();
    return [(ev.clientX - r.left) * v.net.width / r.width, (ev.clientY - r.top) * v.net.height / r.height];
  };
  v.net.addEventListener("mousemove", ev => {
    const [x, y] = at(ev), target = v.frame && hit(v, x, y);
    const text = target && (target.kind === "feature"
      ? `${FEATURE_LABELS[target.name]}: click to ${v.spec.features.includes(target.name) ? "stop using" : "use"} it`
      : describe(v, target) + (v.playing ? "" : " (click to edit)"));
    v.tip.style.display = text ? "block" : "none";
    v.net.style.cursor = target ? "pointer" : "default";
    if (text) { v.tip.textContent = text; v.tip.style.left = `${x + 12}px`; v.tip.style.top = `${y + 12}px`; }
  });
  v.net.addEventListener("mouseleave", () => { v.tip.style.display = "none"; });
  v.net.addEventListener("click", ev => {
    const [x, y] = at(ev), target = v.frame && hit(v, x, y);
    if (!target) return;
    if (target.kind === "feature") {   // the state wanted, as for a layer's header
      v.component.setTriggerValue("pick", {feature: target.name, on: !v.spec.features.includes(target.name)});
      return;
    }
    if (v.playing) return;   // weights change every frame while playing: edit them paused, as TF Playground does
    openEditor(v, target, x, y);
  });
  v.editor.addEventListener("keydown", ev => {
    if (ev.key === "Escape") v.editor.style.display = "none";
    if (ev.key !== "Enter") return;
    const value = Number(v.editor.value), t = v.editing;
    v.editor.style.display = "none";
    if (!Number.isFinite(value) || !t || v.playing) return;
    v.params[t.index] = value;
    v.component.setTriggerValue("edit", {layer: t.layer, row: t.row, column: t.column, value, run: v.run,
                                         shown: v.shown});
  });
  v.editor.addEventListener("blur", () => { v.editor.style.display = "none"; });
}

function openEditor(v, target, x, y) {
  v.editing = target;
  v.editor.value = v.params[target.index].toFixed(3);
  v.editor.style.left = `${x}px`; v.editor.style.top = `${y}px`; v.editor.style.display = "block";
  v.editor.focus(); v.editor.select();
}

window.__pgLiveMount = function (component) {   // called by live_loader.js
  // component.data: [header, frame, frame, ...] (playground/web/live_view.py)
  const parent = component.parentElement, root = parent.querySelector(".pg-root");
  const v = root ? root._view : adopt(parent) || build(parent);
  v.component = component;
  receive(v, component.data || []);
};

// Streamlit now and then mounts the component afresh in a page run (seen in Chromium about once in eight page runs
// right after Play, more under load). A new view would start paused at speed 1 with nothing held: the class's
// picture stopped by itself. The page's view that was just removed (same page, same session) moves into the new place
// instead, with its play state, speed, frames held and canvases, and carries on.
function adopt(parent) {
  const v = window.__pgLiveView;
  if (!v || v.root.parentElement === parent || parent.querySelector(".pg-root")) return null;
  parent.appendChild(v.root);
  v.adopted = (v.adopted || 0) + 1;   // read by the browser test
  if (v.spec) layout(v);              // the new place may be wider or narrower; repaints the frame on screen
  keepGoing(v);
  return v;
}

// Painting one frame of the live view: colour tables, the output map with its points, the network (links, neuron
// maps, biases) and the loss curve. Every buffer is made once per network shape or canvas size and reused.

const ALL_FEATURES = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"];
const FEATURE_LABELS = {x1: "X\u2081", x2: "X\u2082", x1sq: "X\u2081\u00b2", x2sq: "X\u2082\u00b2",
                        x1x2: "X\u2081X\u2082", sinx1: "sin(X\u2081)", sinx2: "sin(X\u2082)"};
const THUMB = 25;   // pixels per side of a neuron's map (every 4th grid point of the 100 x 100 grid)

function rgba32(c, alpha = 255) { return (alpha << 24 | c[2] << 16 | c[1] << 8 | c[0]) >>> 0; }

// 256 diverging colours (orange, grey, blue) as packed RGBA; `strength` < 1 lightens them towards the middle grey
function divergingTable(strength) {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const v = (i / 127.5 - 1) * strength;
    t[i] = rgba32(v < 0 ? mix(MID, NEG, -v) : mix(MID, POS, v));
  }
  return t;
}
const NODE_COLOURS = divergingTable(1);
// the output map lighter than the points (at most 60 % of the class colour, as TF Playground's translucent map), so that
// a correctly classified point stands out from the region that agrees with it
const MAP_COLOURS = divergingTable(0.6);
const CLASS_TABLES = CLASS_COLOURS.map(c => {   // per class: confidence 0..255 -> colour
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) t[i] = rgba32(mix(MID, c, 0.1 + 0.5 * i / 255));
  return t;
});
const NEG_CSS = `rgb(${NEG.join(",")})`, POS_CSS = `rgb(${POS.join(",")})`;
const level = v => v >= 1 ? 255 : v <= -1 ? 0 : Math.round((v + 1) * 127.5) | 0;

// The output map: spec.head's prediction (n x n) -> `pixels` (Uint32Array view of an ImageData)
function paintOutputPixels(spec, output, n, pixels, discretize) {
  const P = n * n, k = spec.sizes[spec.sizes.length - 1];
  if (spec.head === "softmax_ce") {
    for (let p = 0; p < P; p++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (output[c * P + p] > output[best * P + p]) best = c;
      const confidence = discretize ? 1 : (output[best * P + p] - 1 / k) / (1 - 1 / k);
      pixels[p] = CLASS_TABLES[best % CLASS_TABLES.length][Math.max(0, Math.min(255, Math.round(confidence * 255)))];
    }
    return;
  }
  const shift = spec.head === "sigmoid_ce" ? 1 : 0, scale = spec.head === "sigmoid_ce" ? 2 : 1;
  for (let p = 0; p < P; p++) {
    const v = scale * output[p] - shift;
    pixels[p] = MAP_COLOURS[discretize ? (v >= 0 ? 230 : 25) : level(v)];
  }
}

// Every neuron's map, sampled every `stride` points, into one atlas row (node t at x = t * THUMB)
function paintAtlas(layers, n, stride, pixels, atlasWidth, start = 0) {
  const P = n * n;
  let t = start;
  for (let l = 0; l < layers.length; l++) {
    const a = layers[l], width = a.length / P;
    for (let j = 0; j < width; j++, t++) {
      for (let r = 0; r < THUMB; r++) {
        const row = r * atlasWidth + t * THUMB, src = j * P + r * stride * n;
        for (let c = 0; c < THUMB; c++) pixels[row + c] = NODE_COLOURS[level(a[src + c * stride])];
      }
    }
  }
}

// Where everything sits on the network canvas. Column 0 lists every feature (used or not), as TF Playground does.
function networkLayout(spec, width, height) {
  const hidden = spec.sizes.slice(1, -1), top = 64, bottom = 12;
  const rows = [ALL_FEATURES.length, ...hidden, spec.sizes[spec.sizes.length - 1]];
  const most = Math.max(...rows);
  const node = Math.max(8, Math.min(40, Math.floor((height - top - bottom) / most * 0.78)));
  const gap = Math.max(2, Math.min(16, Math.floor((height - top - bottom - most * node) / Math.max(most - 1, 1))));
  const cols = rows.length, left = 78, right = width - 16 - node;
  const xs = rows.map((_, i) => cols > 1 ? left + (right - left) * i / (cols - 1) : left);
  const pos = rows.map((count, i) => Array.from({length: count}, (_, j) =>
      [xs[i], top + (height - top - bottom - count * node - (count - 1) * gap) / 2 + j * (node + gap)]));
  // pos[0] are all features; `inputs` are the positions of the used ones, in the network's order
  const inputs = spec.features.map(f => pos[0][ALL_FEATURES.indexOf(f)]);
  return {node, pos, inputs, xs, width, height};
}

function linkEnds(g, l, i, j) {   // weight layer l, from neuron i to neuron j: start and end of the drawn curve
  const a = l === 0 ? g.inputs[i] : g.pos[l][i], b = g.pos[l + 1][j];
  return [[a[0] + g.node, a[1] + g.node / 2], [b[0], b[1] + g.node / 2]];
}

const WIDTH_LEVELS = 8;

// Each link's curve as a Path2D, built once per layout (`g` is new with every layout) and reused by every frame
function linkPaths(g, sizes) {
  if (g.linkPaths) return g.linkPaths;
  g.linkPaths = [];
  for (let l = 0; l + 1 < sizes.length; l++) for (let i = 0; i < sizes[l]; i++) for (let j = 0; j < sizes[l + 1]; j++) {
    const [p0, p3] = linkEnds(g, l, i, j), bend = Math.min(40, (p3[0] - p0[0]) / 3), path = new Path2D();
    path.moveTo(p0[0], p0[1]);
    path.bezierCurveTo(p0[0] + bend, p0[1], p3[0] - bend, p3[1], p3[0], p3[1]);
    g.linkPaths.push(path);
  }
  return g.linkPaths;
}

// Links in one path per (sign, width level): a few strokes a frame instead of one per weight. Each link's bucket is
// found in one pass over the weights and each bucket's path is put together from the cached curves (before, every
// bucket scanned every weight and rebuilt its curves: 16 passes; profiled at 1-1.6 ms of script per C2 frame).
function linkBuckets(sizes, params) {   // per link (kernel order): sign * WIDTH_LEVELS + width level; and each layer's offset
  let biggest = 1e-6, offset = 0, count = 0;
  const spans = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const n = sizes[l] * sizes[l + 1];
    for (let q = 0; q < n; q++) biggest = Math.max(biggest, Math.abs(params[offset + q]));
    spans.push(offset);
    offset += n + sizes[l + 1];
    count += n;
  }
  const buckets = new Uint8Array(count);
  let link = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    for (let q = 0, n = sizes[l] * sizes[l + 1]; q < n; q++, link++) {
      const v = params[spans[l] + q], level = Math.floor(Math.abs(v) / biggest * WIDTH_LEVELS);
      buckets[link] = level >= 0 ? (v < 0 ? 0 : WIDTH_LEVELS) + Math.min(WIDTH_LEVELS - 1, level) : 255;   // NaN: not drawn
    }
  }
  return {spans, buckets};
}

function strokeLinks(ctx, paths, buckets, from, to) {   // links [from, to), bucket by bucket in a fixed order
  const byBucket = Array.from({length: 2 * WIDTH_LEVELS}, () => null);
  for (let q = from; q < to; q++) {
    const b = buckets[q];
    if (b !== 255) (byBucket[b] = byBucket[b] || new Path2D()).addPath(paths[q]);
  }
  for (let sign = 0; sign < 2; sign++) {
    for (let w = 0; w < WIDTH_LEVELS; w++) {
      const path = byBucket[sign * WIDTH_LEVELS + w];
      if (!path) continue;
      ctx.strokeStyle = `rgba(${(sign ? POS : NEG).join(",")},0.8)`;
      ctx.lineWidth = 0.4 + 5 * (w + 0.5) / WIDTH_LEVELS;
      ctx.stroke(path);
    }
  }
}

// Big networks keep their links on a canvas of their own and repaint only the weight layers whose links changed
// bucket since the last frame (C2 at 1 epoch a frame: a few of its 7 weight layers a frame). A weight layer's links
// lie in the strip between its two columns of neurons (the curves leave and enter horizontally, with butt caps) and
// strips never overlap, so each strip is cleared and stroked alone, one path per bucket as before. The links are the
// same; their antialiased edges are not bit for bit those of one path over all layers (Skia rasterizes a smaller path
// slightly differently: measured on C2, most differing bytes differ by less than 4 of 255, a few edge pixels of the
// thinnest links by more). Stroking wide curves was the largest canvas cost on C2 (344 links: 7-11 ms a frame in
// software raster, 3.4-4.1 ms with this cache over 80 recorded frames); a small network's links cost less than the
// extra copy (C1: 18 links, 0.4 ms), so they are stroked straight onto the network canvas as before.
const LINK_CACHE_MIN = 100;

function paintLinks(ctx, g, sizes, params) {
  const {spans, buckets} = linkBuckets(sizes, params), paths = linkPaths(g, sizes);
  if (buckets.length < LINK_CACHE_MIN) { strokeLinks(ctx, paths, buckets, 0, buckets.length); return spans; }
  if (!g.linkCanvas) {
    g.linkCanvas = document.createElement("canvas");
    g.linkCanvas.width = g.width; g.linkCanvas.height = g.height;
  }
  const lctx = g.linkCanvas.getContext("2d"), before = g.linkBuckets;
  for (let l = 0, from = 0; l + 1 < sizes.length; l++) {
    const to = from + sizes[l] * sizes[l + 1];
    if (!before || !sameRange(before, buckets, from, to)) {
      const left = Math.floor(g.xs[l] + g.node) - 2, right = Math.ceil(g.xs[l + 1]) + 2;
      lctx.save();
      lctx.beginPath(); lctx.rect(left, 0, right - left, g.height); lctx.clip();
      lctx.clearRect(left, 0, right - left, g.height);
      strokeLinks(lctx, paths, buckets, from, to);
      lctx.restore();
    }
    from = to;
  }
  g.linkBuckets = buckets;
  ctx.drawImage(g.linkCanvas, 0, 0);
  return spans;
}

function sameRange(a, b, from, to) {
  for (let q = from; q < to; q++) if (a[q] !== b[q]) return false;
  return true;
}

function paintNetworkBackground(view) {   // what no frame changes: the page's colour and the input column
  const {spec, g, atlas} = view, node = g.node, ctx = view.netBack.getContext("2d", {alpha: false});
  ctx.fillStyle = view.background; ctx.fillRect(0, 0, g.width, g.height);
  ctx.imageSmoothingEnabled = true;
  g.pos[0].forEach((p, t) => ctx.drawImage(atlas, t * THUMB, 0, THUMB, THUMB, p[0], p[1], node, node));
  ctx.fillStyle = "rgba(255,255,255,0.75)";   // unused features are shown faded: click to use them
  ALL_FEATURES.forEach((f, r) => { if (!spec.features.includes(f)) ctx.fillRect(...g.pos[0][r], node, node); });
  ctx.strokeStyle = "#777"; ctx.lineWidth = 1;
  g.pos[0].forEach(p => ctx.strokeRect(p[0] + 0.5, p[1] + 0.5, node - 1, node - 1));
  ctx.fillStyle = "#333"; ctx.textAlign = "right"; ctx.font = `${Math.min(15, node * 0.5 + 6)}px sans-serif`;
  ALL_FEATURES.forEach((f, r) => ctx.fillText(FEATURE_LABELS[f], g.pos[0][r][0] - 6, g.pos[0][r][1] + node / 2 + 5));
}

function paintNetwork(view, params) {   // per frame: links, hidden neurons' maps, the output, biases
  const {spec, g, ctx, atlas} = view, sizes = spec.sizes, node = g.node;
  ctx.drawImage(view.netBack, 0, 0);   // the page's colour and the input column, as one opaque copy
  const spans = paintLinks(ctx, g, sizes, params);
  let t = ALL_FEATURES.length;   // atlas slots 0..6 hold the features, then the hidden neurons
  ctx.imageSmoothingEnabled = true;
  for (let l = 1; l < sizes.length - 1; l++) {
    for (const p of g.pos[l]) { ctx.drawImage(atlas, t * THUMB, 0, THUMB, THUMB, p[0], p[1], node, node); t++; }
  }
  const outputs = g.pos[g.pos.length - 1];
  if (outputs.length > 1 && view.classCanvas) {   // k classes: each output neuron shows its own class's probability
    const n = view.classCanvas.height;
    outputs.forEach((p, c) => ctx.drawImage(view.classCanvas, c * n, 0, n, n, p[0], p[1], node, node));
  } else {
    outputs.forEach(p => ctx.drawImage(view.mapCanvas, p[0], p[1], node, node));
  }
  ctx.strokeStyle = "#777"; ctx.lineWidth = 1;
  ctx.beginPath();
  for (let l = 1; l < g.pos.length; l++) for (const p of g.pos[l]) ctx.rect(p[0] + 0.5, p[1] + 0.5, node - 1, node - 1);
  ctx.stroke();
  // biases: a small square at each neuron's lower left, coloured by sign, sized by magnitude
  for (let l = 0; l + 1 < sizes.length; l++) {
    const base = spans[l] + sizes[l] * sizes[l + 1];
    let big = 1e-6;
    for (let j = 0; j < sizes[l + 1]; j++) big = Math.max(big, Math.abs(params[base + j]));
    for (let j = 0; j < sizes[l + 1]; j++) {
      const b = params[base + j], p = g.pos[l + 1][j], s = Math.max(3, Math.min(9, node / 4)) * Math.abs(b) / big;
      ctx.fillStyle = b < 0 ? NEG_CSS : POS_CSS;
      ctx.fillRect(p[0] - s - 2, p[1] + node - s, s, s);
    }
  }
}

function paintPoints(canvas, spec, size) {   // the data, drawn once per data set and size, laid over every frame
  canvas.width = size; canvas.height = size;
  const ctx = canvas.getContext("2d"), e = spec.extent, r = Math.max(2.5, size / 110);
  const regression = spec.head === "linear_mse" || spec.head === "tanh_mse" && spec.classes === 0;
  const dots = (points, ring, width) => points.forEach(([x, y, c]) => {
    const fill = regression ? mix(MID, c < 0 ? NEG : POS, Math.min(1, Math.abs(c))) : CLASS_COLOURS[c] || POS;
    ctx.beginPath(); ctx.arc((x + e) / (2 * e) * size, (e - y) / (2 * e) * size, r, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${fill.join(",")})`; ctx.fill();
    ctx.lineWidth = width; ctx.strokeStyle = ring; ctx.stroke();
  });
  dots(spec.train, "#fff", 1.2);
  // a thin dark ring outside the white one: a correctly classified point never melts into the background
  ctx.lineWidth = 0.8; ctx.strokeStyle = "rgba(0,0,0,0.45)";
  spec.train.forEach(([x, y]) => {
    ctx.beginPath(); ctx.arc((x + e) / (2 * e) * size, (e - y) / (2 * e) * size, r + 1, 0, 2 * Math.PI); ctx.stroke();
  });
  dots(spec.test, "#000", 1.6);
}

function paintCurve(canvas, curve, width, height) {
  if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
  const ctx = canvas.getContext("2d"), n = curve.epochs.length;
  ctx.clearRect(0, 0, width, height);
  if (n < 2) return false;   // no axes without a curve
  let top = 1e-6;
  for (let i = 0; i < n; i++) top = Math.max(top, curve.train[i] || 0, curve.test[i] || 0);
  const first = curve.epochs[0], span = Math.max(1, curve.epochs[n - 1] - first);
  const line = (ys, colour) => {
    ctx.strokeStyle = colour; ctx.lineWidth = 2; ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const x = 2 + (width - 4) * (curve.epochs[i] - first) / span, y = height - 3 - (height - 6) * (ys[i] || 0) / top;
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    }
    ctx.stroke();
  };
  line(curve.test, "#222");
  line(curve.train, "#999");
  return true;
}

// k classes: output neuron c's map is its class's probability, white (0) to the class colour (1), side by side on
// one canvas (class c at x = c * n). The output map itself shows the combined picture (the most likely class).
function paintClassMaps(view, output, n) {
  const k = view.spec.sizes[view.spec.sizes.length - 1], P = n * n;
  if (!view.classImage || view.classCanvas.width !== k * n) {
    view.classCanvas = view.classCanvas || document.createElement("canvas");
    view.classImage = imageFor(view.classCanvas, k * n, n);
  }
  const pixels = view.classImage.pixels;
  for (let c = 0; c < k; c++) {
    const table = classTable(c);
    for (let p = 0; p < P; p++) {
      const q = Math.max(0, Math.min(1, output[c * P + p]));
      pixels[Math.floor(p / n) * k * n + c * n + (p % n)] = table[Math.round(q * 255)];
    }
  }
  view.classCanvas.getContext("2d").putImageData(view.classImage.image, 0, 0);
}

const PROBABILITY_SHADES = [];
function classTable(c) {   // 256 shades from white to class c's colour, packed RGBA: no colour arrays per pixel
  if (!PROBABILITY_SHADES[c]) {
    const colour = CLASS_COLOURS[c % CLASS_COLOURS.length];
    PROBABILITY_SHADES[c] = Uint32Array.from({length: 256}, (_, i) => rgba32(mix([255, 255, 255], colour, i / 255)));
  }
  return PROBABILITY_SHADES[c];
}

// The network's forward pass over the plane, in the browser: every neuron's value at every grid point, computed from
// the weights a frame carries. Mirrors playground/core (data.py FEATURES, model.py ACTIVATIONS and head_output,
// probes.grid_points); tests/test_forward_js.py checks it against the engine's grid probe to 1e-4.
// Every array is allocated once per network shape (makeForward) and reused by every frame: no allocation per pixel.

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

const FEATURE_FUNCTIONS = {   // (x, y) -> input value, as playground/core/data.py FEATURES
  x1: (x, y) => x, x2: (x, y) => y, x1sq: (x, y) => x * x, x2sq: (x, y) => y * y, x1x2: (x, y) => x * y,
  sinx1: (x, y) => Math.sin(x), sinx2: (x, y) => Math.sin(y),
};

// tanh by linear interpolation in a table over [-10, 10] (error below 1e-6; Math.tanh costs about as much as all the
// multiply-adds of a frame): the common activations are the ones a frame's budget depends on.
const TANH_LOW = -10, TANH_STEPS = 8192, TANH_SCALE = TANH_STEPS / 20;
const TANH_TABLE = Float32Array.from({length: TANH_STEPS + 2}, (_, k) => Math.tanh(TANH_LOW + k / TANH_SCALE));

function tanhTable(a, from, to, inScale = 1, outScale = 1, outShift = 0) {   // a = outShift + outScale * tanh(inScale * a)
  for (let p = from; p < to; p++) {
    const x = (inScale * a[p] - TANH_LOW) * TANH_SCALE;
    let t;
    if (x <= 0) t = -1;
    else if (x >= TANH_STEPS) t = 1;
    else { const k = x | 0, lo = TANH_TABLE[k]; t = lo + (x - k) * (TANH_TABLE[k + 1] - lo); }
    a[p] = outShift + outScale * t;
  }
}

const ACTIVATION_FUNCTIONS = {  // in place over a[from, to), as playground/core/model.py ACTIVATIONS (jax.nn)
  relu(a, from, to) { for (let p = from; p < to; p++) if (a[p] < 0) a[p] = 0; },
  tanh(a, from, to) { tanhTable(a, from, to); },
  sigmoid(a, from, to) { tanhTable(a, from, to, 0.5, 0.5, 0.5); },   // sigmoid(z) = (1 + tanh(z / 2)) / 2
  linear() {},
  leaky_relu(a, from, to) { for (let p = from; p < to; p++) if (a[p] < 0) a[p] *= 0.01; },
  elu(a, from, to) { for (let p = from; p < to; p++) if (a[p] <= 0) a[p] = Math.expm1(a[p]); },
  gelu(a, from, to) {   // jax.nn.gelu's default: the tanh approximation
    for (let p = from; p < to; p++) {
      const z = a[p];
      a[p] = 0.5 * z * (1 + Math.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z * z * z)));
    }
  },
  swish(a, from, to) { for (let p = from; p < to; p++) a[p] = a[p] / (1 + Math.exp(-a[p])); },
  softplus(a, from, to) {
    for (let p = from; p < to; p++) { const z = a[p]; a[p] = Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0); }
  },
  sin(a, from, to) { for (let p = from; p < to; p++) a[p] = Math.sin(a[p]); },
};

function gridCoordinates(extent, n) {   // as probes.grid_points: float32 linspace, row 0 at y = +extent
  const xs = new Float32Array(n);
  for (let k = 0; k < n; k++) xs[k] = n > 1 ? -extent + 2 * extent * k / (n - 1) : -extent;
  return xs;
}

// spec: {sizes, features, activations, head, extent}; n: grid points per side.
// Returns forward(params) -> {layers, output}: layers[l] is a Float32Array (width_l * n * n), neuron-major, l = 0
// the input features; output is (n_out * n * n): the head's prediction (class-1 probability, class probabilities,
// or the regression value). `params` is a Float32Array: per layer the kernel (in, out) row by row, then the biases.
function makeForward(spec, n) {
  const P = n * n, sizes = spec.sizes, xs = gridCoordinates(spec.extent, n);
  const layers = sizes.map(w => new Float32Array(w * P));
  spec.features.forEach((name, f) => {
    const fn = FEATURE_FUNCTIONS[name], a = layers[0];
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) a[f * P + r * n + c] = fn(xs[c], xs[n - 1 - r]);
  });
  const last = sizes.length - 1, kOut = sizes[last], output = new Float32Array(kOut * P);
  function forward(params) {
    let offset = 0;
    for (let l = 0; l < last; l++) {
      const nIn = sizes[l], nOut = sizes[l + 1], input = layers[l], out = layers[l + 1];
      const biases = offset + nIn * nOut;
      for (let j = 0; j < nOut; j++) {   // summed straight into the output (float32): no copy, half the bytes
        const o = j * P;
        out.fill(params[biases + j], o, o + P);
        let i = 0;
        for (; i + 4 <= nIn; i += 4) {   // four inputs per pass: a quarter of the passes over the output
          const w0 = params[offset + i * nOut + j], w1 = params[offset + (i + 1) * nOut + j];
          const w2 = params[offset + (i + 2) * nOut + j], w3 = params[offset + (i + 3) * nOut + j];
          const b0 = i * P, b1 = b0 + P, b2 = b1 + P, b3 = b2 + P;
          for (let p = 0; p < P; p++) {
            out[o + p] += w0 * input[b0 + p] + w1 * input[b1 + p] + w2 * input[b2 + p] + w3 * input[b3 + p];
          }
        }
        for (; i < nIn; i++) {
          const w = params[offset + i * nOut + j], base = i * P;
          for (let p = 0; p < P; p++) out[o + p] += w * input[base + p];
        }
      }
      offset = biases + nOut;
      if (l < last - 1) ACTIVATION_FUNCTIONS[spec.activations[l]](out, 0, nOut * P);
    }
    head(spec.head, layers[last], output, kOut, P);
    return {layers, output};
  }
  forward.n = n;
  forward.layers = layers;   // layers[0], the input features, is filled once here
  return forward;
}

function head(name, z, out, k, P) {   // as model.head_output
  if (name === "sigmoid_ce") { out.set(z.subarray(0, P)); tanhTable(out, 0, P, 0.5, 0.5, 0.5); }
  else if (name === "tanh_mse") { out.set(z.subarray(0, P)); tanhTable(out, 0, P); }
  else if (name === "softmax_ce") {
    for (let p = 0; p < P; p++) {
      let top = -Infinity, sum = 0;
      for (let c = 0; c < k; c++) top = Math.max(top, z[c * P + p]);
      for (let c = 0; c < k; c++) { const e = Math.exp(z[c * P + p] - top); out[c * P + p] = e; sum += e; }
      for (let c = 0; c < k; c++) out[c * P + p] /= sum;
    }
  } else out.set(z.subarray(0, P));
}

// float16 -> float32 through a table of all 65,536 values, built once
const HALF = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    table[h] = sign * (e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15));
  }
  return table;
})();

function decodeParameters(b64, f32, into) {   // base64 -> the Float32Array `into` (reused), float16 or float32
  const bytes = decode(b64);
  if (f32) { into.set(new Float32Array(bytes.buffer, 0, bytes.length / 4)); return into; }
  const halves = new Uint16Array(bytes.buffer, 0, bytes.length / 2);
  for (let i = 0; i < halves.length; i++) into[i] = HALF[halves[i]];
  return into;
}

function parameterCount(sizes) {
  let total = 0;
  for (let l = 0; l + 1 < sizes.length; l++) total += (sizes[l] + 1) * sizes[l + 1];
  return total;
}

// For tests and the console: the same forward pass on plain arrays.
window.__pgForward = (spec, params, n) => {
  const {layers, output} = makeForward(spec, n)(Float32Array.from(params));
  return {layers: layers.slice(1, -1).map(a => Array.from(a)), output: Array.from(output)};
};

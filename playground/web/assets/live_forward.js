// The network's forward pass over the plane, in the browser: every neuron's value at every grid point, computed from
// the weights a frame carries. Mirrors playground/core (data.py FEATURES, model.py ACTIVATIONS and head_output,
// probes.grid_points); tests/test_forward_js.py checks it against the engine's grid probe to 1e-4.
// Every array is allocated once per network shape (makeForward) and reused by every frame: no allocation per pixel.
// The layers run in WebAssembly SIMD where the browser has it (every current one), else in plain JavaScript.

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

// ---- One dense layer in WebAssembly SIMD: four grid points per instruction ---------------------------------------
// The multiply-adds of a frame are most of its script time (C2: 3.4 million on the 100 x 100 grid, ~9 ms a frame in
// plain JavaScript, which computes each in double precision one point at a time). WebAssembly's 128-bit SIMD does
// four float32 points at once. The module is small enough to be written here byte by byte (no build step):
//   dense(in, out, w, nIn, nOut, rowBytes, act): out[j][p] = act(w_bias[j] + sum_i w[i][j] * in[i][p])
// in, out and w are byte addresses in the memory (neuron-major rows of rowBytes = 4 * points, a multiple of 16);
// act: 0 none, 1 tanh, 2 sigmoid, 3 relu, 4 leaky_relu (the others are applied afterwards in JavaScript).
// tanh is the rational approximation XLA's CPU backend uses for float32 (from Eigen: clamped to +-7.9053, degree
// 13 over 6), within 4e-7 of tanh; sigmoid(z) = 0.5 + 0.5 tanh(z / 2) as in the plain path.
const SIMD_ACTIVATIONS = {tanh: 1, sigmoid: 2, relu: 3, leaky_relu: 4};
const TANH_CLAMP = 7.90531110763549805;
const TANH_NUMERATOR = [4.89352455891786e-03, 6.37261928875436e-04, 1.48572235717979e-05, 5.12229709037114e-08,
                        -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16];   // x^1, x^3, ... x^13
const TANH_DENOMINATOR = [4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04, 1.19825839466702e-06];

const DENSE_MODULE = (() => {
  const leb = n => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
  const sleb = n => { const out = []; for (;;) { const b = n & 0x7f; n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) { out.push(b); return out; } out.push(b | 0x80); } };
  const get = k => [0x20, k], set = k => [0x21, k], i32 = n => [0x41, ...sleb(n)];
  const simd = op => [0xfd, ...leb(op)];
  const splatConst = x => [0xfd, 0x0c, ...new Uint8Array(new Float32Array([x, x, x, x]).buffer)];   // v128.const
  const [ADD, MUL, DIV, MIN, MAX] = [0xe4, 0xe6, 0xe7, 0xe8, 0xe9].map(simd);
  const LOAD = [...simd(0x00), 4, 0], STORE = [...simd(0x0b), 4, 0], SPLAT = simd(0x13), F32_LOAD = [0x2a, 2, 0];
  const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], IF = [0x04, 0x40], END = 0x0b, BR = d => [0x0c, d];
  const BR_IF = d => [0x0d, d], I32_ADD = 0x6a, I32_SUB = 0x6b, I32_MUL = 0x6c, I32_SHL = 0x74, I32_EQ = 0x46;
  const I32_EQZ = 0x45, I32_GE_U = 0x4f, I32_OR = 0x72;
  // locals: parameters 0-6 (in, out, w, nIn, nOut, rowBytes, act); i32 7-12; v128 13-16
  const [IN, OUT, W, N_IN, N_OUT, ROW, ACT] = [0, 1, 2, 3, 4, 5, 6];
  const [J, P, I, SRC, WP, DST] = [7, 8, 9, 10, 11, 12], [ACC, BIAS, X, X2] = [13, 14, 15, 16];
  const isAct = k => [...get(ACT), ...i32(k), I32_EQ];
  const horner = (coefficients, tail) => {   // ((c_n x2 + c_n-1) x2 + ...) + c_0, on the stack
    const code = [...splatConst(coefficients[coefficients.length - 1])];
    for (let k = coefficients.length - 2; k >= 0; k--) code.push(...get(X2), ...MUL, ...splatConst(coefficients[k]), ...ADD);
    return [...code, ...tail];
  };
  const tanhOfAcc = [
    ...get(ACC), ...splatConst(-TANH_CLAMP), ...MAX, ...splatConst(TANH_CLAMP), ...MIN, ...set(X),
    ...get(X), ...get(X), ...MUL, ...set(X2),
    ...horner(TANH_NUMERATOR, [...get(X), ...MUL]), ...horner(TANH_DENOMINATOR, []), ...DIV, ...set(ACC),
  ];
  const body = [
    ...i32(0), ...set(J),
    ...BLOCK, ...LOOP,
      ...get(J), ...get(N_OUT), I32_GE_U, ...BR_IF(1),
      // bias: w[nIn * nOut + j]
      ...get(W), ...get(N_IN), ...get(N_OUT), I32_MUL, ...get(J), I32_ADD, ...i32(2), I32_SHL, I32_ADD,
      ...F32_LOAD, ...SPLAT, ...set(BIAS),
      ...get(OUT), ...get(J), ...get(ROW), I32_MUL, I32_ADD, ...set(DST),
      ...i32(0), ...set(P),
      ...BLOCK, ...LOOP,
        ...get(P), ...get(ROW), I32_GE_U, ...BR_IF(1),
        ...get(BIAS), ...set(ACC),
        ...get(IN), ...get(P), I32_ADD, ...set(SRC),
        ...get(W), ...get(J), ...i32(2), I32_SHL, I32_ADD, ...set(WP),
        ...get(N_IN), ...set(I),
        ...BLOCK, ...LOOP,
          ...get(I), I32_EQZ, ...BR_IF(1),
          ...get(ACC), ...get(SRC), ...LOAD, ...get(WP), ...F32_LOAD, ...SPLAT, ...MUL, ...ADD, ...set(ACC),
          ...get(SRC), ...get(ROW), I32_ADD, ...set(SRC),
          ...get(WP), ...get(N_OUT), ...i32(2), I32_SHL, I32_ADD, ...set(WP),
          ...get(I), ...i32(1), I32_SUB, ...set(I),
          ...BR(0),
        END, END,
        ...isAct(2), ...IF, ...get(ACC), ...splatConst(0.5), ...MUL, ...set(ACC), END,
        ...isAct(1), ...isAct(2), I32_OR, ...IF, ...tanhOfAcc, END,
        ...isAct(2), ...IF, ...get(ACC), ...splatConst(0.5), ...MUL, ...splatConst(0.5), ...ADD, ...set(ACC), END,
        ...isAct(3), ...IF, ...get(ACC), ...splatConst(0), ...MAX, ...set(ACC), END,
        ...isAct(4), ...IF, ...get(ACC), ...get(ACC), ...splatConst(0.01), ...MUL, ...MAX, ...set(ACC), END,
        ...get(DST), ...get(P), I32_ADD, ...get(ACC), ...STORE,
        ...get(P), ...i32(16), I32_ADD, ...set(P),
        ...BR(0),
      END, END,
      ...get(J), ...i32(1), I32_ADD, ...set(J),
      ...BR(0),
    END, END,
    END,
  ];
  const locals = [2, ...leb(6), 0x7f, ...leb(4), 0x7b];   // 6 i32, 4 v128
  const fn = [...locals, ...body];
  const section = (id, content) => [id, ...leb(content.length), ...content];
  const name = s => [...leb(s.length), ...[...s].map(c => c.charCodeAt(0))];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 7, ...Array(7).fill(0x7f), 0]),
    ...section(2, [1, ...name("e"), ...name("m"), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("dense"), 0x00, 0]),
    ...section(10, [1, ...leb(fn.length), ...fn]),
  ];
  try { return new WebAssembly.Module(new Uint8Array(bytes)); } catch (e) { return null; }   // no SIMD: plain path
})();

function gridCoordinates(extent, n) {   // as probes.grid_points: float32 linspace, row 0 at y = +extent
  const xs = new Float32Array(n);
  for (let k = 0; k < n; k++) xs[k] = n > 1 ? -extent + 2 * extent * k / (n - 1) : -extent;
  return xs;
}

// spec: {sizes, features, activations, head, extent}; n: grid points per side.
// Returns forward(params) -> {layers, output}: layers[l] is a Float32Array (width_l * n * n), neuron-major, l = 0
// the input features; output is (n_out * n * n): the head's prediction (class-1 probability, class probabilities,
// or the regression value). `params` is a Float32Array: per layer the kernel (in, out) row by row, then the biases.
// `shared` (optional, from sharedMemory()): the layers live in that WebAssembly memory, grown as needed, which the
// next makeForward with it reuses: for many networks run one after another (the lab's grid), whose each forward is
// used before the next is made.
function makeForward(spec, n, plain = false, shared = null) {
  const P = n * n, sizes = spec.sizes, xs = gridCoordinates(spec.extent, n);
  const last = sizes.length - 1, kOut = sizes[last], output = new Float32Array(kOut * P);
  const network = denseNetwork(sizes, P, plain, shared), layers = network.layers;
  spec.features.forEach((name, f) => {
    const fn = FEATURE_FUNCTIONS[name], a = layers[0];
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) a[f * P + r * n + c] = fn(xs[c], xs[n - 1 - r]);
  });
  function forward(params) {
    network.run(params, spec.activations);
    head(spec.head, layers[last], output, kOut, P);
    return {layers, output};
  }
  forward.n = n;
  forward.simd = network.simd;
  forward.layers = layers;   // layers[0], the input features, is filled once here
  return forward;
}

// A network's layers over P points, neuron-major (layers[l][j * P + p], layers[0] the input, filled by the caller),
// made once per shape: {layers, simd, run(params, activations)}, in WebAssembly SIMD where the browser has it and P is
// a multiple of 4, else in plain JavaScript. The live view's forward pass and the GAN view's networks both use it.
function denseNetwork(sizes, P, plain = false, shared = null) {
  if (!plain && DENSE_MODULE && P % 4 === 0) return simdLayers(sizes, P, shared);
  const layers = sizes.map(w => new Float32Array(w * P));
  return {layers, simd: false, run: (params, activations) => plainLayers(sizes, layers, params, activations, P)};
}

// Every layer's values in one WebAssembly memory (made once per network shape and never grown, so the views stay
// valid): the layers one after another, then the parameters. With `shared`, its memory instead, grown if too small
// (which invalidates the views of the forward made before: the caller has used it by then).
function simdLayers(sizes, P, shared = null) {
  const count = sizes.reduce((a, w) => a + w, 0) * P, weights = parameterCount(sizes);
  const pages = Math.ceil((count + weights) * 4 / 65536);
  let memory, run;
  if (shared) {
    if (!shared.memory) {
      shared.memory = new WebAssembly.Memory({initial: pages});
      shared.run = new WebAssembly.Instance(DENSE_MODULE, {e: {m: shared.memory}}).exports.dense;
    }
    const have = shared.memory.buffer.byteLength / 65536;
    if (have < pages) shared.memory.grow(pages - have);
    ({memory, run} = shared);
  } else {
    memory = new WebAssembly.Memory({initial: pages});
    run = new WebAssembly.Instance(DENSE_MODULE, {e: {m: memory}}).exports.dense;
  }
  const layers = [], starts = [];
  let at = 0;
  for (const w of sizes) { starts.push(at * 4); layers.push(new Float32Array(memory.buffer, at * 4, w * P)); at += w * P; }
  const wAt = at * 4, w = new Float32Array(memory.buffer, wAt, weights), last = sizes.length - 1;
  return {layers, simd: true, run(params, activations) {
    w.set(params);
    for (let l = 0, offset = 0; l < last; l++) {
      const name = l < last - 1 ? activations[l] : "linear", act = SIMD_ACTIVATIONS[name] || 0;
      run(starts[l], starts[l + 1], wAt + offset * 4, sizes[l], sizes[l + 1], P * 4, act);
      if (!act) ACTIVATION_FUNCTIONS[name](layers[l + 1], 0, sizes[l + 1] * P);
      offset += (sizes[l] + 1) * sizes[l + 1];
    }
  }};
}

function plainLayers(sizes, layers, params, activations, P) {   // the same in plain JavaScript, float32 sums
  const last = sizes.length - 1;
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
    if (l < last - 1) ACTIVATION_FUNCTIONS[activations[l]](out, 0, nOut * P);
  }
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
window.__pgForward = (spec, params, n, plain = false) => {
  const forward = makeForward(spec, n, plain), {layers, output} = forward(Float32Array.from(params));
  return {layers: layers.slice(1, -1).map(a => Array.from(a)), output: Array.from(output), simd: forward.simd};
};

// Shared by the browser components; the palette's constants (NEG, MID, POS, CLASS_COLOURS) are prepended from
// playground/palette.py.

function decode(b64) {   // base64 -> Uint8Array
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function mix(a, b, t) { return [0, 1, 2].map(i => Math.round(a[i] + (b[i] - a[i]) * t)); }

// Shared by the CRF's lattice-iteration shaders (the host prepends it; the including shader
// declares C4). Label vectors are stored as words (vec4u): 4 float32 labels each (bitcast: exact,
// the reference's numbers), or with HALF 8 float16 labels (pack2x16float). On lavapipe each load
// from a per-lane address is one access per lane whatever its width, and the iterations' time
// follows those loads: float16 storage halves them. Arithmetic stays float32 either way.
override HALF: bool = false;
override WORDS: u32 = select(C4, (C4 + 1u) / 2u, HALF);

fn unpackWord(half: bool, w: vec4u) -> array<vec4f, 2> {
  if (half) {
    return array<vec4f, 2>(vec4f(unpack2x16float(w.x), unpack2x16float(w.y)),
                           vec4f(unpack2x16float(w.z), unpack2x16float(w.w)));
  }
  return array<vec4f, 2>(bitcast<vec4f>(w), vec4f(0.0));
}

fn packWord(half: bool, a: vec4f, b: vec4f) -> vec4u {
  if (half) {
    return vec4u(pack2x16float(a.xy), pack2x16float(a.zw), pack2x16float(b.xy), pack2x16float(b.zw));
  }
  return bitcast<vec4u>(a);
}

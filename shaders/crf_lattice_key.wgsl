// Prelude: a permutohedral lattice key as one 64-bit word (lo, hi), so that the GPU lattice build
// sorts, compares and searches keys as two integers. Every coordinate of a remainder-r vertex is
// ≡ r (mod D + 1), so the word holds r in its lowest bits and, for each coordinate i, the field
// (key_i − r) / (D + 1) − qlo_i from bit shift_i, width_i bits wide. src/deeplab/crf_plan_gpu.ts
// sizes the fields from bounds on the features so that every vertex of them fits; a key outside
// the fields (a blur neighbour past the lattice's edge) is no vertex, and pack_key says so.
// The including shader declares `override D` and a uniform `p` with a `key: KeyLayout` member.
struct KeyLayout { qlo: array<vec4i, 2>, shift: array<vec4u, 2>, width: array<vec4u, 2> }

alias LatticeKey = array<i32, 8>;
struct PackedKey { word: vec2u, ok: bool }

fn key_shift(i: u32) -> u32 { return p.key.shift[i / 4u][i % 4u]; }
fn key_width(i: u32) -> u32 { return p.key.width[i / 4u][i % 4u]; }

fn pack_key(key: ptr<function, LatticeKey>) -> PackedKey {
  let d1 = i32(D) + 1;
  let r = ((*key)[0] % d1 + d1) % d1;
  var w = vec2u(u32(r), 0u);
  var ok = true;
  for (var i = 0u; i < D; i++) {
    let f = ((*key)[i] - r) / d1 - p.key.qlo[i / 4u][i % 4u];
    let b = key_width(i);
    ok = ok && f >= 0 && u32(f) < (1u << b);
    let v = u32(f) & ((1u << b) - 1u);
    let o = key_shift(i);
    // WGSL takes shift amounts modulo 32: the two words are handled apart.
    if (o >= 32u) {
      w.y |= v << (o - 32u);
    } else {
      w.x |= v << o;
      if (o + b > 32u) { w.y |= v >> (32u - o); }
    }
  }
  return PackedKey(w, ok);
}

fn unpack_key(w: vec2u) -> LatticeKey {
  let d1 = i32(D) + 1;
  let r = i32(w.x & ((1u << key_shift(0u)) - 1u));
  var key: LatticeKey;
  for (var i = 0u; i < D; i++) {
    let b = key_width(i);
    let o = key_shift(i);
    var v = 0u;
    if (o >= 32u) {
      v = w.y >> (o - 32u);
    } else {
      v = w.x >> o;
      if (o + b > 32u) { v |= w.y << (32u - o); }
    }
    key[i] = (i32(v & ((1u << b) - 1u)) + p.key.qlo[i / 4u][i % 4u]) * d1 + r;
  }
  return key;
}

/** a < b as 64-bit words. */
fn key_less(a: vec2u, b: vec2u) -> bool { return a.y < b.y || (a.y == b.y && a.x < b.x); }

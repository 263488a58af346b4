/**
 * The permutohedral lattice (Adams, Baek & Davis 2010) exactly as DeepLab's copy of libDenseCRF
 * builds it on SSE machines (permutohedral.cpp, `init` with SSE_PERMUTOHEDRAL): float32 arithmetic
 * throughout, round-half-even of elevated/(d+1), strict `<` when ranking, and vertex ids handed
 * out in insertion order (pixel order, then remainder 0..d). Matching the order matters: the splat
 * sums of a vertex then add the same float32 terms in the same order as the reference.
 *
 * Built once per image on the CPU and turned into GPU tables (src/deeplab/crf_plan.ts), or built
 * on the GPU to the same tables (src/deeplab/crf_plan_gpu.ts, which shares elevation() and this
 * arithmetic); every per-iteration step (splat, blur, slice) runs in WGSL (src/kernels/crf.ts).
 * filterCpu() is the reference's filter on the CPU (crf_reference.ts, tests).
 */
export interface Lattice {
  /** Feature dimension d (each pixel touches d+1 vertices). */
  d: number;
  /** Pixels. */
  n: number;
  /** Vertices. */
  m: number;
  /** n×(d+1): the vertex id of each pixel's vertex of remainder 0..d. */
  offsets: Int32Array;
  /** n×(d+1): the barycentric weight of that vertex. */
  weights: Float32Array;
  /** (d+1)×m×2: for blur axis j and vertex i, its two neighbours along j; −1 where none exists. */
  neighbours: Int32Array;
}

const f32 = Math.fround;

/**
 * SSE's _mm_round_ps / cvtps under the default MXCSR: ties go to the even integer. Adding and
 * taking away 1.5·2^52 leaves no fraction bits in a double, so the addition itself rounds, to
 * nearest even (exact for |v| < 2^51; the features are far smaller); a branch on ties and a
 * remainder, as Math.round needs, cost more.
 */
const RNE = 1.5 * 2 ** 52;
export function roundHalfEven(v: number): number {
  const r = v + RNE - RNE;
  return r === 0 ? v * 0 : r; // −0.5 rounds to −0, as in SSE
}

/**
 * Open-addressing hash table (linear probing, at most half full) of integer keys of length d;
 * ids are insertion order, like the reference's. The keys lie in id order; a slot is one int,
 * (id + 1) in the bits below the table size and the key's hash above them, so a probe that meets
 * another key is almost always rejected without reading that key. With ~10⁶ lookups per image,
 * mostly cache misses, this small table measured faster than slots of (id, hash) or of (id, key)
 * and than bare ids. The hash only picks slots, so it need not be the reference's.
 */
class KeyTable {
  /** m×d: the key of each id. */
  keys: Int32Array;
  /** (hash & ~mask) | (id + 1); 0 marks an empty slot. */
  private slots: Int32Array;
  private mask = 1023;
  size = 0;
  constructor(private readonly d: number) {
    this.slots = new Int32Array(this.mask + 1);
    this.keys = new Int32Array(((this.mask + 1) / 2) * d);
  }
  private hash(k: Int32Array, off: number): number {
    let r = 0;
    for (let i = 0; i < this.d; i++) r = KeyTable.mix(r, k[off + i]);
    return KeyTable.finish(r);
  }
  /** hash() one coordinate at a time, for callers that fold it in as they form a key. */
  static mix(h: number, coordinate: number): number {
    return Math.imul(h + coordinate, 1664525);
  }
  static finish(h: number): number {
    return h ^ (h >>> 15);
  }
  /** The slot holding key k[off..off+d) (hash h), or the empty slot where it would go. */
  private slot(k: Int32Array, off: number, h: number): number {
    const { d, slots, keys, mask } = this;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = slots[i];
      if (v === 0) return i;
      if (((v ^ h) & ~mask) !== 0) continue;
      const e = (v & mask) - 1;
      let c = 0;
      while (c < d && keys[e * d + c] === k[off + c]) c++;
      if (c === d) return i;
    }
  }
  /** The id of key k[off..off+d), or −1. */
  find(k: Int32Array, off: number): number {
    const v = this.slots[this.slot(k, off, this.hash(k, off))];
    return (v & this.mask) - 1;
  }
  /** The id of key k[off..off+d), inserted with the next id if new. */
  insert(k: Int32Array, off: number): number {
    return this.insertHashed(k, off, this.hash(k, off));
  }
  /** insert() for a key whose hash the caller has computed (KeyTable.mix over its coordinates, then finish). */
  insertHashed(k: Int32Array, off: number, h: number): number {
    const s = this.slot(k, off, h);
    if (this.slots[s] !== 0) return (this.slots[s] & this.mask) - 1;
    const id = this.size++;
    this.slots[s] = (h & ~this.mask) | (id + 1);
    for (let c = 0; c < this.d; c++) this.keys[id * this.d + c] = k[off + c];
    if (2 * this.size > this.mask) this.grow();
    return id;
  }
  private grow(): void {
    const d = this.d;
    const old = this.keys;
    this.mask = 2 * this.mask + 1;
    this.slots = new Int32Array(this.mask + 1);
    this.keys = new Int32Array(((this.mask + 1) / 2) * d);
    this.keys.set(old.subarray(0, this.size * d));
    for (let e = 0; e < this.size; e++) {
      const h = this.hash(this.keys, e * d);
      const s = this.slot(this.keys, e * d, h); // an empty slot: keys are distinct
      this.slots[s] = (h & ~this.mask) | (e + 1);
    }
  }
}

/**
 * Builds the lattice of n float32 feature vectors of dimension d (features[i*d + k]). The two
 * phases are separate functions so that V8 optimises each on its own: in one function, the
 * first (cold) call ran the second phase in code compiled without feedback for it, and deopted.
 */
export function buildLattice(features: Float32Array, d: number, n: number): Lattice {
  const table = new KeyTable(d);
  const offsets = new Int32Array(n * (d + 1));
  const weights = new Float32Array(n * (d + 1));
  splatVertices(features, d, n, table, offsets, weights);
  return { d, n, m: table.size, offsets, weights, neighbours: blurNeighbours(table, d) };
}

/**
 * buildLattice for keys and weights computed elsewhere (on the GPU: kernels/lattice_coords.ts):
 * `keys` is n×(d+1)×d, each pixel's vertex keys by remainder, `weights` n×(d+1). The ids come out
 * in the same insertion order, so the lattice is buildLattice's whenever the keys are.
 */
export function latticeFromKeys(keys: Int32Array, weights: Float32Array, d: number, n: number): Lattice {
  const table = new KeyTable(d);
  const offsets = new Int32Array(n * (d + 1));
  hashVertices(keys, d, n, table, offsets);
  return { d, n, m: table.size, offsets, weights, neighbours: blurNeighbours(table, d) };
}

function hashVertices(keys: Int32Array, d: number, n: number, table: KeyTable, offsets: Int32Array): void {
  const d1 = d + 1;
  const row = d1 * d;
  for (let k = 0; k < n; k++) {
    for (let r = 0; r <= d; r++) {
      // As splatVertices: the previous pixel's vertex of the same remainder, when the key matches.
      const off = k * row + r * d;
      let same = k > 0;
      for (let i = 0; i < d && same; i++) same = keys[off + i] === keys[off - row + i];
      offsets[k * d1 + r] = same ? offsets[(k - 1) * d1 + r] : table.insert(keys, off);
    }
  }
}

/**
 * The diagonal of E (Adams et al. pp. 5-6, scaled by the filter's expected standard deviation) and
 * 1/(d+1), each computed in double and stored as float32, as the reference does.
 */
export function elevation(d: number): { scale: Float64Array; invD1: number } {
  const invStdDev = f32(Math.sqrt(2 / 3) * (d + 1));
  const scale = new Float64Array(d);
  for (let i = 0; i < d; i++) scale[i] = f32((1 / Math.sqrt((i + 2) * (i + 1))) * invStdDev);
  return { scale, invD1: f32(1 / (d + 1)) };
}

/** Each pixel's d+1 enclosing vertices (ids from `table`, in insertion order) and their barycentric weights. */
function splatVertices(features: Float32Array, d: number, n: number, table: KeyTable, offsets: Int32Array, weights: Float32Array): void {
  const d1 = d + 1;
  // canonical[r][i]: the offset of coordinate i's vertex of remainder r, given i's rank.
  const canonical = new Int32Array(d1 * d1);
  for (let r = 0; r <= d; r++) for (let j = 0; j <= d; j++) canonical[r * d1 + j] = j <= d - r ? r : r - d1;
  const simplex = new Simplex(d);
  const { rem0, rank, bary } = simplex;
  // The d+1 vertex keys of this pixel and of the previous one (row r = remainder r).
  let keys = new Int32Array(d1 * d);
  let prevKeys = new Int32Array(d1 * d);

  for (let k = 0; k < n; k++) {
    simplex.enclose(features, k);
    // The d+1 enclosing vertices (keys are the first d coordinates). Neighbouring pixels often
    // share vertices; a vertex of remainder r can only be the previous pixel's vertex r, which is
    // in the table already, so reusing its id skips a lookup and changes no id.
    for (let r = 0; r <= d; r++) {
      let same = k > 0;
      let h = 0; // the table's hash, folded in as the key is formed
      for (let i = 0; i < d; i++) {
        const key = rem0[i] + canonical[r * d1 + rank[i]];
        same = same && key === prevKeys[r * d + i];
        keys[r * d + i] = key;
        h = KeyTable.mix(h, key);
      }
      offsets[k * d1 + r] = same ? offsets[(k - 1) * d1 + r] : table.insertHashed(keys, r * d, KeyTable.finish(h));
      weights[k * d1 + r] = bary[r];
    }
    const t = keys;
    keys = prevKeys;
    prevKeys = t;
  }
}

/**
 * One pixel's enclosing simplex, as the reference finds it: the nearest remainder-0 point `rem0`,
 * each coordinate's `rank`, and the barycentric weights `bary` (scratch arrays, refilled per
 * pixel; float32 values held in doubles, rounded by f32 where the reference's float32 arithmetic
 * rounds). A method of its own rather than inline in splatVertices' loop: V8 optimises a small
 * function sooner, which shortens a first call (a fresh process's positional lattice: 68–96
 * against 77–104 ms).
 */
class Simplex {
  readonly d1: number;
  readonly scale: Float64Array;
  readonly invD1: number;
  readonly elevated: Float64Array;
  readonly rem0: Int32Array;
  readonly residual: Float64Array;
  readonly rank: Int32Array;
  readonly bary: Float64Array;
  constructor(readonly d: number) {
    this.d1 = d + 1;
    ({ scale: this.scale, invD1: this.invD1 } = elevation(d));
    this.elevated = new Float64Array(d + 1);
    this.rem0 = new Int32Array(d + 1);
    this.residual = new Float64Array(d + 1);
    this.rank = new Int32Array(d + 1);
    this.bary = new Float64Array(d + 2);
  }

  /** The simplex of the feature vector features[k·d .. k·d + d). */
  enclose(features: Float32Array, k: number): void {
    const { d, d1, scale, invD1, elevated, rem0, residual, rank, bary } = this;
    // Elevate onto the hyperplane (y = E f).
    let sm = 0;
    for (let j = d; j > 0; j--) {
      const cf = f32(features[k * d + j - 1] * scale[j - 1]);
      elevated[j] = f32(sm - f32(j * cf));
      sm = f32(sm + cf);
    }
    elevated[0] = sm;
    // Nearest remainder-0 point.
    let sum = 0;
    for (let i = 0; i <= d; i++) {
      const v = roundHalfEven(f32(invD1 * elevated[i]));
      rem0[i] = v * d1;
      sum += v;
      residual[i] = f32(elevated[i] - rem0[i]);
      rank[i] = 0;
    }
    // Rank of each coordinate's residual (ties: the later coordinate ranks higher).
    for (let i = 0; i < d; i++) {
      for (let j = i + 1; j <= d; j++) {
        const below = +(residual[i] < residual[j]); // branch-free: the comparisons are data-dependent
        rank[i] += below;
        rank[j] += 1 - below;
      }
    }
    // Bring the point back onto the plane if the rounding left it off (sum ≠ 0).
    for (let i = 0; i <= d; i++) {
      rank[i] += sum;
      if (rank[i] < 0) (rank[i] += d1), (rem0[i] += d1);
      else if (rank[i] >= d1) (rank[i] -= d1), (rem0[i] -= d1);
      else continue;
      residual[i] = f32(elevated[i] - rem0[i]);
    }
    // Barycentric coordinates (p. 10), float32 accumulation in the reference's order.
    for (let i = 0; i <= d + 1; i++) bary[i] = 0;
    for (let i = 0; i <= d; i++) {
      const v = f32(residual[i] * invD1);
      const p = d - rank[i];
      bary[p] = f32(bary[p] + v);
      bary[p + 1] = f32(bary[p + 1] - v);
    }
    bary[0] = f32(bary[0] + f32(1 + bary[d + 1]));
  }
}

/**
 * (d+1)×m×2 blur neighbours: along axis j, n1 = key + d·e_j − (1 − e_j) and n2 = key − (that).
 * Since n2 of n1(v) is v again, one lookup per vertex and axis fills both.
 */
function blurNeighbours(table: KeyTable, d: number): Int32Array {
  const d1 = d + 1;
  const m = table.size;
  const neighbours = new Int32Array(d1 * m * 2).fill(-1);
  const n1 = new Int32Array(d);
  for (let j = 0; j <= d; j++) {
    for (let v = 0; v < m; v++) {
      for (let c = 0; c < d; c++) n1[c] = table.keys[v * d + c] + (c === j ? d : -1);
      const u = table.find(n1, 0);
      neighbours[(j * m + v) * 2] = u;
      if (u >= 0) neighbours[(j * m + u) * 2 + 1] = v;
    }
  }
  return neighbours;
}

/** The reference's slice scale alpha = 1/(1 + 2^−d), in float32. */
export function sliceAlpha(d: number): number {
  return f32(1 / f32(1 + 2 ** -d));
}

/**
 * The reference's lattice filter on the CPU (splat, blur along axes 0..d, slice), float32
 * arithmetic in its order; `values` is n×vs, pixel-major. For the normalisation and for tests.
 */
export function filterCpu(lat: Lattice, values: Float32Array, vs: number): Float32Array {
  const { d, n, m, offsets, weights, neighbours } = lat;
  const d1 = d + 1;
  // Row 0 stays zero and stands for a missing neighbour (the reference's shift by one).
  let cur = new Float32Array((m + 1) * vs);
  let next = new Float32Array((m + 1) * vs);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d1; j++) {
      const o = (offsets[i * d1 + j] + 1) * vs;
      const w = weights[i * d1 + j];
      for (let k = 0; k < vs; k++) cur[o + k] = f32(cur[o + k] + f32(w * values[i * vs + k]));
    }
  }
  for (let j = 0; j <= d; j++) {
    for (let i = 0; i < m; i++) {
      const a = (neighbours[(j * m + i) * 2] + 1) * vs;
      const b = (neighbours[(j * m + i) * 2 + 1] + 1) * vs;
      const o = (i + 1) * vs;
      for (let k = 0; k < vs; k++) next[o + k] = f32(cur[o + k] + f32(0.5 * f32(cur[a + k] + cur[b + k])));
    }
    [cur, next] = [next, cur];
  }
  const alpha = sliceAlpha(d);
  const out = new Float32Array(n * vs);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d1; j++) {
      const o = (offsets[i * d1 + j] + 1) * vs;
      const w = f32(weights[i * d1 + j] * alpha);
      for (let k = 0; k < vs; k++) out[i * vs + k] = f32(out[i * vs + k] + f32(w * cur[o + k]));
    }
  }
  return out;
}

/**
 * Per-pixel normalisation 1/((K1)ᵢ + 1e−20), computed in double and stored in float32 as the
 * reference does, times `weight` in float32 (the kernel's coefficient w·normᵢ; 1 leaves it as is).
 * filterCpu() of all-ones, written out for one channel: splatting 1 adds the weight itself
 * (f32(w·1) = w), and every sum is rounded to float32 in filterCpu's order.
 */
export function normalisation(lat: Lattice, weight = 1): Float32Array {
  return normalise(lat, weight).coef;
}

/**
 * normalisation(), and the largest blurred value of the all-ones splat (`peak`): blurring only
 * adds non-negative terms, so it bounds every lattice value of any Q in [0, 1] at every pass.
 */
export function normalise(lat: Lattice, weight = 1): { coef: Float32Array; peak: number } {
  const { d, n, m, offsets, weights, neighbours } = lat;
  const d1 = d + 1;
  // Index 0 stays zero and stands for a missing neighbour. A Float32Array store rounds like f32().
  let cur = new Float32Array(m + 1);
  let next = new Float32Array(m + 1);
  for (let e = 0; e < n * d1; e++) cur[offsets[e] + 1] += weights[e];
  for (let j = 0; j <= d; j++) {
    for (let i = 0; i < m; i++) {
      const a = neighbours[(j * m + i) * 2] + 1;
      const b = neighbours[(j * m + i) * 2 + 1] + 1;
      next[i + 1] = cur[i + 1] + f32(0.5 * f32(cur[a] + cur[b]));
    }
    [cur, next] = [next, cur];
  }
  const alpha = sliceAlpha(d);
  const wf = f32(weight);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let k1 = 0;
    for (let j = 0; j < d1; j++) k1 = f32(k1 + f32(f32(weights[i * d1 + j] * alpha) * cur[offsets[i * d1 + j] + 1]));
    out[i] = wf * f32(1 / (k1 + 1e-20));
  }
  let peak = 0;
  for (let i = 1; i <= m; i++) peak = Math.max(peak, cur[i]);
  return { coef: out, peak };
}

/** Positional features (x/σ, y/σ), float32, pixel-major, integer coordinates from 0. */
export function positionalFeatures(width: number, height: number, xyStd: number): Float32Array {
  const s = f32(xyStd);
  const f = new Float32Array(width * height * 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 2;
      f[i] = x / s;
      f[i + 1] = y / s;
    }
  }
  return f;
}

/** Bilateral features (x/σxy, y/σxy, R/σrgb, G/σrgb, B/σrgb) from raw 0..255 RGB, in that order. */
export function bilateralFeatures(width: number, height: number, rgb: Uint8Array, xyStd: number, rgbStd: number): Float32Array {
  const s = f32(xyStd);
  const c = f32(rgbStd);
  const f = new Float32Array(width * height * 5);
  for (let i = 0; i < width * height; i++) {
    f[i * 5] = (i % width) / s;
    f[i * 5 + 1] = Math.floor(i / width) / s;
    f[i * 5 + 2] = rgb[i * 3] / c;
    f[i * 5 + 3] = rgb[i * 3 + 1] / c;
    f[i * 5 + 4] = rgb[i * 3 + 2] / c;
  }
  return f;
}

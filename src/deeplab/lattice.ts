/**
 * The permutohedral lattice (Adams, Baek & Davis 2010) exactly as DeepLab's copy of libDenseCRF
 * builds it on SSE machines (permutohedral.cpp, `init` with SSE_PERMUTOHEDRAL): float32 arithmetic
 * throughout, round-half-even of elevated/(d+1), strict `<` when ranking, and vertex ids handed
 * out in insertion order (pixel order, then remainder 0..d). Matching the order matters: the splat
 * sums of a vertex then add the same float32 terms in the same order as the reference.
 *
 * Built once per image on the CPU; every per-iteration step (splat, blur, slice) runs in WGSL
 * (src/kernels/crf.ts). filterCpu() is the reference's filter on the CPU, used here for the
 * normalisation (computed once) and in tests.
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

/** SSE's _mm_round_ps / cvtps under the default MXCSR: ties go to the even integer. */
function roundHalfEven(v: number): number {
  const r = Math.round(v); // ties towards +∞
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Open-addressing hash table of integer keys of length d; ids are insertion order, like the reference's. */
class KeyTable {
  keys: Int32Array;
  private table: Int32Array;
  size = 0;
  constructor(
    private readonly d: number,
    expected: number,
  ) {
    let cap = 1024;
    while (cap < 2 * expected) cap *= 2; // grows as needed: a small table stays in cache
    this.table = new Int32Array(cap).fill(-1);
    this.keys = new Int32Array((cap / 2) * d);
  }
  private hash(k: Int32Array, off: number): number {
    let r = 0;
    for (let i = 0; i < this.d; i++) r = Math.imul(r + k[off + i], 1664525);
    return (r ^ (r >>> 15)) & (this.table.length - 1);
  }
  /** The id of key k[off..off+d), or −1; inserted with the next id when `create`. */
  find(k: Int32Array, off: number, create: boolean): number {
    if (2 * this.size >= this.table.length) this.grow();
    const d = this.d;
    const mask = this.table.length - 1;
    for (let h = this.hash(k, off); ; h = (h + 1) & mask) {
      const e = this.table[h];
      if (e < 0) {
        if (!create) return -1;
        this.keys.set(k.subarray(off, off + d), this.size * d);
        return (this.table[h] = this.size++);
      }
      let same = true;
      for (let i = 0; i < d && same; i++) same = this.keys[e * d + i] === k[off + i];
      if (same) return e;
    }
  }
  private grow(): void {
    const old = this.keys;
    this.table = new Int32Array(this.table.length * 2).fill(-1);
    this.keys = new Int32Array((this.table.length / 2) * this.d);
    this.keys.set(old.subarray(0, this.size * this.d));
    const mask = this.table.length - 1;
    for (let e = 0; e < this.size; e++) {
      let h = this.hash(this.keys, e * this.d);
      while (this.table[h] >= 0) h = (h + 1) & mask;
      this.table[h] = e;
    }
  }
}

/** Builds the lattice of n float32 feature vectors of dimension d (features[i*d + k]). */
export function buildLattice(features: Float32Array, d: number, n: number): Lattice {
  const d1 = d + 1;
  const table = new KeyTable(d, 1024);
  const offsets = new Int32Array(n * d1);
  const weights = new Float32Array(n * d1);
  // canonical[r][i]: the offset of coordinate i's vertex of remainder r, given i's rank.
  const canonical = new Int32Array(d1 * d1);
  for (let r = 0; r <= d; r++) for (let j = 0; j <= d; j++) canonical[r * d1 + j] = j <= d - r ? r : r - d1;
  // Expected standard deviation of the filter and the diagonal of E (Adams et al. pp. 5-6), in
  // double then stored as float32, as the reference does.
  const invStdDev = f32(Math.sqrt(2 / 3) * d1);
  const scale = Float64Array.from({ length: d }, (_, i) => f32((1 / Math.sqrt((i + 2) * (i + 1))) * invStdDev));
  const invD1 = f32(1 / d1);
  const elevated = new Float64Array(d1);
  const rem0 = new Float64Array(d1);
  const rank = new Int32Array(d1);
  const bary = new Float64Array(d + 2);
  const key = new Int32Array(d1);
  // Neighbouring pixels often fall in the same simplex: then their vertices are the previous
  // pixel's (already in the table, so skipping the lookups changes no id).
  const prevRem0 = new Float64Array(d1).fill(NaN);
  const prevRank = new Int32Array(d1);

  for (let k = 0; k < n; k++) {
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
    }
    // Rank of each coordinate's residual (ties: the later coordinate ranks higher).
    rank.fill(0);
    for (let i = 0; i < d; i++) {
      const di = f32(elevated[i] - rem0[i]);
      for (let j = i + 1; j <= d; j++) {
        if (di < f32(elevated[j] - rem0[j])) rank[i]++;
        else rank[j]++;
      }
    }
    // Bring the point back onto the plane if the rounding left it off (sum ≠ 0).
    for (let i = 0; i <= d; i++) {
      rank[i] += sum;
      if (rank[i] < 0) (rank[i] += d1), (rem0[i] += d1);
      else if (rank[i] >= d1) (rank[i] -= d1), (rem0[i] -= d1);
    }
    // Barycentric coordinates (p. 10), float32 accumulation in the reference's order.
    bary.fill(0);
    for (let i = 0; i <= d; i++) {
      const v = f32(f32(elevated[i] - rem0[i]) * invD1);
      const p = d - rank[i];
      bary[p] = f32(bary[p] + v);
      bary[p + 1] = f32(bary[p + 1] - v);
    }
    bary[0] = f32(bary[0] + f32(1 + bary[d + 1]));
    // The d+1 enclosing vertices (keys are the first d coordinates).
    let same = k > 0;
    for (let i = 0; i < d && same; i++) same = rem0[i] === prevRem0[i] && rank[i] === prevRank[i];
    for (let r = 0; r <= d; r++) {
      if (same) offsets[k * d1 + r] = offsets[(k - 1) * d1 + r];
      else {
        for (let i = 0; i < d; i++) key[i] = rem0[i] + canonical[r * d1 + rank[i]];
        offsets[k * d1 + r] = table.find(key, 0, true);
      }
      weights[k * d1 + r] = bary[r];
    }
    prevRem0.set(rem0);
    prevRank.set(rank);
  }

  const m = table.size;
  const neighbours = new Int32Array(d1 * m * 2);
  const n1 = new Int32Array(d1);
  const n2 = new Int32Array(d1);
  for (let j = 0; j <= d; j++) {
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < d; c++) {
        const kc = table.keys[i * d + c];
        n1[c] = c === j ? kc + d : kc - 1;
        n2[c] = c === j ? kc - d : kc + 1;
      }
      neighbours[(j * m + i) * 2] = table.find(n1, 0, false);
      neighbours[(j * m + i) * 2 + 1] = table.find(n2, 0, false);
    }
  }
  return { d, n, m, offsets, weights, neighbours };
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

/** Per-pixel normalisation 1/((K1)ᵢ + 1e−20), computed in double and stored in float32 as the reference does. */
export function normalisation(lat: Lattice): Float32Array {
  const k1 = filterCpu(lat, new Float32Array(lat.n).fill(1), 1);
  return k1.map((v) => 1 / (v + 1e-20));
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

// One pass of a stable LSD radix sort of (64-bit key, u32 value) pairs: the digit is key bits
// [shift, shift + width), width ≤ log2(radix) ≤ 4. The input is cut into tiles of TILE elements, one
// workgroup each, in three dispatches:
//   count:   each tile's digit histogram, to counts[digit · tiles + tile];
//   scan:    one workgroup turns counts into exclusive prefix sums in that (digit, tile) order, so
//            counts[d · tiles + t] becomes where tile t's first digit-d element goes;
//   scatter: each thread takes a contiguous run of ITEMS elements; per-(digit, thread) counts,
//            scanned in (digit, thread) order, give each element its rank among its tile's
//            equal digits in input order. Equal keys thus never swap: the sort is stable, and
//            with no global atomics its output is the same on every run.
// Per-thread digit counts live in registers, a byte per digit packed in a vec4 (ITEMS < 256), so
// counting needs no shared-memory traffic or atomics per element. The radix is a uniform, not an
// override, so that loops over digits stay loops and one pipeline serves every digit width:
// lavapipe JIT-compiles at the first dispatch, and took 2–4 s for scatters whose loops LLVM
// unrolled (override radix, 16 items, or items held in registers) against 0.3 s for this one.
// Binding order differs from the usual inputs-then-outputs: `counts` comes first so that every
// entry point binds a prefix of one layout (count: counts, keys; scan: counts).
struct Params { n: u32, tiles: u32, shift: u32, width: u32, radix: u32 }   // radix: 2..16

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> counts: array<u32>;   // radix × tiles
@group(0) @binding(2) var<storage, read> keys: array<vec2u>;         // n × (low, high)
@group(0) @binding(3) var<storage, read> values: array<u32>;         // n
@group(0) @binding(4) var<storage, read_write> out_keys: array<vec2u>;
@group(0) @binding(5) var<storage, read_write> out_values: array<u32>;

const MAX_RADIX = 16u;
const WG = 128u;
// Larger tiles pay each workgroup's fixed cost (scan, barriers) over more elements: 32 items
// measured 1.5× faster than 16 on lavapipe. src/kernels/radix_sort.ts mirrors TILE.
const ITEMS = 32u;
const TILE = WG * ITEMS;
const PARTS = WG / MAX_RADIX;    // count: partial sums per digit

// Scatter: (digit, thread) counts, then their scan (workgroup_scan.wgsl, prepended by the host)
// plus the tile's global bases. 8 KiB, under the 16 KiB every WebGPU device offers.
var<workgroup> cells: array<u32, MAX_RADIX * WG>;
var<workgroup> tile_base: array<u32, MAX_RADIX>;
// Count: per-thread packed digit counts, then per-(part, digit) sums.
var<workgroup> packed: array<vec4u, WG>;
var<workgroup> sums: array<u32, WG>;

fn digit_of(key: vec2u) -> u32 {
  let word = select(key.x, key.y, p.shift >= 32u);
  return (word >> (p.shift & 31u)) & ((1u << p.width) - 1u);
}

fn bump(c: ptr<function, vec4u>, d: u32) { (*c)[d >> 2u] += 1u << ((d & 3u) * 8u); }
fn byte_of(c: vec4u, d: u32) -> u32 { return (c[d >> 2u] >> ((d & 3u) * 8u)) & 0xffu; }

@compute @workgroup_size(WG)
fn count(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let tile = wid.x + wid.y * nwg.x;
  if (tile >= p.tiles) { return; }   // uniform: the whole workgroup leaves
  // Counting ignores order, so threads stride through the tile: neighbouring threads read
  // neighbouring keys (coalesced), unlike the scatter's contiguous runs.
  var c = vec4u();
  for (var i = 0u; i < ITEMS; i++) {
    let e = tile * TILE + i * WG + lid;
    if (e < p.n) { bump(&c, digit_of(keys[e])); }
  }
  packed[lid] = c;
  workgroupBarrier();
  // Thread (part q, digit d) adds digit d over the part's WG / PARTS threads (unpacked: the bytes
  // would overflow); then one thread per digit adds the parts.
  let d = lid % MAX_RADIX;
  let q = lid / MAX_RADIX;
  var s = 0u;
  for (var t = q * (WG / PARTS); t < (q + 1u) * (WG / PARTS); t++) { s += byte_of(packed[t], d); }
  sums[q * MAX_RADIX + d] = s;
  workgroupBarrier();
  if (lid < p.radix) {
    var total = 0u;
    for (var j = 0u; j < PARTS; j++) { total += sums[j * MAX_RADIX + lid]; }
    counts[lid * p.tiles + tile] = total;
  }
}

@compute @workgroup_size(WG)
fn scan(@builtin(local_invocation_index) lid: u32) {
  let m = p.radix * p.tiles;
  let chunk = (m + WG - 1u) / WG;
  let start = min(lid * chunk, m);
  let end = min(start + chunk, m);
  var s = 0u;
  for (var i = start; i < end; i++) { s += counts[i]; }
  var run = workgroup_scan(lid, s).x;
  for (var i = start; i < end; i++) {
    let c = counts[i];
    counts[i] = run;
    run += c;
  }
}

@compute @workgroup_size(WG)
fn scatter(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let tile = wid.x + wid.y * nwg.x;
  if (tile >= p.tiles) { return; }   // uniform: the whole workgroup leaves
  // Thread lid owns elements [first, first + ITEMS). It reads them twice (to count, to move)
  // rather than hold them in registers: as fast on lavapipe, 5× quicker to compile there, and on
  // a GPU a cache hit that spares registers.
  let first = tile * TILE + lid * ITEMS;
  var c = vec4u();
  for (var i = 0u; i < ITEMS; i++) {
    let e = first + i;
    if (e < p.n) { bump(&c, digit_of(keys[e])); }
  }
  for (var d = 0u; d < p.radix; d++) { cells[d * WG + lid] = byte_of(c, d); }
  workgroupBarrier();
  // radix · WG cells, WG threads: each scans a contiguous run of radix of them.
  let c0 = lid * p.radix;
  var s = 0u;
  for (var j = 0u; j < p.radix; j++) { s += cells[c0 + j]; }
  var run = workgroup_scan(lid, s).x;
  for (var j = 0u; j < p.radix; j++) {
    let x = cells[c0 + j];
    cells[c0 + j] = run;
    run += x;
  }
  workgroupBarrier();
  // cells[d · WG] is where digit d starts inside the tile; counts where it starts globally.
  // (u32 wrap-around: the difference may be "negative", the sums below never are.)
  if (lid < p.radix) { tile_base[lid] = counts[lid * p.tiles + tile] - cells[lid * WG]; }
  workgroupBarrier();
  // Only thread lid touches cells (d, lid) from here: its first output slot for digit d.
  for (var d = 0u; d < p.radix; d++) { cells[d * WG + lid] += tile_base[d]; }
  var seen = vec4u();
  for (var i = 0u; i < ITEMS; i++) {
    if (first + i < p.n) {
      let key = keys[first + i];
      let d = digit_of(key);
      let pos = cells[d * WG + lid] + byte_of(seen, d);
      bump(&seen, d);
      out_keys[pos] = key;
      out_values[pos] = values[first + i];
    }
  }
}

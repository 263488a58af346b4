// The GPU lattice build after the sort (src/deeplab/crf_plan_gpu.ts): the n·(D + 1) (packed key,
// entry) pairs of one lattice, sorted by key and, within a key, by entry = pixel·(D + 1) + r. Each
// run of equal keys is one vertex; vertices are numbered in key order (no sum depends on the
// numbering, so the CRF's numbers are the CPU build's, whose ids follow insertion order), and each
// run is already that vertex's CSR row with its pixels in pixel order: the order in which the
// reference adds up the splat. Everything is deterministic: the only atomics are integer sums,
// exact in any order.
//   count_vertices  per tile of TILE sorted entries, how many vertices start in it;
//   scan_tiles      one workgroup: those counts' exclusive prefix sum, and the lattice's total;
//   tables          per tile again: each entry's vertex id, written into the CRF plan's tables;
//   neighbours_of   per vertex and blur direction, the two neighbours, by binary search.
struct Params {
  n: u32,            // sorted entries
  tiles: u32,
  first_row: u32,    // the lattice's first row in the plan
  entry_base: u32,   // its first CSR entry in the plan
  k: u32,            // slices per pixel in the plan (both lattices)
  j0: u32,           // this lattice's first slice
  alpha: f32,        // the slice scale 1/(1 + 2^−D)
  m: u32,            // vertices (neighbours)
  passes: u32,       // blur passes of the plan (neighbours)
  rows: u32,         // plan rows, the zero row included (neighbours)
  zero: u32,         // the zero row (tables, neighbours)
  total: u32,        // where scan_tiles writes the vertex count
  key: KeyLayout,
}

@group(0) @binding(0) var<uniform> p: Params;
// count_vertices: keys → tile_counts
@group(0) @binding(1) var<storage, read> keys: array<vec2u>;
@group(0) @binding(2) var<storage, read_write> tile_counts: array<u32>;
// scan_tiles: tile_counts (in place), totals
@group(0) @binding(1) var<storage, read_write> scan: array<u32>;
@group(0) @binding(2) var<storage, read_write> totals: array<u32>;
// tables: keys, entries, weights, scanned tile counts → CSR entries, slices, CSR starts, vertex keys
@group(0) @binding(2) var<storage, read> sorted_entries: array<u32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read> tile_base: array<u32>;
@group(0) @binding(5) var<storage, read_write> csr: array<u32>;       // (pixel, weight bits) pairs
@group(0) @binding(6) var<storage, read_write> slices: array<u32>;    // (row, weight·alpha bits) pairs
@group(0) @binding(7) var<storage, read_write> start: array<u32>;
@group(0) @binding(8) var<storage, read_write> vertex_keys: array<vec2u>;
// neighbours: vertex keys → neighbour rows
@group(0) @binding(1) var<storage, read> vkeys: array<vec2u>;
@group(0) @binding(2) var<storage, read_write> neighbours: array<u32>;

override D: u32;
const WG = 256u;
const ITEMS = 8u;
const TILE = WG * ITEMS;

var<workgroup> tile_total: atomic<u32>;

/** Vertices starting among sorted entries [first, last): runs of equal keys, read once each. */
fn count_starts(first: u32, last: u32) -> u32 {
  var c = 0u;
  var prev = select(vec2u(0u), keys[max(first, 1u) - 1u], first > 0u);
  for (var i = first; i < last; i++) {
    let key = keys[i];
    c += u32(i == 0u || any(key != prev));
    prev = key;
  }
  return c;
}

fn tile_of(wid: vec3u, nwg: vec3u) -> u32 { return wid.x + wid.y * nwg.x; }

@compute @workgroup_size(WG)
fn count_vertices(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                  @builtin(local_invocation_index) lid: u32) {
  let tile = tile_of(wid, nwg);
  // Counting needs no order: neighbouring threads take neighbouring entries (coalesced loads).
  var c = 0u;
  for (var j = 0u; j < ITEMS; j++) {
    let i = tile * TILE + j * WG + lid;
    if (i < p.n) { c += u32(i == 0u || any(keys[i] != keys[max(i, 1u) - 1u])); }
  }
  // A sum needs no scan (whose barriers cost on lavapipe); an atomic sum is exact in any order.
  atomicAdd(&tile_total, c);
  workgroupBarrier();
  if (lid == 0u && tile < p.tiles) { tile_counts[tile] = atomicLoad(&tile_total); }
}

@compute @workgroup_size(WG)
fn scan_tiles(@builtin(local_invocation_index) lid: u32) {
  let chunk = (p.tiles + WG - 1u) / WG;
  let first = lid * chunk;
  let last = min(first + chunk, p.tiles);
  var sum = 0u;
  for (var i = first; i < last; i++) { sum += scan[i]; }
  let s = workgroup_scan(lid, sum);
  var run = s.x;
  for (var i = first; i < last; i++) {
    let c = scan[i];
    scan[i] = run;
    run += c;
  }
  if (lid == 0u) { totals[p.total] = s.y; }
}

@compute @workgroup_size(WG)
fn tables(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let tile = tile_of(wid, nwg);
  let first = tile * TILE + lid * ITEMS;
  let last = min(first + ITEMS, p.n);
  let s = workgroup_scan(lid, count_starts(first, last));
  if (tile >= p.tiles) { return; }
  // Vertices started before entry `first`: the id of the next vertex to start.
  var id = tile_base[tile] + s.x;
  let d1 = D + 1u;
  var prev = select(vec2u(0u), keys[max(first, 1u) - 1u], first > 0u);
  for (var i = first; i < last; i++) {
    let key = keys[i];
    if (i == 0u || any(key != prev)) {
      start[p.first_row + id] = p.entry_base + i;
      vertex_keys[id] = key;
      id++;
    }
    prev = key;
    let row = p.first_row + id - 1u;
    let e = sorted_entries[i];
    let w = weights[e];
    csr[2u * (p.entry_base + i)] = e / d1;
    csr[2u * (p.entry_base + i) + 1u] = bitcast<u32>(w);
    let sl = 2u * ((e / d1) * p.k + p.j0 + e % d1);
    slices[sl] = row;
    slices[sl + 1u] = bitcast<u32>(w * p.alpha);
  }
  // The thread of the last entry ends the last row; after the second lattice comes the zero
  // row, which is empty.
  if (last == p.n && first < last) {
    start[p.first_row + id] = p.entry_base + p.n;
    if (p.first_row + id == p.zero) { start[p.zero + 1u] = p.entry_base + p.n; }
  }
}

/** The index of `w` among the lattice's m sorted vertex keys, or −1. */
fn find_vertex(w: vec2u) -> i32 {
  var lo = 0u;
  var hi = p.m;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (key_less(vkeys[mid], w)) { lo = mid + 1u; } else { hi = mid; }
  }
  return select(-1, i32(lo), lo < p.m && all(vkeys[lo] == w));
}

/** The plan row of the vertex at key + sign·(D·e_j − (1 − e_j)), or the zero row. */
fn neighbour(key: LatticeKey, j: u32, sign: i32) -> u32 {
  var n = key;
  for (var c = 0u; c < D; c++) { n[c] += sign * select(-1, i32(D), c == j); }
  let w = pack_key(&n);
  if (!w.ok) { return p.zero; }
  let u = find_vertex(w.word);
  return select(p.zero, p.first_row + u32(u), u >= 0);
}

@compute @workgroup_size(64)
fn neighbours_of(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                 @builtin(local_invocation_index) lid: u32) {
  let t = tile_of(wid, nwg) * 64u + lid;
  if (t >= p.m * p.passes) {
    // Past the vertices, the lattice placed last writes the zero row: its own neighbour.
    let j = t - p.m * p.passes;
    if (p.first_row + p.m == p.zero && j < p.passes) {
      neighbours[2u * (j * p.rows + p.zero)] = p.zero;
      neighbours[2u * (j * p.rows + p.zero) + 1u] = p.zero;
    }
    return;
  }
  let v = t % p.m;
  let j = t / p.m;
  let o = 2u * (j * p.rows + p.first_row + v);
  // A lattice with fewer directions than the plan's passes sits those passes out.
  if (j > D) {
    neighbours[o] = p.zero;
    neighbours[o + 1u] = p.zero;
    return;
  }
  let key = unpack_key(vkeys[v]);
  neighbours[o] = neighbour(key, j, 1);
  neighbours[o + 1u] = neighbour(key, j, -1);
}

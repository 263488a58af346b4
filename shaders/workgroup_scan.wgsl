// Shared by radix_sort.wgsl and crf_lattice_tables.wgsl (the host prepends it): the exclusive
// prefix sum of one u32 per thread over the workgroup's WG threads (the including shader's const,
// a multiple of 16), and their total. Raking: 16 threads each scan WG/16 values serially, one
// thread scans their 16 totals; 4 barriers where a log-step scan needs 2·log2(WG) + 1 (lavapipe
// runs a workgroup's SIMD slices as coroutines, and each barrier switches them all, which
// dominated there). Call in uniform control flow.
const SCAN_RAKE = 16u;
const_assert WG % SCAN_RAKE == 0u;

var<workgroup> scan_partial: array<u32, WG>;
var<workgroup> scan_groups: array<u32, 17>;   // SCAN_RAKE group offsets, then the total

fn workgroup_scan(lid: u32, v: u32) -> vec2u {
  let run_len = WG / SCAN_RAKE;
  scan_partial[lid] = v;
  workgroupBarrier();
  if (lid < SCAN_RAKE) {
    var run = 0u;
    for (var i = lid * run_len; i < lid * run_len + run_len; i++) {
      run += scan_partial[i];
      scan_partial[i] = run;
    }
    scan_groups[lid] = run;
  }
  workgroupBarrier();
  if (lid == 0u) {
    var run = 0u;
    for (var g = 0u; g < SCAN_RAKE; g++) {
      let c = scan_groups[g];
      scan_groups[g] = run;
      run += c;
    }
    scan_groups[SCAN_RAKE] = run;
  }
  workgroupBarrier();
  let r = vec2u(scan_groups[lid / run_len] + scan_partial[lid] - v, scan_groups[SCAN_RAKE]);
  workgroupBarrier();   // the next caller may overwrite scan_partial
  return r;
}

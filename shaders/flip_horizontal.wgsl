// Reverses the last (W) axis. Four adjacent outputs of a row per invocation: lavapipe runs
// integer division lane by lane, so the row/column split is paid once per four elements.
// 32-bit words, so any dtype.
struct Params { count: u32, W: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

override WG: u32 = 256;
const R: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;   // count = rows·⌈W/R⌉
  if (i >= p.count) { return; }
  let quads = (p.W + R - 1u) / R;
  let row = i / quads;
  let col = (i - row * quads) * R;
  let base = row * p.W;
  for (var o = 0u; o < R; o++) {
    if (col + o < p.W) { y[base + col + o] = x[base + p.W - 1u - col - o]; }
  }
}

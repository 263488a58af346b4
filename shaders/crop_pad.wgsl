// out[n,c,y,x] = in[n,c,y+top,x+left] where that lies inside the input, else `value`: one kernel
// for padding (negative top/left or a larger output), cropping, and both at once. Four adjacent
// outputs of a row per invocation: lavapipe runs integer division lane by lane, so the index
// split is paid once per four elements.
struct Params { count: u32, H: u32, W: u32, OH: u32, OW: u32, top: i32, left: i32, value: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override WG: u32 = 256;
const R: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;   // count = planes·OH·⌈OW/R⌉
  if (i >= p.count) { return; }
  let quads = (p.OW + R - 1u) / R;
  let row = i / quads;                           // plane·OH + oy
  let ox0 = (i - row * quads) * R;
  let plane = row / p.OH;
  let sy = i32(row - plane * p.OH) + p.top;
  let rowOk = sy >= 0 && sy < i32(p.H);
  let src = (plane * p.H + u32(clamp(sy, 0, i32(p.H) - 1))) * p.W;
  for (var o = 0u; o < R; o++) {
    let ox = ox0 + o;
    let sx = i32(ox) + p.left;
    let v = x[src + u32(clamp(sx, 0, i32(p.W) - 1))];
    if (ox < p.OW) { y[row * p.OW + ox] = select(p.value, v, rowOk && sx >= 0 && sx < i32(p.W)); }
  }
}

// out[n,c,y,x] = in[n,c,y+top,x+left] where that lies inside the input, else `value`: one kernel
// for padding (negative top/left or a larger output), cropping, and both at once. One invocation
// per output element, W fastest.
struct Params { count: u32, H: u32, W: u32, OH: u32, OW: u32, top: i32, left: i32, value: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let ox = i % p.OW;
  let t = i / p.OW;
  let oy = t % p.OH;
  let plane = t / p.OH;
  let sy = i32(oy) + p.top;
  let sx = i32(ox) + p.left;
  var v = p.value;
  if (sy >= 0 && sy < i32(p.H) && sx >= 0 && sx < i32(p.W)) {
    v = x[(plane * p.H + u32(sy)) * p.W + u32(sx)];
  }
  y[i] = v;
}

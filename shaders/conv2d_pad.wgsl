// Zero-pads each NCHW plane from H×W into Hp×Wp at offset (pad, pad), so the blocked and window
// conv2d variants read every tap with no bounds checks. Wp may exceed W + 2·pad: extra zero columns
// cover reads that run past the row end. One workgroup per padded row (wid.x row, wid.y plane), so
// no flat index is divided: integer division runs one lane at a time on lavapipe.
struct Params { h: u32, w: u32, hp: u32, wp: u32, pad: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> xp: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let py = wid.x;
  let plane = wid.y;
  let iy = i32(py) - i32(p.pad);
  let rowIn = iy >= 0 && iy < i32(p.h);
  let src = (plane * p.h + u32(max(iy, 0))) * p.w;
  let dst = (plane * p.hp + py) * p.wp;
  for (var px = lid; px < p.wp; px += WG) {
    let ix = i32(px) - i32(p.pad);
    var v = 0.0;
    if (rowIn && ix >= 0 && ix < i32(p.w)) { v = x[src + u32(ix)]; }
    xp[dst + px] = v;
  }
}

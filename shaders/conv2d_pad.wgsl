// Zero-pads each NCHW plane from H×W into Hp×Wp at offset (pad, pad), so the blocked conv2d
// variant reads every tap of its window with no bounds checks. Wp may exceed W + 2·pad: extra zero
// columns cover the reads of lanes whose 4 output columns run past the row end.
struct Params { count: u32, h: u32, w: u32, hp: u32, wp: u32, pad: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> xp: array<f32>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.count) { return; }
  let px = i % p.wp;
  let py = (i / p.wp) % p.hp;
  let plane = i / (p.wp * p.hp);
  let ix = i32(px) - i32(p.pad);
  let iy = i32(py) - i32(p.pad);
  var v = 0.0;
  if (ix >= 0 && ix < i32(p.w) && iy >= 0 && iy < i32(p.h)) {
    v = x[(plane * p.h + u32(iy)) * p.w + u32(ix)];
  }
  xp[i] = v;
}

// Shared by crf_init.wgsl and crf_update.wgsl (the host prepends it): libDenseCRF's fast_exp and
// its per-pixel softmax (expAndNormalize) over the labels of one pixel, held in the including
// shader's `q` at q[base .. base + C4). Labels are stored as vec4s, padded with zeros.
override C: u32;    // labels
override C4: u32;   // ceil(C / 4)

// The reference's exp: a degree-7 polynomial on x/2^k, squared k times; exactly 0 below -20 (so
// some reference marginals are exactly 0). The thresholds 0.69·2^k are compared in double there;
// their float32 roundings lie below the doubles, so `>` against them decides every float alike.
fn fast_exp(x0: f32) -> f32 {
  var x = abs(x0);
  if (x > 20.0) { return 0.0; }
  var mult = 0u;
  while (x > 5.52) { mult += 3u; x = x / 8.0; }
  while (x > 2.76) { mult += 2u; x = x / 4.0; }
  while (x > 0.69) { mult += 1u; x = x / 2.0; }
  x = 1.0 - x * (0.9999999995 - x * (0.4999999206 - x * (0.1666653019 - x * (0.0416573475
        - x * (0.0083013598 - x * (0.0013298820 - x * 0.0001413161))))));
  for (; mult > 0u; mult -= 1u) { x = x * x; }
  if (x0 >= 0.0) { return 1.0 / x; }
  return x;
}

// In place: q[base..] = softmax(q[base..]) with the max subtracted first and the sum taken in
// label order, as the reference does (so ties and underflow match it).
fn softmax_row(base: u32) {
  var mx = q[base].x;
  for (var l = 1u; l < C; l += 1u) { mx = max(mx, q[base + l / 4u][l % 4u]); }
  var total = 0.0;
  for (var l = 0u; l < C; l += 1u) {
    let v = fast_exp(q[base + l / 4u][l % 4u] - mx);
    q[base + l / 4u][l % 4u] = v;
    total += v;
  }
  for (var c = 0u; c < C4; c += 1u) { q[base + c] = q[base + c] / total; }
}

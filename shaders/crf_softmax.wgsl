// Shared by crf_init.wgsl, crf_update.wgsl and crf_brute.wgsl (the host prepends it; each declares MAX_C4):
// libDenseCRF's fast_exp and its per-pixel softmax (expAndNormalize) over the labels of one pixel,
// held in the including shader's `q` at q[base .. base + C4). Labels are stored as vec4s, padded
// with zeros; everything works on whole vec4s with static component access (dynamic component
// indexing into storage cost lavapipe several times more).
override C: u32;    // labels
override C4: u32;   // ceil(C / 4)

// The reference's exp, per component: a degree-7 polynomial on x/2^k, squared k times; exactly 0
// below -20 (so some reference marginals are exactly 0). The thresholds 0.69·2^k are compared in
// double there; their float32 roundings lie below the doubles, so `>` against them decides every
// float alike. Arguments here are ≤ 0 (max subtracted), where the reference returns the result
// itself (for positive x it would return 1/result).
fn fast_exp(x0: vec4f) -> vec4f {
  // Clamped (the result is 0 past 20 anyway) so that an infinite argument cannot loop forever.
  var x = min(abs(x0), vec4f(32.0));
  var mult = vec4u(0u);
  loop {
    let big = x > vec4f(5.52);
    if (!any(big)) { break; }
    mult += select(vec4u(0u), vec4u(3u), big);
    x = select(x, x / 8.0, big);
  }
  loop {
    let big = x > vec4f(2.76);
    if (!any(big)) { break; }
    mult += select(vec4u(0u), vec4u(2u), big);
    x = select(x, x / 4.0, big);
  }
  loop {
    let big = x > vec4f(0.69);
    if (!any(big)) { break; }
    mult += select(vec4u(0u), vec4u(1u), big);
    x = select(x, x / 2.0, big);
  }
  x = 1.0 - x * (0.9999999995 - x * (0.4999999206 - x * (0.1666653019 - x * (0.0416573475
        - x * (0.0083013598 - x * (0.0013298820 - x * 0.0001413161))))));
  let top = max(max(mult.x, mult.y), max(mult.z, mult.w));
  for (var i = 0u; i < top; i += 1u) { x = select(x, x * x, mult > vec4u(i)); }
  return select(x, vec4f(0.0), abs(x0) > vec4f(20.0));
}

// Labels 4c..4c+3 that exist (the rest is padding).
fn valid(c: u32) -> vec4<bool> {
  return vec4u(4u * c) + vec4u(0u, 1u, 2u, 3u) < vec4u(C);
}

// In place, in registers: t[0..C4) = softmax(t[0..C4)) with the max subtracted first and the sum
// taken in label order, as the reference does (padding contributes exact zeros, which change no
// sum). The including shader declares MAX_C4 (its bound on C4). Kept in a private array rather
// than re-read from storage: every storage access from a per-lane address is a scalar load per
// lane on lavapipe, and the softmax touches each label four times.
fn softmax(t: ptr<function, array<vec4f, MAX_C4>>) {
  var mx4 = vec4f((*t)[0].x);
  for (var c = 0u; c < C4; c += 1u) { mx4 = max(mx4, select(mx4, (*t)[c], valid(c))); }
  let mx = max(max(mx4.x, mx4.y), max(mx4.z, mx4.w));
  var total = 0.0;
  for (var c = 0u; c < C4; c += 1u) {
    let v = select(vec4f(0.0), fast_exp((*t)[c] - mx), valid(c));
    (*t)[c] = v;
    total += v.x;
    total += v.y;
    total += v.z;
    total += v.w;
  }
  for (var c = 0u; c < C4; c += 1u) { (*t)[c] = (*t)[c] / total; }
}


import { fmtShape, ShapeError } from '../tensor/errors.ts';

export interface BatchNormStats {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  eps: number;
}

/**
 * Folds an inference-mode batch norm into the conv before it, so the pair costs one conv:
 * w' = w·γ/√(var+eps) per output channel, b' = (b − mean)·γ/√(var+eps) + β (b = 0 without bias).
 * Computed in float64, rounded once to f32.
 */
export function foldBatchNorm(
  weight: Float32Array,
  shape: readonly [number, number, number, number],
  bias: Float32Array | null,
  bn: BatchNormStats,
): { weight: Float32Array; bias: Float32Array } {
  const [O] = shape;
  const per = shape[1] * shape[2] * shape[3];
  if (weight.length !== O * per) throw new ShapeError(`foldBatchNorm: weight has ${weight.length} values, shape ${fmtShape(shape)} needs ${O * per}`);
  for (const [k, v] of [['bias', bias], ['gamma', bn.gamma], ['beta', bn.beta], ['mean', bn.mean], ['variance', bn.variance]] as const) {
    if (v && v.length !== O) throw new ShapeError(`foldBatchNorm: ${k} has ${v.length} values, the weight ${fmtShape(shape)} has ${O} output channels`);
  }
  if (!(bn.eps >= 0)) throw new ShapeError(`foldBatchNorm: eps must be ≥ 0, got ${bn.eps}`);
  const w = new Float32Array(weight.length);
  const b = new Float32Array(O);
  for (let o = 0; o < O; o++) {
    const scale = bn.gamma[o] / Math.sqrt(bn.variance[o] + bn.eps);
    for (let i = o * per; i < (o + 1) * per; i++) w[i] = weight[i] * scale;
    b[o] = ((bias ? bias[o] : 0) - bn.mean[o]) * scale + bn.beta[o];
  }
  return { weight: w, bias: b };
}

import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { binary } from './binary.ts';
import { cropPad2d } from './crop_pad.ts';
import { unary } from './unary.ts';
import type { Conv2dWeights, Geometry } from './conv2d.ts';

/** A tap (ky, kx) and the outputs [y0, y1) × [x0, x1) whose reads through it land inside the input. */
export interface TapRect {
  ky: number;
  kx: number;
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/**
 * Along one axis, the outputs [lo, hi) whose reads through tap k land inside the input: output y
 * reads row y·stride + k·dil − pad, which must lie in [0, size). Empty (lo ≥ hi) for a tap that
 * only ever reads padding.
 */
export function tapSpan(g: Geometry, k: number, size: number, out: number): [number, number] {
  const at = k * g.dil - g.pad;
  return [Math.max(0, Math.ceil(-at / g.stride)), Math.min(out, Math.ceil((size - at) / g.stride))];
}

/**
 * Each tap's rectangle of outputs reading the input (tapSpan along both axes). A dilated conv on
 * a map not much larger than its dilation (ASPP at rates 24 and 36) reads padding through its
 * outer taps at most outputs: at rate 36 on 41×41 the 9 taps cover 2,601 output cells, not
 * 9 × 1,681.
 */
export function tapRects(g: Geometry): TapRect[] {
  const rects: TapRect[] = [];
  for (let ky = 0; ky < g.KH; ky++) {
    for (let kx = 0; kx < g.KW; kx++) {
      const [y0, y1] = tapSpan(g, ky, g.H, g.OH);
      const [x0, x1] = tapSpan(g, kx, g.W, g.OW);
      if (y0 < y1 && x0 < x1) rects.push({ ky, kx, y0, y1, x0, x1 });
    }
  }
  return rects;
}

/** Whether a tap reads the input at every output: the one that goes first and brings the bias. */
const coversAll = (r: TapRect, g: Geometry) => r.y0 === 0 && r.x0 === 0 && r.y1 === g.OH && r.x1 === g.OW;

/** Output cells the taps cover, summed: the multiplies per (o, c) of running tap by tap. */
export const tapwiseWork = (g: Geometry) => tapRects(g).reduce((a, r) => a + (r.y1 - r.y0) * (r.x1 - r.x0), 0);

/** Why 'tapwise' cannot run this layer, or null. */
export function tapwiseRefusal(g: Geometry): string | null {
  if (g.stride !== 1) return `needs stride 1 (got ${g.stride})`;
  if (!tapRects(g).some((r) => coversAll(r, g))) return `needs a tap that reads the input at every output (a 'same'-padded conv)`;
  return null;
}

/**
 * The conv as one 1×1 GEMM per tap over that tap's rectangle of outputs only: the input window
 * the rectangle reads is cropped out, multiplied by the tap's [O, C] weights, placed back into a
 * full-size map and summed. A tap covering every output goes first and brings the bias; the last
 * sum applies the ReLU. Worth it where most taps read mostly padding (tapRects).
 */
export function conv2dTapwise(dev: Device, x: Tensor, w: Conv2dWeights, g: Geometry, conv1x1: (x: Tensor, w: Conv2dWeights) => Tensor): Tensor {
  const rects = tapRects(g);
  const full = rects.findIndex((r) => coversAll(r, g));
  const order = [rects[full], ...rects.filter((_, i) => i !== full)];
  let acc: Tensor | null = null;
  order.forEach((r, i) => {
    const [h, wd] = [r.y1 - r.y0, r.x1 - r.x0];
    const top = r.y0 + r.ky * g.dil - g.pad;
    const left = r.x0 + r.kx * g.dil - g.pad;
    const whole = top === 0 && left === 0 && h === g.H && wd === g.W;
    const xs = whole ? x : cropPad2d(dev, x, { top, left, height: h, width: wd });
    const t = conv1x1(xs, w.windowFor(dev, r.ky, r.kx, 1, 1, i === 0));
    if (xs !== x) xs.dispose();
    const placed = h === g.OH && wd === g.OW ? t : cropPad2d(dev, t, { top: -r.y0, left: -r.x0, height: g.OH, width: g.OW });
    if (placed !== t) t.dispose();
    const last = i === order.length - 1;
    if (!acc) {
      acc = last && g.relu ? unary(dev, 'relu', placed) : placed;
      if (acc !== placed) placed.dispose();
      return;
    }
    const sum: Tensor = binary(dev, 'add', acc, placed, { relu: last && g.relu });
    acc.dispose();
    placed.dispose();
    acc = sum;
  });
  return acc!;
}

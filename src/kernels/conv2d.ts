import blockedShader from '../../shaders/conv2d_blocked.wgsl';
import gemm1x1Body from '../../shaders/conv2d_gemm1x1.wgsl';
import im2colShader from '../../shaders/conv2d_im2col.wgsl';
import directShader from '../../shaders/conv2d_direct.wgsl';
import padShader from '../../shaders/conv2d_pad.wgsl';
import type { Device } from '../tensor/device.ts';
import { fmtShape, ShapeError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { grid1d, Params, runKernel } from './runner.ts';
import { batchedGemm, winogradConv, winogradPlan, winogradWeights, winogradWorkRatio, type WinogradTile } from './conv2d_winograd.ts';
import { fetchFor, withWeightFetch } from './weight_fetch.ts';
import { copyBlocks } from './copy.ts';
import { conv2dWindow, windowPadding, windowRefusal } from './conv2d_window.ts';
import { conv2dTapwise, tapSpan, tapwiseRefusal, tapwiseWork } from './conv2d_tapwise.ts';
import { conv2dTiled } from './conv2d_tiled.ts';

// Layouts. Activations stay NCHW everywhere: per image, NCHW *is* the K×N right-hand matrix of the
// conv-as-GEMM Y[O×HW] = W[O×K]·X[K×HW] (rows of X contiguous, what the lanes' vec4 loads want),
// so no layer needs a transpose. Weights are re-laid out once (see Conv2dWeights).

export interface Conv2dOptions {
  stride?: number;
  pad?: number;
  dilation?: number;
  relu?: boolean;
  /**
   * 'direct': one output per invocation, the readable reference. 'tiled': workgroup-memory
   * implicit GEMM (for GPUs), 64 × 64 tiles; 'tiled128': the same with 128 × 128 tiles, 8 × 8
   * outputs per invocation and double-buffered slices (for large layers on GPUs). 'blocked':
   * register-blocked implicit GEMM with no workgroup memory (for lavapipe; 1×1 stride-1 convs
   * run as a plain GEMM). 'im2col': explicit unfold + the register-blocked GEMM. 'winograd':
   * F(6×6, 3×3) or F(4×4, 3×3) by shape, 3×3 stride 1 only. 'window': 'blocked' with the input
   * read as aligned vec4s (stride 1, dilation 1, KW ≤ 5). Default: pickVariant().
   */
  variant?: string;
}

export const CONV2D_VARIANTS = ['direct', 'tiled', 'tiled128', 'blocked', 'im2col', 'winograd'] as const;

/**
 * Variants for a narrow class of shapes, which refuse others: 'window' (stride 1, dilation 1,
 * KW ≤ 5); 'tapwise' (stride 1, a tap reading the input at every output: conv2d_tapwise.ts).
 */
export const CONV2D_SHAPE_VARIANTS = ['window', 'tapwise'] as const;

/** ⌊(H + 2p − (d(k−1)+1)) / s⌋ + 1 */
export function conv2dOutputSize(size: number, kernel: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((size + 2 * pad - (dilation * (kernel - 1) + 1)) / stride) + 1;
}

/** Output channels are packed in blocks of 8: one block is what a lane of the blocked variant accumulates. */
const OB = 8;

/**
 * A conv layer's weights, re-laid out once for the kernels as [⌈O/8⌉][K][8] with K = I·KH·KW in
 * (i, kh, kw) order, O padded with zeros to a multiple of 8. Why: the blocked variant reads the 8
 * weights of one k as two aligned vec4s at an address shared by the whole workgroup, and the
 * tiled variant's workgroup tile loads are runs of 8 contiguous floats. Bias (zeros if none) is
 * padded the same way. Weights live until dispose(), even when created inside dev.scope().
 */
export class Conv2dWeights {
  private constructor(
    readonly name: string,
    readonly outChannels: number,
    readonly inChannels: number,
    readonly kernelH: number,
    readonly kernelW: number,
    /** @internal packed weights, [⌈O/8⌉·K·8] */
    readonly packed: Tensor,
    /** @internal bias padded to ⌈O/8⌉·8 */
    readonly bias: Tensor,
    /** Whether the 'winograd' variant may run this layer (3×3, unless created with { winograd: false }). */
    readonly winograd: boolean,
  ) {}

  private readonly winogradU = new Map<WinogradTile, Tensor>();
  private readonly windows = new Map<string, Conv2dWeights>();
  /** Set on the weights windowFor() derives: they share the parent's bias. */
  private sharesBias = false;

  /**
   * @internal The kh × kw taps from (top, left) as weights of their own ([O, I, kh, kw]; the same
   * bias, or none): copied out of the packed weights on the device at first use, then kept. For
   * convs that drop taps reading only padding (deadRim) or run tap by tap (conv2d_tapwise.ts).
   */
  windowFor(dev: Device, top: number, left: number, kh: number, kw: number, bias = true): Conv2dWeights {
    const key = `${top},${left},${kh},${kw},${bias}`;
    let win = this.windows.get(key);
    if (!win) {
      // Packed rows are (i, kh, kw) in blocks of 8 outputs: per kept kernel row, one strided copy
      // of kw·8 floats from every (output block, input channel).
      const rows = Math.ceil(this.outChannels / OB) * this.inChannels;
      const packed = dev.keep(dev.empty([rows * kh * kw * OB]));
      for (let r = 0; r < kh; r++) {
        const src = ((top + r) * this.kernelW + left) * OB;
        copyBlocks(dev, this.packed, packed, { run: kw * OB, rows, srcOffset: src, srcStride: this.kernelH * this.kernelW * OB, dstOffset: r * kw * OB, dstStride: kh * kw * OB }, 'conv2d_window_weights');
      }
      const b = bias ? this.bias : dev.keep(dev.zeros([this.bias.size]));
      win = new Conv2dWeights(this.name, this.outChannels, this.inChannels, kh, kw, packed, b, this.winograd && kh === 3 && kw === 3);
      win.sharesBias = bias;
      this.windows.set(key, win);
    }
    return win;
  }

  /**
   * @internal The Winograd-domain weights for tiles of `tile` (see conv2d_winograd.ts): computed on
   * the device at the layer's first such conv (which tile fits depends on the input's size), then kept.
   */
  winogradFor(dev: Device, tile: WinogradTile): Tensor {
    let u = this.winogradU.get(tile);
    if (!u) {
      u = dev.keep(winogradWeights(dev, this.packed, this.outChannels, this.inChannels, tile));
      this.winogradU.set(tile, u);
    }
    return u;
  }

  static fromHost(
    dev: Device,
    weight: Float32Array,
    shape: readonly [number, number, number, number],
    bias?: Float32Array | null,
    name = 'conv2d',
    opts: { winograd?: boolean } = {},
  ): Conv2dWeights {
    if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ShapeError(`${name}: weight shape ${fmtShape(shape)} must be 4 positive integers O×I×KH×KW`);
    }
    const [O, I, KH, KW] = shape;
    const K = I * KH * KW;
    if (weight.length !== O * K) {
      throw new ShapeError(`${name}: weight has ${weight.length} values but shape ${fmtShape(shape)} (O×I×KH×KW) needs ${O * K}`);
    }
    if (bias && bias.length !== O) {
      throw new ShapeError(`${name}: bias has ${bias.length} values but the weight ${fmtShape(shape)} has ${O} output channels`);
    }
    const blocks = Math.ceil(O / OB);
    const packed = new Float32Array(blocks * K * OB);
    for (let o = 0; o < O; o++) {
      const base = Math.floor(o / OB) * K * OB + (o % OB);
      for (let k = 0; k < K; k++) packed[base + k * OB] = weight[o * K + k];
    }
    const b = new Float32Array(blocks * OB);
    if (bias) b.set(bias);
    // Weights outlive any scope they are created in (dev.keep): they are freed by dispose() alone.
    const upload = (a: Float32Array) => dev.keep(dev.tensor(a, [a.length]));
    // 3×3 layers may also run 'winograd' (Winograd-domain weights 4–7× the size, computed on the
    // device when a layer first runs it); { winograd: false } rules it out.
    const winograd = KH === 3 && KW === 3 && (opts.winograd ?? true);
    return new Conv2dWeights(name, O, I, KH, KW, upload(packed), upload(b), winograd);
  }

  dispose(): void {
    this.packed.dispose();
    if (!this.sharesBias) this.bias.dispose();
    this.winogradU.forEach((u) => u.dispose());
    this.winogradU.clear();
    this.windows.forEach((c) => c.dispose());
    this.windows.clear();
  }
}

export interface Geometry {
  N: number; C: number; H: number; W: number; O: number; KH: number; KW: number;
  OH: number; OW: number; stride: number; pad: number; dil: number; relu: boolean;
}

function geometry(x: Tensor, w: Conv2dWeights, opts: Conv2dOptions): Geometry {
  const { stride = 1, pad = 0, dilation: dil = 1, relu = false } = opts;
  const what = () => `${w.name}: conv2d of x ${fmtShape(x.shape)} with weight [${w.outChannels}, ${w.inChannels}, ${w.kernelH}, ${w.kernelW}] (stride ${stride}, pad ${pad}, dilation ${dil})`;
  if (x.shape.length !== 4) throw new ShapeError(`${what()}: x must be 4-D NCHW, got rank ${x.shape.length}`);
  if (x.dtype !== 'f32') throw new ShapeError(`${what()}: x must be f32, got ${x.dtype}`);
  for (const [k, v, min] of [['stride', stride, 1], ['pad', pad, 0], ['dilation', dil, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new ShapeError(`${what()}: ${k} must be an integer ≥ ${min}`);
  }
  const [N, C, H, W] = x.shape;
  if (C !== w.inChannels) throw new ShapeError(`${what()}: x has ${C} channels but the weight expects ${w.inChannels}`);
  const spanH = dil * (w.kernelH - 1) + 1;
  const spanW = dil * (w.kernelW - 1) + 1;
  if (spanH > H + 2 * pad || spanW > W + 2 * pad) {
    throw new ShapeError(`${what()}: the ${spanH}×${spanW} dilated window is larger than the ${H + 2 * pad}×${W + 2 * pad} padded input; use more padding or a smaller dilation`);
  }
  const OH = conv2dOutputSize(H, w.kernelH, stride, pad, dil);
  const OW = conv2dOutputSize(W, w.kernelW, stride, pad, dil);
  if (N === 0 || OH <= 0 || OW <= 0 || w.outChannels === 0) throw new ShapeError(`${what()}: the output [${N}, ${w.outChannels}, ${OH}, ${OW}] would be empty`);
  return { N, C, H, W, O: w.outChannels, KH: w.kernelH, KW: w.kernelW, OH, OW, stride, pad, dil, relu };
}

/**
 * Which variant to run when none is asked for. lavapipe (a CPU posing as a GPU, reported as the
 * fallback adapter) runs a workgroup as SIMD lanes of one core, where workgroup memory and
 * barriers are pure overhead, a load whose address is uniform across the workgroup is issued
 * once, and a per-lane load at a data-dependent address is a gather: its kernels keep 8 output
 * channels × one aligned vec4 of columns per lane, weights uniform (dawn-notes.md). Real GPUs
 * need the shared-memory reuse of the classic tiled implicit GEMM instead ('tiled', or
 * 'tiled128' for large layers: useTiled128).
 */
export function pickVariant(dev: Device, w?: Conv2dWeights, g?: Geometry): string {
  if (!dev.info.isFallbackAdapter) {
    // Winograd where it saves at least half the multiplies and the input has channels enough to
    // amortise its transforms (not conv1_1's 3): LargeFOV's 3×3 layers at 513, fc6 included, do
    // 0.20–0.24 of a direct conv's, which is what an ≤ 8 ms forward on an H100 needs (277
    // GFLOP direct: 35 TFLOP/s, over half the fp32 peak). A design estimate until measured.
    if (w && g && g.C >= 16 && !winogradRefusal(dev, w, g) && winogradWorkRatio(g.OH, g.OW, g.dil) <= 0.5) return 'winograd';
    return g && useTiled128(g) ? 'tiled128' : 'tiled';
  }
  // A 3×3 conv over very few input channels (conv1_1: C = 3, K = 27) is too short a reduction to
  // pay for the Winograd transforms (its output transform alone took 60 % of the layer): the
  // direct 'window' kernel, with the input read as aligned vec4s, ran it 1.2–1.4× faster (but
  // 2.2× slower than Winograd at C = 32; between the two, unmeasured, Winograd stays).
  if (w && g && g.C <= 3 && g.KH === 3 && g.KW === 3 && !windowRefusal(dev, g)) return 'window';
  // A dilation comparable to the map leaves most outer taps reading padding at most outputs:
  // one GEMM per tap over its live outputs, where that is under 0.9 of the alternative's
  // multiplies (Winograd's where it runs, else a direct conv's). Measured on 41×41 maps, 2048 in,
  // tapwise against Winograd: rate 36 (→ 256) 2,601 cells against 46,600 (im2col's 15,129):
  // 116 against 1,178 ms (im2col); rate 18 (→ 21) 0.65 of Winograd's: 91 against 133 ms; rate 12
  // (→ 256) 1.9 of Winograd's: 522 against 279 ms, so Winograd keeps LargeFOV's fc6.
  if (w && g && g.dil > 1 && g.KH * g.KW > 1 && !tapwiseRefusal(g)) {
    const direct = g.KH * g.KW * g.OH * g.OW;
    const wino = winogradRefusal(dev, w, g) ? Infinity : winogradWorkRatio(g.OH, g.OW, g.dil) * 9 * g.OH * g.OW;
    if (tapwiseWork(g) < 0.9 * Math.min(direct, wino)) return 'tapwise';
  }
  // Past lavapipe's FMA ceiling only fewer multiplies help: Winograd for every other 3×3 stride-1
  // layer (faster than 'blocked' even with 3 input channels: 80 against 96 ms for conv1_1 at 321×321),
  // unless a dilation comparable to the map makes it do over twice a direct conv's multiplies.
  // C = O = 256 on lavapipe, Winograd against im2col: work ratio 0.34 (41², d12) 24 against 132 ms;
  // 1.23 (65², d36) 261 against 306; 1.37 (41², d24) 119 against 156; 3.2 (4×5, d4, C = O = 512)
  // 47 against 26; 5.2 (21², d24, 512 → 1024) 663 against 256.
  if (w && g && !winogradRefusal(dev, w, g) && winogradWorkRatio(g.OH, g.OW, g.dil) <= 2) return 'winograd';
  // Other shapes: explicit im2col, then the GEMM with aligned vec4 loads (1×1 convs go there
  // directly through 'blocked'), unless even one output row's im2col would not fit.
  if (w && g && !(g.KH === 1 && g.KW === 1 && g.stride === 1 && g.pad === 0) && im2colBand(dev, g) > 0) return 'im2col';
  return 'blocked';
}

/**
 * On GPUs: 128 × 128 tiles where the layer has more than 64 output channels (a 64-channel layer
 * would leave half of each tile idle) and at least 128 such tiles (about one per multiprocessor of
 * a large GPU: fewer leave some idle, where the 64 × 64 tiles make four times as many workgroups).
 * Both thresholds are a design estimate, not yet measured on a GPU (none lent so far); `bench
 * conv2d --preset largefov-513` compares the two per layer.
 */
function useTiled128(g: Geometry): boolean {
  return g.O > 64 && Math.ceil((g.N * g.OH * g.OW) / 128) * Math.ceil(g.O / 128) >= 128;
}

/**
 * Test hooks: cap intermediates below the device limit (banding on small inputs), force a Winograd
 * tile, or its GEMM (the GPUs' 'tiled128' on lavapipe).
 */
export const conv2dTesting = { maxElems: 0, winogradTile: 0 as 0 | WinogradTile, winogradGemm: null as null | 'blocked' | 'tiled128' };

/** f32 elements in the largest buffer a dispatch may bind. */
const maxElems = (dev: Device) => conv2dTesting.maxElems || Math.floor(dev.limits.maxStorageBufferBindingSize / 4);

/** The tile winogradTile() prefers, or F(4, 3) where F(6, 3)'s buffers would not fit; null if neither does. */
function winogradPlanFor(dev: Device, g: Geometry) {
  const plan = (tile?: WinogradTile) => winogradPlan(g.N, g.C, g.O, g.OH, g.OW, g.dil, maxElems(dev), tile);
  return conv2dTesting.winogradTile ? plan(conv2dTesting.winogradTile) : plan() ?? plan(4);
}

/** Why the Winograd variant cannot run this layer, or null if it can. */
function winogradRefusal(dev: Device, w: Conv2dWeights, g: Geometry): string | null {
  if (w.kernelH !== 3 || w.kernelW !== 3 || g.stride !== 1) return `needs a 3×3 kernel with stride 1 (got ${g.KH}×${g.KW}, stride ${g.stride})`;
  if (!w.winograd) return `needs weights created without Conv2dWeights.fromHost(…, { winograd: false })`;
  const plan = winogradPlanFor(dev, g);
  if (!plan) return `needs intermediates or Winograd-domain weights over the device's maxStorageBufferBindingSize for this input`;
  return null;
}

/**
 * How many taps on every side of the kernel only ever read padding (for every output). A dilated
 * conv on a map smaller than its dilation (ASPP at rate 24 or 36 on a small image) reads the map
 * with its centre tap alone; those taps add exact zeros and can be dropped, with the padding
 * shrunk to match: the output is the same, the work a fraction (a 3×3 conv becomes a 1×1).
 */
export function deadRim(g: Geometry): number {
  const live = (k: number, size: number, out: number) => {
    const [lo, hi] = tapSpan(g, k, size, out);
    return lo < hi;
  };
  const dead = (K: number, size: number, out: number, fromEnd: boolean) => {
    let n = 0;
    while (n < K && !live(fromEnd ? K - 1 - n : n, size, out)) n++;
    return n;
  };
  let rim = Math.min(dead(g.KH, g.H, g.OH, false), dead(g.KH, g.H, g.OH, true), dead(g.KW, g.W, g.OW, false), dead(g.KW, g.W, g.OW, true));
  rim = Math.min(rim, Math.floor((g.KH - 1) / 2), Math.floor((g.KW - 1) / 2), Math.floor(g.pad / g.dil));
  return Math.max(rim, 0);
}

/**
 * 2-D convolution (cross-correlation, as PyTorch and Caffe) of NCHW f32 x; returns NCHW. Unless a
 * variant is asked for, taps that only read padding are dropped first (deadRim).
 */
export function conv2d(dev: Device, x: Tensor, w: Conv2dWeights, opts: Conv2dOptions = {}): Tensor {
  const g = geometry(x, w, opts);
  const rim = opts.variant ? 0 : deadRim(g);
  if (rim > 0) {
    const core = w.windowFor(dev, rim, rim, w.kernelH - 2 * rim, w.kernelW - 2 * rim);
    const o = { ...opts, pad: g.pad - rim * g.dil };
    return conv2d(dev, x, core, { ...o, variant: pickVariant(dev, core, geometry(x, core, o)) });
  }
  const variant = opts.variant ?? pickVariant(dev, w, g);
  if (variant === 'tapwise') {
    const why = tapwiseRefusal(g);
    if (why) throw new ShapeError(`${w.name}: conv2d variant 'tapwise' ${why}; use 'blocked'`);
    return conv2dTapwise(dev, x, w, g, (xs, wt) => conv2d(dev, xs, wt));
  }
  const y = dev.empty([g.N, g.O, g.OH, g.OW]);
  const meta = {
    kernel: 'conv2d',
    variant,
    shape: `${g.N},${g.C},${g.H},${g.W},${g.O},${g.KH}x${g.KW},s${g.stride},p${g.pad},d${g.dil}`,
    flops: 2 * g.N * g.O * g.OH * g.OW * g.C * g.KH * g.KW,
  };
  switch (variant) {
    case 'direct': {
      const count = y.size;
      runKernel(dev, {
        ...meta,
        shader: directShader,
        uniforms: new Params()
          .u32(g.C, g.H, g.W, g.O, g.OH, g.OW, g.KH, g.KW, g.stride, g.pad, g.dil, g.relu ? 1 : 0, count)
          .build(),
        tensors: [x, w.packed, w.bias, y],
        workgroups: grid1d(dev, Math.ceil(count / 256)),
      });
      break;
    }
    case 'tiled':
    case 'tiled128':
      conv2dTiled(dev, variant, x, w.packed, w.bias, y, g, meta);
      break;
    case 'blocked':
      blocked(dev, x, w, g, y, meta);
      break;
    case 'im2col':
      if (!im2col(dev, x, w, g, y, meta)) {
        y.dispose();
        throw new ShapeError(`${w.name}: conv2d variant 'im2col' needs a band of one output row under the device's maxStorageBufferBindingSize; use 'blocked'`);
      }
      break;
    case 'winograd': {
      const why = winogradRefusal(dev, w, g);
      if (why) {
        y.dispose();
        throw new ShapeError(`${w.name}: conv2d variant 'winograd' ${why}; use 'blocked' or 'tiled'`);
      }
      const plan = winogradPlanFor(dev, g)!;
      const gemm = conv2dTesting.winogradGemm ?? (dev.info.isFallbackAdapter ? 'blocked' : 'tiled128');
      winogradConv(dev, x, w.winogradFor(dev, plan.tile), w.bias, y, g, plan, meta, gemm);
      break;
    }
    case 'window': {
      const why = windowRefusal(dev, g);
      if (why) {
        y.dispose();
        throw new ShapeError(`${w.name}: conv2d variant 'window' ${why}; use 'blocked'`);
      }
      const { hp, wp } = windowPadding(g);
      const xp = padInput(dev, x, g, hp, wp);
      conv2dWindow(dev, xp, w.packed, w.bias, y, g, meta);
      xp.dispose();
      break;
    }
    default:
      y.dispose();
      throw new ShapeError(`${w.name}: unknown conv2d variant "${variant}"; use one of ${[...CONV2D_VARIANTS, ...CONV2D_SHAPE_VARIANTS].join(', ')}`);
  }
  return y;
}

type Meta = { kernel: string; variant: string; shape: string; flops: number };

/** Zero-padded copy of x as [N·C, hp, wp] with x at offset (pad, pad). */
function padInput(dev: Device, x: Tensor, g: Geometry, hp: number, wp: number): Tensor {
  const xp = dev.empty([g.N * g.C, hp, wp]);
  runKernel(dev, {
    kernel: 'conv2d_pad',
    shader: padShader,
    uniforms: new Params().u32(g.H, g.W, hp, wp, g.pad).build(),
    tensors: [x, xp],
    workgroups: [hp, g.N * g.C],
  });
  return xp;
}

const BLOCKED_WG = 64;

function blocked(dev: Device, x: Tensor, w: Conv2dWeights, g: Geometry, y: Tensor, meta: Meta): void {
  if (g.KH === 1 && g.KW === 1 && g.stride === 1 && g.pad === 0) return gemm1x1(dev, x, w, g, y, meta);
  const ow4 = Math.ceil(g.OW / 4);
  // Columns a lane's reads reach: its 4 outputs (the last group may run past OW) times the window.
  const reach = (ow4 * 4 - 1) * g.stride + (g.KW - 1) * g.dil + 1;
  let src = x;
  let hp = g.H;
  let wp = g.W;
  if (g.pad > 0 || reach > g.W) {
    hp = g.H + 2 * g.pad;
    wp = Math.max(g.W + 2 * g.pad, reach);
    src = padInput(dev, x, g, hp, wp);
  }
  const lanes = g.N * g.OH * ow4;
  runKernel(dev, {
    ...meta,
    shader: blockedShader,
    constants: { WG: BLOCKED_WG, KH: g.KH, KW: g.KW, S: g.stride, D: g.dil },
    uniforms: new Params()
      .u32(g.C, hp * wp, g.C * hp * wp, wp, g.O, g.OH, g.OW, ow4, lanes, g.C * g.KH * g.KW, g.relu ? 1 : 0)
      .build(),
    tensors: [src, w.packed, w.bias, y],
    workgroups: [Math.ceil(lanes / BLOCKED_WG), Math.ceil(g.O / OB)],
  });
  if (src !== x) src.dispose();
}

/**
 * A 1×1 stride-1 unpadded conv is a GEMM per image, Y[O×HW] = W[O×C]·X[C×HW]: the batched GEMM
 * (lanes read 4 positions as one aligned vec4: 2.3× the blocked conv's four scalar loads on
 * lavapipe) when HW is a multiple of 4 and O of 8; otherwise (41×41 maps: fc7, fc8)
 * conv2d_gemm1x1.wgsl, which reads the unaligned rows as shifted vec4s and writes Y unpadded. It
 * replaced padding X and unpadding Y by block copies around the batched GEMM: fc8 5.2 against
 * 8.3 ms; fc7 a draw (133–153 against 133 ms, in-process A/B on lavapipe), for one path less.
 */
function gemm1x1(dev: Device, x: Tensor, w: Conv2dWeights, g: Geometry, y: Tensor, meta: Meta): void {
  const hw = g.H * g.W;
  if (hw % 4 === 0 && g.O % OB === 0) {
    batchedGemm(dev, w.packed, x, y, { batch: g.N, k: g.C, mPad: g.O, n: hw, sharedA: true, bias: w.bias, relu: g.relu }, meta);
    return;
  }
  const wg = 16; // more, smaller workgroups balance fc8's few lanes across lavapipe's threads (6.5 against 9 ms best)
  const blocks = Math.ceil(g.O / OB);
  // Two vec4s of positions per lane where one workgroup column holds every block (fc8: 5.4–5.7
  // against 7.2–7.8 ms, in-process A/B in both orders; fc7, 32 columns of blocks, no change).
  const nc = blocks <= 4 ? 2 : 1;
  const lanes = Math.ceil(hw / (4 * nc));
  const nb = Math.ceil(blocks / Math.ceil(blocks / 4)); // ≤ 4 per workgroup, evenly (5 blocks: 3 + 3, one past the end)
  runKernel(dev, {
    ...meta,
    ...fetchFor(dev, GEMM1X1, wg, { NB: nb, NC: nc }),
    uniforms: new Params().u32(g.C, g.O, hw, lanes, g.relu ? 1 : 0).build(),
    tensors: [x, w.packed, w.bias, y],
    workgroups: [Math.ceil(blocks / nb), Math.ceil(lanes / wg), g.N],
  });
}

const GEMM1X1 = withWeightFetch(gemm1x1Body);

/** Output rows per image that one im2col band may hold (0: not even one fits). */
function im2colBand(dev: Device, g: Geometry): number {
  if (g.C * g.KH * g.KW > dev.limits.maxComputeWorkgroupsPerDimension) return 0; // one workgroup row per k
  const rows = Math.max(g.C * g.KH * g.KW, Math.ceil(g.O / OB) * OB);
  return Math.min(g.OH, Math.floor((maxElems(dev) / rows - 4) / (g.N * g.OW)));
}

/**
 * Any conv as explicit im2col (B = [C·KH·KW][positions]) and the batched GEMM, band by band of
 * output rows: the GEMM's aligned vec4 loads run about 2.5× the 'blocked' conv's four gathered
 * loads per k on lavapipe, which pays for writing B. Returns false if one row does not fit.
 */
function im2col(dev: Device, x: Tensor, w: Conv2dWeights, g: Geometry, y: Tensor, meta: Meta): boolean {
  const most = im2colBand(dev, g);
  if (most < 1) return false;
  const band = Math.ceil(g.OH / Math.ceil(g.OH / most));
  const K = g.C * g.KH * g.KW;
  const opad = Math.ceil(g.O / OB) * OB;
  const ldbMax = Math.ceil((g.N * band * g.OW) / 4) * 4;
  const b = dev.empty([K * ldbMax]);
  const whole = band === g.OH && g.N === 1 && opad === g.O && ldbMax === g.OH * g.OW;
  const c = whole ? y : dev.empty([opad * ldbMax]);
  for (let oy0 = 0; oy0 < g.OH; oy0 += band) {
    const rows = Math.min(band, g.OH - oy0);
    const ldb = Math.ceil((g.N * rows * g.OW) / 4) * 4;
    runKernel(dev, {
      kernel: 'conv2d', variant: 'im2col/unfold', shader: im2colShader,
      uniforms: new Params()
        .u32(g.C, g.H, g.W, g.KH, g.KW, g.OH, g.OW, g.N * rows, oy0, g.stride, g.pad, g.dil, ldb, g.N)
        .build(),
      tensors: [x, b],
      workgroups: [g.N * rows, K],
    });
    batchedGemm(dev, w.packed, b, c, { batch: 1, k: K, mPad: opad, n: ldb, bias: w.bias, relu: g.relu }, { ...meta, variant: 'im2col/gemm' });
    if (!whole) {
      for (let n = 0; n < g.N; n++) {
        copyBlocks(dev, c, y, {
          run: rows * g.OW, rows: g.O, srcOffset: n * rows * g.OW, srcStride: ldb,
          dstOffset: n * g.O * g.OH * g.OW + oy0 * g.OW, dstStride: g.OH * g.OW,
        });
      }
    }
  }
  b.dispose();
  if (c !== y) c.dispose();
  return true;
}

import { existsSync, readFileSync } from 'node:fs';
import { CRF_DEFAULTS, padLabels, prepareCrf, unaryFromLogits } from '../../src/deeplab/crf.ts';
import { crfMeanField, crfWords, labelStride, type CrfStorage } from '../../src/kernels/crf.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

const VOC = `${process.env.ATROUS_ROOT ?? process.cwd()}/../shared/fixtures/crf/voc_500x375`;

/** The voc_500x375 fixture when it lies beside the clone (a realistic lattice), else a synthetic image. */
export function crfInputs(w: number, h: number, c: number) {
  if (w === 500 && h === 375 && c === 21 && existsSync(`${VOC}/image.u8.bin`)) {
    const u = readFileSync(`${VOC}/unary.f32.bin`);
    return { rgb: new Uint8Array(readFileSync(`${VOC}/image.u8.bin`)), unary: new Float32Array(u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength)) };
  }
  // Smooth shapes on a two-tone background: a natural image's lattice size, unlike noise.
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (h / 3) ** 2;
      rgb.set(inside ? [200, 40, 40] : y < h / 2 ? [90, 140, 200] : [60, 120, 40], (y * w + x) * 3);
    }
  }
  return { rgb, unary: unaryFromLogits(benchData(w * h * c), c) };
}

// DeepLab-LargeFOV's CRF on a PASCAL-sized image: 10 mean-field iterations, the lattice built
// once in setup (its time is printed; the harness times the iterations). 'lattice' stores label
// vectors in float32 (the reference's numbers), 'lattice-f16' in float16 (float32 arithmetic).
export const crfEntry: BenchEntry = {
  kernel: 'crf',
  variants: ['lattice', 'lattice-f16'],
  presets: { voc: ['500,375,21,10'], small: ['64,48,21,10'] },
  shapeHelp: 'W,H,C,iterations',
  tolerance: 1e-6,
  // float16 storage: max |ΔQ| 6e-4 on voc_500x375 after 10 iterations, 1.4e-3 on small_64x48
  // (tests/deeplab/crf_f16.test.ts); the bound is tolerance · (1 + max Q) ≈ 2·tolerance.
  variantTolerance: { 'lattice-f16': 2e-3 },
  async setup(dev: Device, shape: string) {
    const [w, h, c, iterations] = shape.split(',').map(Number);
    const { rgb, unary } = crfInputs(w, h, c);
    const image = { width: w, height: h, data: rgb };
    // The lattice build, apart: on the CPU, and on the GPU twice (the first run compiles its
    // pipelines). Wall times, the readbacks included. The iterations run on the CPU-built plan
    // (the GPU builds the same plan up to vertex numbering).
    const ms: number[] = [];
    const build = async (lattice: 'cpu' | 'gpu') => {
      const t = performance.now();
      const p = await prepareCrf(dev, image, { ...CRF_DEFAULTS['deeplab-largefov'], lattice });
      await dev.sync();
      ms.push(Math.round(performance.now() - t));
      return p;
    };
    const prep = await build('cpu');
    (await build('gpu')).dispose();
    (await build('gpu')).dispose();
    console.log(`crf ${shape}: lattice build CPU ${ms[0]} ms; GPU ${ms[1]} ms on its first call (compiling), ${ms[2]} ms after; ${prep.plan.rows - 1} vertices`);
    const n = w * h;
    const cp = labelStride(c);
    const u = dev.tensor(padLabels(unary, n, c, cp), [n, cp]);
    const vectorBytes = (storage: CrfStorage) => iterations * 16 * crfWords(c, storage) * (2 * n * (prep.plan.ka + prep.plan.kb) + 3 * prep.plan.rows * prep.plan.passes);
    return {
      run(variant: string) {
        const out = dev.empty([n, cp]);
        crfMeanField(dev, prep.plan, c, u, out, iterations, variant === 'lattice-f16' ? 'f16' : 'f32');
        return out;
      },
      // Per iteration: splat and slice 2 flops per (entry, label), blur 3 per (row, label, pass);
      // bytes: the label vectors those read, 16 bytes a word.
      flops: iterations * c * (4 * n * (prep.plan.ka + prep.plan.kb) + 3 * prep.plan.rows * prep.plan.passes),
      bytes: vectorBytes('f32'),
      bytesFor: (variant: string) => vectorBytes(variant === 'lattice-f16' ? 'f16' : 'f32'),
      dispose() {
        u.dispose();
        prep.dispose();
      },
    };
  },
};

import { CRF_DEFAULTS, crfKernels } from '../../src/deeplab/crf.ts';
import { crfPlanRecorder, keyBits, keyLayout } from '../../src/deeplab/crf_plan_gpu.ts';
import type { Device } from '../../src/tensor/device.ts';
import type { BenchEntry } from '../types.ts';
import { crfInputs } from './crf.ts';

// The CRF's lattices built on the GPU (src/deeplab/crf_plan_gpu.ts) for DeepLab-LargeFOV's
// settings on a PASCAL-sized image (the voc_500x375 fixture where it lies beside the clone):
// coordinates, radix sort, vertex numbering, tables, neighbours, normalisation. Setup builds it
// once to learn the vertex counts, so a run records every dispatch with no readback between.
export const crfLatticeEntry: BenchEntry = {
  kernel: 'crf_lattice',
  variants: ['gpu'],
  presets: { voc: ['500,375'], small: ['64,48'] },
  shapeHelp: 'W,H',
  tolerance: 0,
  async setup(dev: Device, shape: string) {
    const [w, h] = shape.split(',').map(Number);
    const { rgb } = crfInputs(w, h, 21);
    const kernels = crfKernels({ width: w, height: h, data: rgb }, CRF_DEFAULTS['deeplab-largefov']);
    const record = await crfPlanRecorder(dev, ...kernels);
    // At least: coordinates out (key, weight, entry), each sort pass's pairs in and out, the
    // tables' sorted pairs and weights in, CSR entries and slices out.
    let bytes = 0;
    for (const k of kernels) {
      const entries = w * h * (k.d + 1);
      const passes = Math.ceil(keyBits(keyLayout(k.features, k.d)!) / 4);
      bytes += entries * (16 + passes * 24 + 32);
    }
    return {
      run: record,
      flops: 0,
      bytes,
      dispose() {},
    };
  },
};

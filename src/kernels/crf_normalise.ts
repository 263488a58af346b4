import normaliseShader from '../../shaders/crf_normalise.wgsl';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { crfFilter, type CrfPlan } from './crf.ts';
import { full } from './fill.ts';
import { grid1d, Params, runKernel } from './runner.ts';

/**
 * Records the CRF plan's per-pixel normalisation into plan.coef (wA·normA, wB·normB), as the CPU's
 * normalise() computes it, and each lattice's largest blurred all-ones value into `peaks` (2 u32:
 * float32 bits; zeroed by the caller). The plan's other tables must be complete.
 */
export function crfNormalise(dev: Device, plan: CrfPlan, wa: number, wb: number, peaks: Tensor<'u32'>): void {
  dev.scope(() => {
    // One label, padded to a vec4 like any label vector; the padding lanes are ones too, filtered
    // alongside and never read.
    const q = full(dev, [plan.pixels, 4], 1);
    const [va, vb] = [dev.empty([plan.rows, 4], 'u32'), dev.empty([plan.rows, 4], 'u32')];
    const [outA, outB] = crfFilter(dev, plan, 1, q, va, vb, 'f32');
    const common = { kernel: 'crf_normalise', shader: normaliseShader, constants: { KA: plan.ka, KB: plan.kb } };
    const uniforms = new Params().u32(plan.pixels, plan.ma, plan.rows - 1).f32(wa, wb).build();
    runKernel(dev, { ...common, entryPoint: 'normalise', variant: 'normalise', uniforms, tensors: [outA, outB, plan.slices, plan.coef], workgroups: grid1d(dev, Math.ceil(plan.pixels / 64)) });
    runKernel(dev, { ...common, entryPoint: 'peak', variant: 'peak', uniforms, tensors: [outA, outB, peaks], workgroups: grid1d(dev, Math.ceil((plan.rows - 1) / 64)) });
  });
}

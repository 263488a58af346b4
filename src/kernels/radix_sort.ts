import sortShader from '../../shaders/radix_sort.wgsl';
import scanShader from '../../shaders/workgroup_scan.wgsl';
import type { Device } from '../tensor/device.ts';
import { LimitError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { copyBlocks } from './copy.ts';
import { grid1d, Params, runKernel } from './runner.ts';

const shader = scanShader + sortShader;

/** Elements per workgroup tile: shaders/radix_sort.wgsl's WG × ITEMS. */
const TILE = 128 * 32;

/**
 * Records a stable sort of n (key, value) pairs by key bits [0, bits) into the open encoder:
 * `keys` holds n 64-bit keys as (low, high) u32 words, `values` n u32. Returns new tensors (n × 2
 * keys, n values) with the pairs in ascending key order, equal keys in input order; the inputs are
 * left as they are. Key bits from `bits` up are ignored. An LSD radix sort of ceil(bits /
 * digitBits) passes, three dispatches each (shaders/radix_sort.wgsl); digitBits (1..4) is there
 * for the bench's 1-bit reference, 4 is the fast setting.
 */
export function radixSortPairs(dev: Device, keys: Tensor<'u32'>, values: Tensor<'u32'>, n: number, bits: number, digitBits = 4): { keys: Tensor<'u32'>; values: Tensor<'u32'> } {
  if (!Number.isInteger(bits) || bits < 0 || bits > 64) throw new LimitError(`radixSortPairs: bits = ${bits}; 0 to 64 are supported`);
  if (!Number.isInteger(digitBits) || digitBits < 1 || digitBits > 4) throw new LimitError(`radixSortPairs: digitBits = ${digitBits}; 1 to 4 are supported`);
  if (!Number.isInteger(n) || n < 0 || 2 * n > keys.size || n > values.size) {
    throw new LimitError(`radixSortPairs: n = ${n} pairs, but keys holds ${keys.size / 2} (2 words each) and values ${values.size}`);
  }
  const outKeys = dev.empty([n, 2], 'u32');
  const outValues = dev.empty([n], 'u32');
  const passes = Math.ceil(bits / digitBits);
  if (n === 0) return { keys: outKeys, values: outValues };
  if (passes === 0) {
    copyBlocks(dev, keys, outKeys, { run: 2 * n, rows: 1, srcOffset: 0, srcStride: 0, dstOffset: 0, dstStride: 0 }, 'radix_copy');
    copyBlocks(dev, values, outValues, { run: n, rows: 1, srcOffset: 0, srcStride: 0, dstOffset: 0, dstStride: 0 }, 'radix_copy');
    return { keys: outKeys, values: outValues };
  }
  const tiles = Math.ceil(n / TILE);
  const radix = 1 << digitBits;
  const counts = dev.empty([radix * tiles], 'u32');
  // Ping-pong so that the last pass lands in the outputs: with an odd pass count the first pass
  // writes them, with an even one the scratch pair.
  const spare = passes > 1 ? { keys: dev.empty([n, 2], 'u32'), values: dev.empty([n], 'u32') } : null;
  const out = { keys: outKeys, values: outValues };
  let src = { keys, values };
  let dst = passes % 2 ? out : spare!;
  const grid = grid1d(dev, tiles);
  const shape = `${n},${bits}`;
  for (let pass = 0; pass < passes; pass++) {
    const shift = pass * digitBits;
    const uniforms = new Params().u32(n, tiles, shift, Math.min(digitBits, bits - shift), radix).build();
    const common = { shader, uniforms, shape, variant: `${digitBits}-bit` };
    runKernel(dev, { ...common, kernel: 'radix_count', entryPoint: 'count', tensors: [counts, src.keys], workgroups: grid, bytes: 8 * n });
    runKernel(dev, { ...common, kernel: 'radix_scan', entryPoint: 'scan', tensors: [counts], workgroups: [1], bytes: 8 * radix * tiles });
    runKernel(dev, {
      ...common,
      kernel: 'radix_scatter',
      entryPoint: 'scatter',
      tensors: [counts, src.keys, src.values, dst.keys, dst.values],
      workgroups: grid,
      bytes: 24 * n,
    });
    src = dst;
    dst = dst === out ? spare! : out;
  }
  // Recorded, so safe to free: the pool hands these buffers only to later-recorded commands.
  counts.dispose();
  spare?.keys.dispose();
  spare?.values.dispose();
  return out;
}

import { radixSortPairs } from '../../src/kernels/radix_sort.ts';
import type { Device } from '../../src/tensor/device.ts';
import type { BenchEntry } from '../types.ts';

const DIGIT_BITS: Record<string, number> = { '1-bit': 1, '4-bit': 4 };

// Sorting the (vertex key, entry) pairs of a dense CRF's permutohedral lattices on a 500×375
// image: n·(d+1) entries, 20-bit positional and 38-bit bilateral keys. '1-bit' (one LSD pass per
// key bit) is the plain reference; '4-bit' the real setting, 4 bits a pass. The output compared
// is the sorted values, i.e. the permutation (values are the input indices, exact in float32).
export const radixSortEntry: BenchEntry = {
  kernel: 'radix_sort',
  variants: ['1-bit', '4-bit'],
  presets: { crf: ['562500,20', '1125000,38'] },
  shapeHelp: 'n,bits (n pairs of a 64-bit key with `bits` significant bits and a u32 value)',
  tolerance: 0,
  setup(dev: Device, shape: string) {
    const [n, bits] = shape.split(',').map(Number);
    if (!(n >= 0 && bits >= 0 && bits <= 64)) throw new Error(`radix_sort: bad shape "${shape}" (n,bits)`);
    // Hashed keys with each value repeated about 4 times, as lattice vertices are shared.
    const words = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const h = (j: number) => Math.imul((i >> 2) ^ (Math.imul(i >> 2, 0x9e3779b9) >>> 15), 0x85ebca6b + j) >>> 0;
      words[2 * i] = bits >= 32 ? h(0) : h(0) & (2 ** bits - 1);
      words[2 * i + 1] = bits > 32 ? h(1) & (2 ** (bits - 32) - 1) : 0;
    }
    const keys = dev.tensor(words, [n, 2], 'u32');
    const values = dev.tensor(Uint32Array.from({ length: n }, (_, i) => i), [n], 'u32');
    // Per pass: count reads the keys (8 bytes a pair), scatter reads and writes key and value (24).
    const bytesFor = (variant: string) => Math.ceil(bits / DIGIT_BITS[variant]) * 32 * n;
    return {
      run(variant: string) {
        const out = radixSortPairs(dev, keys, values, n, bits, DIGIT_BITS[variant]);
        out.keys.dispose();
        return out.values;
      },
      flops: 0,
      bytes: bytesFor('4-bit'),
      bytesFor,
      dispose() {
        keys.dispose();
        values.dispose();
      },
    };
  },
};

import { copyPeak } from './kernels/copy_peak.ts';
import { addEntry, reluEntry } from './kernels/elementwise.ts';
import { avgPool2dEntry, globalAvgPool2dEntry, maxPool2dEntry } from './kernels/pool2d.ts';
import { resizeArgmaxEntry, resizeBilinearEntry } from './kernels/resize.ts';
import { softmaxChannelsEntry } from './kernels/softmax.ts';
import { argmaxChannelsEntry } from './kernels/argmax.ts';
import { maxNEntry, sumNEntry } from './kernels/reduce_n.ts';
import { concatChannelsEntry, cropPad2dEntry, flipHorizontalEntry } from './kernels/tensor_ops.ts';
import { conv2dEntry } from './kernels/conv2d.ts';
import { gemmPeak } from './kernels/gemm_peak.ts';
import { crfEntry } from './kernels/crf.ts';
import { latticeCoordsEntry } from './kernels/lattice_coords.ts';
import { radixSortEntry } from './kernels/radix_sort.ts';
import { crfLatticeEntry } from './kernels/crf_lattice.ts';
import type { BenchEntry } from './types.ts';

// One line per kernel: import its entry from bench/kernels/<kernel>.ts and list it here.
export const ENTRIES: BenchEntry[] = [
  copyPeak,
  gemmPeak,
  conv2dEntry,
  addEntry,
  reluEntry,
  maxPool2dEntry,
  avgPool2dEntry,
  globalAvgPool2dEntry,
  resizeBilinearEntry,
  resizeArgmaxEntry,
  softmaxChannelsEntry,
  argmaxChannelsEntry,
  sumNEntry,
  maxNEntry,
  concatChannelsEntry,
  flipHorizontalEntry,
  cropPad2dEntry,
  crfEntry,
  latticeCoordsEntry,
  radixSortEntry,
  crfLatticeEntry,
];

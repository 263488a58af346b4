import { copyPeak } from './kernels/copy_peak.ts';
import { addEntry, reluEntry } from './kernels/elementwise.ts';
import type { BenchEntry } from './types.ts';

// One line per kernel: import its entry from bench/kernels/<kernel>.ts and list it here.
export const ENTRIES: BenchEntry[] = [
  copyPeak,
  addEntry,
  reluEntry,
];

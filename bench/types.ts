import type { Device } from '../src/tensor/device.ts';
import type { Tensor } from '../src/tensor/tensor.ts';

/**
 * One kernel's benchmark entry: bench/kernels/<kernel>.ts exports one, bench/registry.ts lists it.
 * The harness (bench/bench.ts) sets a case up, runs the reference variant (variants[0]) and the
 * chosen variant, checks they agree within `tolerance`, then times the variant with GPU timestamps.
 */
export interface BenchEntry {
  kernel: string;
  /** Variant names; the first is the plain reference the others are validated against. */
  variants: string[];
  /** Named shapes (e.g. DeepLab-LargeFOV's layers at 321×321) used when no --shape is given. */
  presets: Record<string, string[]>;
  /** Help for the --shape syntax, e.g. "N,C,H,W,O,k,stride,pad,dilation". */
  shapeHelp: string;
  /** Max abs difference allowed between a variant and the reference, relative to max |reference| + 1. */
  tolerance: number;
  /** A looser tolerance for named variants that round differently on purpose (e.g. float16 storage). */
  variantTolerance?: Record<string, number>;
  setup(dev: Device, shape: string): BenchCase | Promise<BenchCase>;
}

export interface BenchCase {
  /** Records one run of `variant` into the device's encoder and returns its output (the harness disposes it). */
  run(variant: string): Tensor;
  /** Useful floating-point operations of one run (2 per multiply-add), 0 if not meaningful. */
  flops: number;
  /** Bytes one run must at least read and write. */
  bytes: number;
  /** The same for a variant that moves fewer (e.g. float16 storage); default `bytes`. */
  bytesFor?(variant: string): number;
  dispose(): void;
}

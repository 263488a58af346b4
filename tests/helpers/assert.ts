import { readFileSync } from 'node:fs';
import { parseSafetensors, type HostTensor } from '../../src/nn/safetensors.ts';

/** The repository root (tests run from one bundle in dist-test/, so import.meta.url won't do). */
export const repoRoot = process.env.ATROUS_ROOT ?? process.cwd();
const fixtureDir = new URL(`file://${repoRoot}/tests/fixtures/`);

/** Golden tensors written by the committed PyTorch scripts in tests/golden/. */
export function loadGolden(name: string): Map<string, HostTensor> {
  const path = new URL(`${name}.safetensors`, fixtureDir);
  return parseSafetensors(readFileSync(path), path.pathname);
}

export function golden(g: Map<string, HostTensor>, key: string): HostTensor {
  const t = g.get(key);
  if (!t) throw new Error(`golden fixture has no tensor "${key}" (have: ${[...g.keys()].join(', ')})`);
  return t;
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise; the message names the worst
 * element, its index and the tolerance. NaN anywhere fails.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { atol?: number; rtol?: number },
  what: string,
): void {
  const atol = tol.atol ?? 0;
  const rtol = tol.rtol ?? 0;
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  let maxErr = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= atol + rtol * Math.abs(expected[i]))) {
      const excess = Number.isNaN(err) ? Infinity : err - (atol + rtol * Math.abs(expected[i]));
      if (worst < 0 || excess > worstExcess) (worst = i), (worstExcess = excess);
    }
    if (err > maxErr) maxErr = err;
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol}; max abs error ${maxErr})`,
    );
  }
}

export function assertEqualArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assertClose(actual, expected, { atol: 0 }, what);
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Asserts that f rejects with an instance of cls whose message matches re. */
export async function rejects(f: () => Promise<unknown>, cls: Function, re: RegExp): Promise<void> {
  try {
    await f();
  } catch (e) {
    if (!(e instanceof cls && re.test((e as Error).message))) throw new Error(`expected ${cls.name} matching ${re}, got: ${(e as Error).message}`);
    return;
  }
  throw new Error(`no error for ${re}`);
}

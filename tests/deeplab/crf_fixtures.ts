import { existsSync, readFileSync } from 'node:fs';
import { repoRoot } from '../helpers/assert.ts';

/** The C++ reference outputs in ../shared/fixtures/crf (beside the clone; too big to commit). */
export const CRF_FIXTURES = `${repoRoot}/../shared/fixtures/crf`;
export const LARGEFOV = { iterations: 10, posW: 3, posXyStd: 3, biW: 4, biXyStd: 121, biRgbStd: 5 };

export interface CrfCase {
  width: number;
  height: number;
  image: Uint8Array;
  unary: Float32Array;
  q(it: number): Float32Array;
  labels(it: number): Uint8Array;
}

export function hasCase(name: string): boolean {
  return existsSync(`${CRF_FIXTURES}/${name}/manifest.json`);
}

export function loadCase(name: string): CrfCase {
  const dir = `${CRF_FIXTURES}/${name}`;
  const m = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8'));
  const bytes = (f: string) => {
    const b = readFileSync(`${dir}/${f}`);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  };
  return {
    width: m.width,
    height: m.height,
    image: new Uint8Array(bytes('image.u8.bin')),
    unary: new Float32Array(bytes('unary.f32.bin')),
    q: (it) => new Float32Array(bytes(`Q_it${it}.f32.bin`)),
    labels: (it) => new Uint8Array(bytes(`labels_it${it}.u8.bin`)),
  };
}

/** max and mean |a − b|, and the fraction of equal labels. */
export function agreement(q: Float32Array, ref: Float32Array, labels: Uint8Array, refLabels: Uint8Array) {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < q.length; i++) {
    const e = Math.abs(q[i] - ref[i]);
    if (!(e <= max)) max = e; // NaN propagates
    sum += e;
  }
  let same = 0;
  for (let i = 0; i < labels.length; i++) same += labels[i] === refLabels[i] ? 1 : 0;
  return { max, mean: sum / q.length, labelFraction: same / labels.length };
}

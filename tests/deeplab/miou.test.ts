import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Confusion } from '../../src/deeplab/miou.ts';
import { assertClose } from '../helpers/assert.ts';
import { Mulberry32 } from '../helpers/prng.ts';

test('hand-checked: IoU = TP / (TP + FP + FN), 255 ignored, absent classes left out of the mean', () => {
  const c = new Confusion(4);
  // gt:   0 0 0 1 1 2 255 255
  // pred: 0 0 1 1 2 2   3   0
  assert.is(c.add([0, 0, 1, 1, 2, 2, 3, 0], [0, 0, 0, 1, 1, 2, 255, 255]), 6);
  // class 0: TP 2, FN 1 → 2/3; class 1: TP 1, FP 1, FN 1 → 1/3; class 2: TP 1, FP 1 → 1/2; class 3 absent.
  const iou = c.iou();
  assertClose(iou.slice(0, 3), [2 / 3, 1 / 3, 1 / 2], { atol: 1e-12 }, 'iou');
  assert.ok(Number.isNaN(iou[3]));
  assertClose([c.meanIou(), c.pixelAccuracy()], [(2 / 3 + 1 / 3 + 1 / 2) / 3, 4 / 6], { atol: 1e-12 }, 'mean, accuracy');
});

test('hand-checked: a class only predicted gets IoU 0; a prediction past the classes is a miss', () => {
  const c = new Confusion(3);
  c.add([2, 2, 7, 0], [0, 0, 1, 0]);
  // 0: TP 1, FN 2 → 1/3; 1: FN 1 (predicted 7) → 0; 2: FP 2 → 0.
  assertClose(c.iou(), [1 / 3, 0, 0], { atol: 1e-12 }, 'iou');
  assertClose([c.pixelAccuracy()], [1 / 4], { atol: 1e-12 }, 'accuracy');
  assert.throws(() => c.add([0], [5]), (e: unknown) => e instanceof RangeError && /label 5/.test((e as Error).message));
  assert.throws(() => c.add([0, 0], [0]), (e: unknown) => e instanceof RangeError);
});

test('matches numpy on random labels (bincount confusion matrix, same mulberry32 draws)', () => {
  // /usr/bin/python3: k=4; gt = floor((Mulberry32(7).fill(300)+1)/2*k), gt[::17] = 255;
  // pred likewise from seed 8; cm = bincount(gt*k+pred); iou = diag/(sum0+sum1-diag).
  const k = 4;
  const lab = (seed: number) => Array.from(new Mulberry32(seed).fill(300), (v) => Math.floor(((v + 1) / 2) * k));
  const gt = lab(7).map((v, i) => (i % 17 === 0 ? 255 : v));
  const c = new Confusion(k);
  c.add(lab(8), gt);
  assertClose(c.iou(), [0.15384615384615385, 0.16071428571428573, 0.16541353383458646, 0.152], { atol: 1e-12 }, 'iou');
  assertClose([c.meanIou(), c.pixelAccuracy()], [0.1579934933487565, 0.2730496453900709], { atol: 1e-12 }, 'mean, accuracy');
});

test.run();

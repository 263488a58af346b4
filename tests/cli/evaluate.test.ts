import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate } from '../../src/cli/evaluate.ts';
import { UsageError } from '../../src/cli/command.ts';
import { decodeLabelPng, encodeLabelPng } from '../../src/io/image.ts';
import { repoRoot } from '../helpers/assert.ts';

const tmp = mkdtempSync(join(tmpdir(), 'atrous-evaluate-'));
const gtDir = join(tmp, 'gt'), predDir = join(tmp, 'pred');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const write = process.stderr.write.bind(process.stderr);
  const log = console.log;
  let out = '', err = '';
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  console.log = (s: string) => void (out += s + '\n');
  try {
    return { code: await evaluate.run(args), out, err };
  } finally {
    process.stderr.write = write;
    console.log = log;
  }
}

test('evaluate pairs NAME_gt.png with NAME_labels.png and scores all pixels together', async () => {
  mkdirSync(gtDir);
  mkdirSync(predDir);
  for (const s of ['sample1', 'sample2']) copyFileSync(join(repoRoot, 'assets/demo', `${s}_gt.png`), join(gtDir, `${s}_gt.png`));
  copyFileSync(join(gtDir, 'sample1_gt.png'), join(predDir, 'sample1_labels.png')); // perfect
  const g2 = decodeLabelPng(readFileSync(join(gtDir, 'sample2_gt.png')), 'gt2');
  writeFileSync(join(predDir, 'sample2_labels.png'), encodeLabelPng(new Uint8Array(g2.labels.length), g2.width, g2.height)); // all background
  const g1 = decodeLabelPng(readFileSync(join(gtDir, 'sample1_gt.png')), 'gt1').labels;
  // By hand: every object pixel of sample2 is a miss (and a false positive for background), so
  // background IoU = all background pixels / (sample1's background + all of sample2).
  const bg = [...g1, ...g2.labels].filter((v) => v === 0).length;
  const all = g1.filter((v) => v === 0).length + g2.labels.length;
  const classes = new Set([...g1, ...g2.labels].filter((v) => v !== 0));
  const iouOf = (c: number) => g1.filter((v) => v === c).length / [...g1, ...g2.labels].filter((v) => v === c).length;
  const want = (bg / all + [...classes].reduce((a, c) => a + iouOf(c), 0)) / (1 + classes.size);

  const names = 'background,disc,square,triangle,ring,cross';
  const { code, out, err } = await run([predDir, gtDir, '--classes', names]);
  assert.is(code, 0, err);
  assert.match(out, /2 image pairs scored/);
  assert.match(out, new RegExp(`mIoU ${want.toFixed(4)}`));
});

test('a missing prediction is reported and the rest still scored (exit 1); bad usage throws', async () => {
  copyFileSync(join(repoRoot, 'assets/demo/sample3_gt.png'), join(gtDir, 'sample3_gt.png'));
  const { code, out, err } = await run([predDir, gtDir]);
  assert.is(code, 1);
  assert.match(err, /no prediction sample3_labels\.png or sample3\.png/);
  assert.match(out, /2 image pairs scored, 1 failed/);
  for (const args of [[predDir], [predDir, join(tmp, 'nope')], [predDir, gtDir, '--bogus']]) {
    try {
      await run(args);
      assert.unreachable(args.join(' '));
    } catch (e) {
      assert.ok(e instanceof UsageError, String(e));
    }
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();

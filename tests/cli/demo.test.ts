// The main job (`npm start` = `atrous demo`) end to end, in-process with the command's own device,
// in a scratch working directory (it writes demo-out/ where it is run).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { demo } from '../../src/cli/demo.ts';
import { Confusion } from '../../src/deeplab/miou.ts';
import { decodeLabelPng } from '../../src/io/image.ts';
import { repoRoot } from '../helpers/assert.ts';

const tmp = mkdtempSync(join(tmpdir(), 'atrous-demo-'));

/** Runs the command in `tmp`, returning its exit code and everything it printed. */
async function run(args: string[]): Promise<{ code: number; out: string }> {
  const cwd = process.cwd();
  const write = process.stdout.write.bind(process.stdout);
  const log = console.log;
  let out = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  console.log = (...a: unknown[]) => { out += a.join(' ') + '\n'; };
  process.chdir(tmp);
  try {
    return { code: await demo.run(args), out };
  } finally {
    process.chdir(cwd);
    process.stdout.write = write;
    console.log = log;
  }
}

test('demo: labels written, the mIoU it prints is that of the PNG it wrote, the profile is of a steady forward', async () => {
  const { code, out } = await run(['sample2']);
  assert.is(code, 0);
  const written = decodeLabelPng(readFileSync(join(tmp, 'demo-out', 'sample2_labels.png')), 'labels');
  const gt = decodeLabelPng(readFileSync(join(repoRoot, 'assets/demo/sample2_gt.png')), 'gt');
  assert.is(written.labels.length, 161 * 161);
  const conf = new Confusion(6);
  conf.add(written.labels, gt.labels);
  const printed = /mIoU (\d\.\d{4})/.exec(out);
  assert.ok(printed, out);
  assert.is(printed![1], conf.meanIou().toFixed(4));
  assert.ok(conf.meanIou() > 0.5, `mIoU ${conf.meanIou()}: the bundled model scores 0.58 on held-out scenes`);
  // The second forward's profile: the convs' kernels, none of the one-time weight re-layouts.
  const profile = out.slice(out.indexOf('kernel profile of the steady forward pass'));
  assert.ok(profile.length > 0 && /\nconv2d\/\S+\s+\d+/.test(profile), out);
  assert.not.match(profile, /_weights/);
  assert.match(out, /again in \d+ ms \(steady, profiled below\)/);
});

test('demo --no-profile prints no profile and runs one forward', async () => {
  const { code, out } = await run(['sample1', '--no-profile']);
  assert.is(code, 0);
  assert.match(out, /mIoU \d\.\d{4}/);
  assert.not.match(out, /kernel profile|again in/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();

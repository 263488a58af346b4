import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profile } from '../../src/cli/profile.ts';
import { UsageError } from '../../src/cli/command.ts';

/** Runs the command with stdout captured. */
async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = process.stdout.write;
  const log = console.log;
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  console.log = (...a: unknown[]) => void (out += a.join(' ') + '\n');
  try {
    return { code: await profile.run(args), out };
  } finally {
    process.stdout.write = write;
    console.log = log;
  }
}

test('atrous profile writes the table, the breakdown, a trace and JSON lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrous-profile-'));
  try {
    const trace = join(dir, 't.json');
    const jsonl = join(dir, 't.jsonl');
    const { code, out } = await run(['--model', 'synthetic', '--size', '9x13', '--runs', '2', '--trace', trace, '--jsonl', jsonl]);
    assert.is(code, 0);
    assert.match(out, /synthetic on \[1, 3, 9, 13\]/);
    assert.match(out, /by kernel|batch/);
    assert.match(out, /steady-state forward/);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.is(lines.filter((l) => l.type === 'dispatch').length, 2 * 32);
    assert.ok(Array.isArray(JSON.parse(readFileSync(trace, 'utf8')).traceEvents));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('atrous profile --model crf profiles the CRF kernels, 10 iterations a forward, in either storage', async () => {
  for (const storage of ['f32', 'f16']) {
    const { code, out } = await run(['--model', 'crf', '--size', '24x32', '--runs', '1', '--crf-storage', storage]);
    assert.is(code, 0);
    assert.match(out, new RegExp(`crf on \\[1, 3, 24, 32\\] \\(a synthetic scene, deeplab-largefov's CRF settings, ${storage} storage\\)`));
    // Per forward: Q0, then 10 × (splat, 6 blur passes, update).
    for (const [kernel, count] of [['crf_init', 1], ['crf_splat', 10], ['crf_blur', 60], ['crf_update', 10]] as const) {
      assert.match(out, new RegExp(`\\n${kernel} +${count} `), `${storage}: ${kernel} ×${count}`);
    }
  }
});

test('atrous profile --model crf-lattice profiles the GPU lattice build, every step of it once per lattice', async () => {
  const { code, out } = await run(['--model', 'crf-lattice', '--size', '24x32', '--runs', '1']);
  assert.is(code, 0);
  assert.match(out, /crf-lattice on \[1, 3, 24, 32\] \(the CRF's lattices built on the GPU/);
  // Per lattice: coordinates, vertex counts and their scan, tables, neighbours; the sort's passes
  // (three dispatches each) and the normalisation (a one-label splat and blur) vary with the keys.
  for (const [kernel, count] of [['lattice_coords', 2], ['lattice_tables/count_vertices', 2], ['lattice_tables/scan_tiles', 2], ['lattice_tables/tables', 2], ['lattice_tables/neighbours', 2], ['crf_splat', 1], ['crf_blur', 6], ['crf_normalise/normalise', 1], ['crf_normalise/peak', 1]] as const) {
    assert.match(out, new RegExp(`\\n${kernel} +${count} `), `${kernel} ×${count}`);
  }
  assert.match(out, /\nradix_scatter\/4-bit +\d+ /);
});

test('atrous profile refuses bad usage', async () => {
  const bad = [['--crf-storage', 'f16'], ['--model', 'crf', '--crf-storage', 'f64'], ['--model', 'crf', '--flip'], ['--size', '12x'], ['--model', 'nope'], ['--runs', '0'], ['--bogus'], ['--flip'], ['--model', 'deeplab-v3-resnet50', '--output-stride', '4'], ['--model', 'deeplab-v2-resnet101', '--scales', '1,0.6']];
  for (const args of bad) {
    await profile.run(args).then(
      () => assert.unreachable(args.join(' ')),
      (e) => assert.instance(e, UsageError, args.join(' ')),
    );
  }
});

test.run();

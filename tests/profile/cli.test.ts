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

test('atrous profile refuses bad usage', async () => {
  const bad = [['--size', '12x'], ['--model', 'nope'], ['--runs', '0'], ['--bogus'], ['--flip'], ['--model', 'deeplab-v3-resnet50', '--output-stride', '4'], ['--model', 'deeplab-v2-resnet101', '--scales', '1,0.6']];
  for (const args of bad) {
    await profile.run(args).then(
      () => assert.unreachable(args.join(' ')),
      (e) => assert.instance(e, UsageError, args.join(' ')),
    );
  }
});

test.run();

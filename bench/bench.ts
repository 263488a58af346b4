// Kernel benchmarks: node dist/bench.js [kernel|all] [--variant NAME] [--shape S | --preset NAME]
//                                        [--runs N] [--json out.jsonl] [--no-peak] [--list]
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Device } from '../src/tensor/device.ts';
import { benchOne, NotApplicableError, Peaks, RESULT_HEADER, resultRow, ValidationError } from './harness.ts';
import { ENTRIES } from './registry.ts';
import type { BenchEntry } from './types.ts';

const USAGE = `Usage: node dist/bench.js [kernel|all] [options]

Validates each chosen variant against the kernel's reference variant, then reports the median GPU
time over N runs (GPU timestamps; wall time where the device has none), GFLOP/s or GB/s, and the
fraction of the device's peak (gemm_peak's GFLOP/s, copy_peak's GB/s; measured once per run).

Options:
  --variant NAME   one variant (default: all of the kernel's variants; those that cannot run a
                   shape, e.g. Winograd on a 1×1 conv, are skipped with a note saying why)
  --shape S        one shape (see --list for each kernel's syntax)
  --preset NAME    a named shape list (default: the kernel's first preset)
  --runs N         timed runs per case (default 10)
  --json FILE      append one JSON line per (kernel, variant, shape)
  --no-peak        skip the peak probes (no % peak column)
  --list           list kernels, variants and presets (also what no arguments do)
`;

function list(): string {
  return ENTRIES.map(
    (e) =>
      `${e.kernel}\n  variants: ${e.variants.join(', ')} (reference: ${e.variants[0]})\n  shape:    ${e.shapeHelp}\n` +
      Object.entries(e.presets)
        .map(([name, shapes]) => `  preset ${name}: ${shapes.join('  ')}`)
        .join('\n'),
  ).join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values: o, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      variant: { type: 'string' },
      shape: { type: 'string' },
      preset: { type: 'string' },
      runs: { type: 'string', default: '10' },
      json: { type: 'string' },
      'no-peak': { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return (process.stdout.write(USAGE), 0);
  const name = positionals[0];
  if (o.list || !name) return (console.log(list()), 0);
  const entries: BenchEntry[] = name === 'all' ? ENTRIES : ENTRIES.filter((e) => e.kernel === name);
  if (!entries.length) {
    process.stderr.write(`bench: no kernel "${name}"; registered: ${ENTRIES.map((e) => e.kernel).join(', ') || '(none)'}\n`);
    return 2;
  }
  const runs = Number(o.runs);
  if (!Number.isInteger(runs) || runs < 1) return (process.stderr.write(`bench: --runs must be a positive integer\n`), 2);

  const cases: [BenchEntry, string, string][] = [];
  for (const e of entries) {
    const preset = o.preset ?? Object.keys(e.presets)[0];
    const shapes = o.shape ? [o.shape] : e.presets[preset];
    if (!shapes) {
      process.stderr.write(`bench: ${e.kernel} has no preset "${preset}" (have: ${Object.keys(e.presets).join(', ')})\n`);
      return 2;
    }
    for (const v of o.variant ? [o.variant] : e.variants) for (const s of shapes) cases.push([e, v, s]);
  }
  const dev = await Device.create();
  const peaks = o['no-peak'] ? null : new Peaks(ENTRIES);
  console.log(`device: ${dev.name}${dev.hasFeature('timestamp-query') ? '' : ' (no timestamp-query: wall time)'}`);
  // Column widths are fixed up front so each row can print as soon as it is measured.
  const known = cases.map(([e, v, s]) => [e.kernel, v, s, '', '', '', '', 'compute', 'gpu-timestamps']);
  const widths = RESULT_HEADER.map((h, i) => Math.max(h.length, 9, ...known.map((k) => k[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(row(RESULT_HEADER));
  let failed = 0;
  for (const [e, v, s] of cases) {
    try {
      const r = await benchOne(dev, e, v, s, runs, peaks);
      console.log(row(resultRow(r)));
      if (o.json) appendFileSync(o.json, JSON.stringify(r) + '\n');
    } catch (err) {
      if (err instanceof NotApplicableError && !o.variant) {
        process.stderr.write(`bench: skipped ${err.message}\n`);
        continue;
      }
      if (!(err instanceof ValidationError || err instanceof NotApplicableError)) throw err;
      failed++;
      process.stderr.write(`bench: ${err.message}\n`);
    }
  }
  dev.destroy();
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);

import { writeFileSync } from 'node:fs';
import { formatBreakdown, profileSession } from '../profile/session.ts';
import { formatReport } from '../profile/table.ts';
import { chromeTrace, jsonLines } from '../profile/trace.ts';
import { DEFAULT_WORKLOAD, WORKLOADS } from '../profile/workload.ts';
import { Device } from '../tensor/device.ts';
import { parseOptions, UsageError, type Command } from './command.ts';
import { crfStorageFlag, MODEL_FLAG_OPTIONS, modelFlagHelp, modelFlags, wrapHelp } from './model_options.ts';

const HELP = `Usage: atrous profile [options]

Runs warm-up forwards, then profiles timed forwards with GPU timestamps around every dispatch, and
prints where the time goes by kernel and by layer, plus a first-run breakdown.

Options:
${wrapHelp('  --model NAME', `${WORKLOADS.join(' | ')} (default ${DEFAULT_WORKLOAD})`, 21)}
  --weights FILE     weights for the model (default: random weights, --seed)
  --seed N           seed for random weights (default 1)
  --size H[xW]       input height and width (default 321)
  --batch N          batch size (default 1)
  --warmup N         forwards before profiling, the first included (default 1)
  --runs N           profiled forwards (default 3)
${modelFlagHelp(21)}
${wrapHelp('  --crf-storage S', "--model crf (DeepLab-LargeFOV's dense CRF, 10 iterations, on a synthetic scene of --size): f32 (default) or f16 label storage", 21)}
  --trace FILE       write a Chrome trace (open in https://ui.perfetto.dev or chrome://tracing)
  --jsonl FILE       write one JSON object per dispatch
  --no-timestamps    withhold timestamp-query: wall time per forward only (the fallback path)
`;

function positiveInt(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

export const profile: Command = {
  name: 'profile',
  summary: 'per-kernel GPU profile of a model: table, Chrome trace, JSON lines',
  help: HELP,
  async run(args) {
    const o = parseOptions({
      args,
      options: {
        model: { type: 'string', default: DEFAULT_WORKLOAD },
        weights: { type: 'string' },
        seed: { type: 'string' },
        size: { type: 'string', default: '321' },
        batch: { type: 'string' },
        warmup: { type: 'string' },
        runs: { type: 'string' },
        trace: { type: 'string' },
        jsonl: { type: 'string' },
        'no-timestamps': { type: 'boolean' },
        'crf-storage': { type: 'string' },
        ...MODEL_FLAG_OPTIONS,
      },
    }).values;
    if (!WORKLOADS.includes(o.model!)) throw new UsageError(`unknown model "${o.model}" (have: ${WORKLOADS.join(', ')})`);
    const m = /^(\d+)(?:x(\d+))?$/.exec(o.size!);
    if (!m) throw new UsageError(`--size must be H or HxW, got "${o.size}"`);
    const [h, w] = [Number(m[1]), Number(m[2] ?? m[1])];
    const runs = positiveInt(o.runs, 'runs', 3);
    const crfStorage = crfStorageFlag('crf-storage', o['crf-storage']);
    if (crfStorage !== undefined && o.model !== 'crf') throw new UsageError('--crf-storage is for --model crf');
    const opts = {
      model: o.model!,
      weights: o.weights,
      seed: o.seed === undefined ? 1 : Number(o.seed),
      input: [positiveInt(o.batch, 'batch', 1), 3, h, w] as [number, number, number, number],
      warmup: positiveInt(o.warmup, 'warmup', 1),
      runs,
      crfStorage,
      ...(o.model === 'synthetic' ? {} : modelFlags(o, o.model!)),
    };

    let t = performance.now();
    const dev = await Device.create(o['no-timestamps'] ? { features: [] } : {});
    const deviceMs = performance.now() - t;
    try {
      const s = await profileSession(dev, opts);
      const header = [
        `atrous profile: ${opts.model} on [${opts.input.join(', ')}]` +
          (opts.model === 'crf' ? ` (a synthetic scene, deeplab-largefov's CRF settings, ${crfStorage ?? 'f32'} storage)` : opts.model === 'crf-lattice' ? " (the CRF's lattices built on the GPU for a synthetic scene, deeplab-largefov's settings)" : opts.weights ? ` (${opts.weights})` : ' (random weights)'),
        `device: ${dev.name} (created in ${deviceMs.toFixed(0)} ms)`,
        `timing: ${s.profiler.timing}; ${runs} profiled forwards, ${s.records.length} dispatches`,
      ].join('\n');
      process.stdout.write(formatReport(s.records, s.batches, header, s.profiler.timestamps));
      process.stdout.write(`\n${formatBreakdown(s.breakdown, runs)}\n`);
      if (o.trace) {
        writeFileSync(o.trace, JSON.stringify(chromeTrace(s.records, s.batches, `atrous ${opts.model} on ${dev.name}`)));
        console.log(`\ntrace: ${o.trace} (open in https://ui.perfetto.dev or chrome://tracing)`);
      }
      if (o.jsonl) {
        writeFileSync(o.jsonl, jsonLines(s.records, s.batches, s.profiler.timestamps));
        console.log(`json lines: ${o.jsonl}`);
      }
      s.profiler.destroy();
    } finally {
      dev.destroy();
    }
    return 0;
  },
};

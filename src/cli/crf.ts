import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { CRF_DEFAULTS, CrfError, denseCrf, MAX_LABELS, unaryFromLogits, unaryFromProbabilities, type CrfParams } from '../deeplab/crf.ts';
import { decodeImage, encodeLabelPng } from '../io/image.ts';
import { readNpy, writeNpy } from '../io/npy.ts';
import { writeAtomic } from '../io/files.ts';
import { Device } from '../tensor/device.ts';
import { parseOptions, UsageError, type Command } from './command.ts';
import { choiceFlag, crfStorageFlag, wrapHelp } from './model_options.ts';

const HELP = `Usage: atrous crf IMAGE SCORES.npy [options]

Refines per-pixel class scores from any framework with DeepLab's fully connected CRF (the
libDenseCRF algorithm, on the GPU). IMAGE is the RGB image (PNG or JPEG) the scores belong to;
SCORES.npy a float32 NumPy array H×W×C or C×H×W (C ≤ ${MAX_LABELS}).

Options:
  -o, --out FILE        write the labels as a PNG in the PASCAL VOC palette
  --q-out FILE          write the final marginals Q as an H×W×C float32 .npy
  --layout hwc|chw      the scores' layout (default: inferred when only one fits the image)
  --scores-kind KIND    logits (default; softmax is applied), probabilities, or unary (= -log p)
${wrapHelp('  --model NAME', `take that model's CRF settings (default deeplab-largefov): ${Object.keys(CRF_DEFAULTS).join(', ')}`, 24)}
  --iterations N        mean-field iterations (0: just softmax of the scores)
${wrapHelp('  --storage f32|f16', 'how the iterations store label vectors: f32 (default; the C++ reference\'s numbers) or f16 (about 1.5× faster on lavapipe, float32 arithmetic; labels matched the reference on every test case, see docs/crf.md)', 24)}
${wrapHelp('  --lattice cpu|gpu', 'where the lattices are built: the same numbers either way (default: cpu on a software adapter such as lavapipe, where it is faster, else gpu)', 24)}
  --pos-w W  --pos-xy-std S                   positional kernel weight and std (pixels)
  --bi-w W  --bi-xy-std S  --bi-rgb-std S     bilateral kernel weight and stds (pixels, 0..255)
  -h, --help            this help

At least one of -o and --q-out is needed. Outputs are written atomically (temporary file, then
rename); an output path equal to an input, or to the other output, is refused.
Exit status: 0 done, 1 runtime failure, 2 bad usage.
`;

const NUMBERS = {
  iterations: 'iterations',
  'pos-w': 'posW',
  'pos-xy-std': 'posXyStd',
  'bi-w': 'biW',
  'bi-xy-std': 'biXyStd',
  'bi-rgb-std': 'biRgbStd',
} as const satisfies Record<string, keyof CrfParams>;

function parseNumber(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${flag} needs a number, got "${text}"`);
  return v;
}

/** The scores as H×W×C, from HWC or CHW as stated or as the only layout that fits the image. */
export function scoresToHWC(shape: number[], data: Float32Array, width: number, height: number, layout: string | undefined, what: string): { hwc: Float32Array; c: number } {
  const desc = `${what} has shape (${shape.join(', ')})`;
  if (shape.length !== 3) throw new CrfError(`${desc}; expected 3 dimensions, H×W×C or C×H×W, for the ${width}×${height} image`);
  const fitsHwc = shape[0] === height && shape[1] === width && shape[2] >= 1 && shape[2] <= MAX_LABELS;
  const fitsChw = shape[1] === height && shape[2] === width && shape[0] >= 1 && shape[0] <= MAX_LABELS;
  if (layout === undefined) {
    if (fitsHwc && fitsChw) throw new CrfError(`${desc}: both H×W×C and C×H×W fit the ${width}×${height} image; say which with --layout hwc|chw`);
    if (!fitsHwc && !fitsChw) {
      throw new CrfError(`${desc}, which fits the ${width}×${height} image neither as H×W×C (${height}, ${width}, C) nor as C×H×W (C, ${height}, ${width}) with C ≤ ${MAX_LABELS}`);
    }
    layout = fitsHwc ? 'hwc' : 'chw';
  } else if (layout === 'hwc' ? !fitsHwc : !fitsChw) {
    const want = layout === 'hwc' ? `(${height}, ${width}, C)` : `(C, ${height}, ${width})`;
    throw new CrfError(`${desc}; --layout ${layout} needs ${want} with 1 ≤ C ≤ ${MAX_LABELS} for the ${width}×${height} image`);
  }
  if (layout === 'hwc') return { hwc: data, c: shape[2] };
  const c = shape[0];
  const n = width * height;
  const hwc = new Float32Array(data.length);
  for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) hwc[i * c + k] = data[k * n + i];
  return { hwc, c };
}


const where = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));

export const crf: Command = {
  name: 'crf',
  summary: 'refine class scores (.npy) with the dense CRF',
  help: HELP,
  async run(args) {
    const parsed = parseOptions({
      args,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        'q-out': { type: 'string' },
        layout: { type: 'string' },
        'scores-kind': { type: 'string' },
        model: { type: 'string' },
        storage: { type: 'string' },
        lattice: { type: 'string' },
        ...Object.fromEntries(Object.keys(NUMBERS).map((k) => [k, { type: 'string' as const }])),
      },
    });
    const { values: v, positionals } = parsed;
    if (positionals.length !== 2) throw new UsageError(`expected IMAGE and SCORES.npy, got ${positionals.length} argument(s)`);
    const [imagePath, scoresPath] = positionals;
    const out = v.out as string | undefined;
    const qOut = v['q-out'] as string | undefined;
    if (!out && !qOut) throw new UsageError('nothing to write: give -o labels.png and/or --q-out q.npy');
    const layout = v.layout as string | undefined;
    if (layout !== undefined && layout !== 'hwc' && layout !== 'chw') throw new UsageError(`--layout must be hwc or chw, got "${layout}"`);
    const kind = (v['scores-kind'] as string | undefined) ?? 'logits';
    if (!['logits', 'probabilities', 'unary'].includes(kind)) throw new UsageError(`--scores-kind must be logits, probabilities or unary, got "${kind}"`);
    const model = (v.model as string | undefined) ?? 'deeplab-largefov';
    const defaults = CRF_DEFAULTS[model];
    if (!defaults) throw new UsageError(`unknown --model "${model}"; one of ${Object.keys(CRF_DEFAULTS).join(', ')}`);
    const params: CrfParams = { ...defaults };
    for (const [flag, key] of Object.entries(NUMBERS)) {
      const text = (v as Record<string, string | undefined>)[flag];
      if (text !== undefined) params[key] = parseNumber(flag, text);
    }
    const storage = crfStorageFlag('storage', v.storage as string | undefined);
    if (storage) params.storage = storage;
    const lattice = choiceFlag('lattice', v.lattice as string | undefined, ['cpu', 'gpu'] as const);
    if (lattice) params.lattice = lattice;
    for (const p of [imagePath, scoresPath]) if (!existsSync(p)) throw new UsageError(`input ${p} does not exist`);
    const inputs = new Set([imagePath, scoresPath].map(where));
    const outputs = [out, qOut].filter((p): p is string => !!p);
    for (const o of outputs) if (inputs.has(where(o))) throw new UsageError(`output ${o} is an input; refusing to overwrite it`);
    if (out && qOut && where(out) === where(qOut)) throw new UsageError(`-o and --q-out are the same file ${out}`);

    const image = decodeImage(readFileSync(imagePath), imagePath);
    const npy = readNpy(readFileSync(scoresPath), scoresPath);
    const { hwc, c } = scoresToHWC(npy.shape, npy.data, image.width, image.height, layout, scoresPath);
    const unary = kind === 'logits' ? unaryFromLogits(hwc, c) : kind === 'probabilities' ? unaryFromProbabilities(hwc, c) : hwc;

    const dev = await Device.create();
    try {
      const { q, labels, ms, lattice: builtOn } = await denseCrf(dev, image, unary, c, params);
      if (out) writeAtomic(out, encodeLabelPng(labels, image.width, image.height));
      if (qOut) writeAtomic(qOut, writeNpy([image.height, image.width, c], q));
      console.log(
        `crf: ${image.width}×${image.height}, ${c} labels, ${params.iterations} iterations (${model} settings` +
          `${params.storage === 'f16' ? ', float16 storage' : ''}): lattice${builtOn ? ` (${builtOn})` : ''} ${ms.lattice.toFixed(0)} ms, iterations ${ms.iterations.toFixed(0)} ms` +
          outputs.map((o) => ` → ${o}`).join(''),
      );
    } finally {
      dev.destroy();
    }
    return 0;
  },
};

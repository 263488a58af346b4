import { existsSync, readdirSync, readFileSync, realpathSync, statSync, mkdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRF_DEFAULTS, denseCrf, unaryFromLogits } from '../deeplab/crf.ts';
import type { CrfStorage } from '../kernels/crf.ts';
import { createModel, MODEL_NAMES, type SegmentationModel } from '../deeplab/models.ts';
import { decodeImage, encodeLabelPng, encodeRgbPng, overlay, type RgbImage } from '../io/image.ts';
import { writeNpy } from '../io/npy.ts';
import { writeAtomic } from '../io/files.ts';
import { argmaxChannels } from '../kernels/argmax.ts';
import { resizeArgmax, resizeBilinear } from '../kernels/resize.ts';
import { Device } from '../tensor/device.ts';
import { AtrousError, LimitError } from '../tensor/errors.ts';
import { parseOptions, UsageError, type Command } from './command.ts';
import { crfStorageFlag, MODEL_FLAG_OPTIONS, modelFlagHelp, modelFlags, wrapHelp } from './model_options.ts';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

const HELP = `Usage: atrous segment [options] IMAGE|FOLDER...

Segments PNG and JPEG images. For each image NAME.ext it writes, into the output folder,
NAME_labels.png (the label map: a palette PNG in the PASCAL VOC colours whose pixel values are
the class indices, like VOC's SegmentationClass files) and NAME_overlay.png (the classes blended
over the image; background left as is). A folder stands for the PNG and JPEG files directly in it.

Options:
${wrapHelp('  --model NAME', `${MODEL_NAMES.join(', ')} (default deeplab-largefov)`, 22)}
  --weights FILE      .caffemodel, .safetensors or a PyTorch .pth state dict. Without it: the
                      bundled demo model (a small DeepLab-LargeFOV trained on synthetic shapes;
                      see docs/segment.md), which only knows background, disc, square, triangle,
                      ring and cross.
  -o, --out DIR       output folder (default ./segment-out; created if missing)
  --scores-out FILE   also write the class scores at the image's size, before any CRF, as an
                      H×W×C float32 NumPy .npy file. With several images FILE must contain
                      {name}, replaced by each image's name (e.g. scores/{name}.npy).
  --crf               refine the labels with the dense CRF, using the model's published settings
  --crf-storage f16   store the CRF's label vectors in float16 (about 1.5× faster on lavapipe;
                      default f32, the C++ reference's numbers; see docs/crf.md)
  --max-size N        run the model on the image scaled down (bilinear) so that its longer side
                      is N pixels, where it is longer; labels, scores and the CRF stay at the
                      image's size (the scores scaled back up, bilinear). For images past the
                      device's limits (lavapipe: about 700×700 for the VGG models) or for speed.
${modelFlagHelp(22)}
  -h, --help          this help

Outputs are written atomically (temporary file, then rename); an output path equal to an input
is refused. Exit status: 0 all images done, 1 some image failed (the others are still done),
2 bad usage.
`;

/** The bundled demo model, found by walking up from this file (dist/, or a test bundle's folder). */
export function bundledAsset(rel: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const p = join(dir, 'assets', 'demo', rel);
    if (existsSync(p)) return p;
    if (dirname(dir) === dir) throw new AtrousError(`bundled file assets/demo/${rel} not found above ${fileURLToPath(import.meta.url)}`);
  }
}
export const DEMO_WEIGHTS = 'deeplab-largefov-scenes.safetensors';

/** What one image gives: labels H×W, and the scores H×W×C when asked for (for .npy or the CRF). */
export interface Segmentation {
  labels: Uint8Array;
  scoresHWC?: Float32Array;
}

/** Runs the model on one image: argmax on the GPU, the scores downloaded only when needed. */
export async function segmentImage(dev: Device, model: SegmentationModel, img: RgbImage, opts: { scores?: boolean; crf?: boolean; crfStorage?: CrfStorage; maxSize?: number } = {}): Promise<Segmentation> {
  const { width: W, height: H } = img;
  const scale = opts.maxSize && Math.max(W, H) > opts.maxSize ? opts.maxSize / Math.max(W, H) : 1;
  const { scores, labels } = dev.scope(() => {
    let x = model.preprocess(img);
    if (scale < 1) {
      const size = { height: Math.max(1, Math.round(H * scale)), width: Math.max(1, Math.round(W * scale)), alignCorners: false };
      x = dev.withLabel('downscale', () => resizeBilinear(dev, x, size));
    }
    let s = model.forward(x);
    if (scale === 1) return { scores: s, labels: argmaxChannels(dev, s) };
    // Back at the image's size: the scores only where they are wanted (a full-size score map is
    // what --max-size avoids); the labels of the resized scores without forming them.
    const full = { height: H, width: W, alignCorners: false };
    if (opts.scores || opts.crf) {
      s = dev.withLabel('upscale', () => resizeBilinear(dev, s, full));
      return { scores: s, labels: argmaxChannels(dev, s) };
    }
    return { scores: s, labels: dev.withLabel('upscale', () => resizeArgmax(dev, s, full)) };
  });
  try {
    const lab = Uint8Array.from(await labels.download());
    if (!opts.scores && !opts.crf) return { labels: lab };
    const chw = await scores.download();
    const [c, h, w] = scores.shape.slice(1);
    const hwc = new Float32Array(chw.length);
    for (let k = 0; k < c; k++) for (let i = 0; i < h * w; i++) hwc[i * c + k] = chw[k * h * w + i];
    return { labels: opts.crf ? await refineWithCrf(dev, model, img, hwc, opts.crfStorage) : lab, scoresHWC: hwc };
  } finally {
    scores.dispose();
    labels.dispose();
  }
}

/** Dense-CRF labels from the scores, with the model's published CRF settings. */
async function refineWithCrf(dev: Device, model: SegmentationModel, img: RgbImage, scoresHWC: Float32Array, storage: CrfStorage = 'f32'): Promise<Uint8Array> {
  const params = CRF_DEFAULTS[model.name];
  if (!params) throw new AtrousError(`--crf: no published CRF settings for ${model.name}`);
  return (await denseCrf(dev, img, unaryFromLogits(scoresHWC, model.numClasses), model.numClasses, { ...params, storage })).labels;
}

/** A hand-written bar on stderr (only on a terminal): one line, redrawn in place. */
function progress(total: number): (done: number, label: string) => void {
  if (!process.stderr.isTTY || total < 2) return () => {};
  return (done, label) => {
    const width = 30;
    const fill = Math.round((done / total) * width);
    process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} ${label.slice(0, 40).padEnd(40)}${done === total ? '\n' : ''}`);
  };
}

function listInputs(paths: string[]): { images: string[]; sawFolder: boolean } {
  const images: string[] = [];
  let sawFolder = false;
  for (const p of paths) {
    if (!existsSync(p)) throw new UsageError(`${p}: no such file or folder`);
    if (statSync(p).isDirectory()) {
      sawFolder = true;
      const inDir = readdirSync(p).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort();
      if (!inDir.length) throw new UsageError(`${p}: the folder holds no .png, .jpg or .jpeg files`);
      images.push(...inDir.map((f) => join(p, f)));
    } else images.push(p);
  }
  return { images, sawFolder };
}

interface Job {
  input: string;
  name: string;
  labels: string;
  overlay: string;
  scores?: string;
}

function planOutputs(images: string[], out: string, scoresOut: string | undefined): Job[] {
  if (scoresOut && images.length > 1 && !scoresOut.includes('{name}')) {
    throw new UsageError(`--scores-out: with ${images.length} images the path must contain {name} (e.g. scores/{name}.npy)`);
  }
  const jobs = images.map((input) => {
    const name = basename(input, extname(input));
    return { input, name, labels: join(out, `${name}_labels.png`), overlay: join(out, `${name}_overlay.png`), scores: scoresOut?.replaceAll('{name}', name) };
  });
  const inputs = new Set(images.map((p) => realpathSync(p)));
  const seen = new Map<string, string>();
  for (const j of jobs) {
    for (const o of [j.labels, j.overlay, j.scores]) {
      if (!o) continue;
      const abs = existsSync(o) ? realpathSync(o) : resolve(o);
      if (inputs.has(abs)) throw new UsageError(`output ${o} would overwrite the input ${abs}; choose another --out or --scores-out`);
      const other = seen.get(abs);
      if (other) throw new UsageError(`${other} and ${j.input} would both write ${o}; segment them into different --out folders`);
      seen.set(abs, j.input);
    }
  }
  return jobs;
}

/** --model/--weights → the model name and weight file (without either, the bundled demo model); UsageError if they don't fit. */
export function modelArgs(model: string | undefined, weights: string | undefined): { name: string; weights: string } {
  const name = model ?? 'deeplab-largefov';
  if (!MODEL_NAMES.includes(name)) throw new UsageError(`--model ${name}: not one of ${MODEL_NAMES.join(', ')}`);
  if (!weights && name !== 'deeplab-largefov') {
    throw new UsageError(`--model ${name} needs --weights (the only bundled weights are the deeplab-largefov demo model)`);
  }
  if (weights && !existsSync(weights)) throw new UsageError(`--weights ${weights}: no such file`);
  return { name, weights: weights ?? bundledAsset(DEMO_WEIGHTS) };
}

export const segment: Command = {
  name: 'segment',
  summary: 'segment images or folders into VOC-palette label PNGs and overlays',
  help: HELP,
  async run(args) {
    const parsed = parseOptions({
      args,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        weights: { type: 'string' },
        out: { type: 'string', short: 'o' },
        'scores-out': { type: 'string' },
        crf: { type: 'boolean' },
        'crf-storage': { type: 'string' },
        'max-size': { type: 'string' },
        ...MODEL_FLAG_OPTIONS,
      },
    });
    const { values: v, positionals } = parsed;
    if (!positionals.length) throw new UsageError('give at least one image file or folder');
    const { images } = listInputs(positionals);
    const out = v.out ?? 'segment-out';
    const jobs = planOutputs(images, out, v['scores-out']);
    const m = modelArgs(v.model, v.weights);
    const flags = modelFlags(v, m.name);
    const crfStorage = crfStorageFlag('crf-storage', v['crf-storage'] as string | undefined);
    if (crfStorage !== undefined && !v.crf) throw new UsageError('--crf-storage is for --crf; add --crf');
    const maxSizeText = v['max-size'] as string | undefined;
    const maxSize = maxSizeText === undefined ? undefined : Number(maxSizeText);
    if (maxSize !== undefined && !(Number.isInteger(maxSize) && maxSize >= 1)) throw new UsageError(`--max-size must be a positive integer (pixels), got "${maxSizeText}"`);
    if (v.crf && !CRF_DEFAULTS[m.name]) {
      throw new UsageError(`--crf: ${m.name} has no published CRF settings (DeepLab v3 uses none); write --scores-out and run \`atrous crf\` with your own`);
    }

    const dev = await Device.create();
    try {
      const model = await createModel(dev, m.name, { weights: m.weights, ...flags });
      mkdirSync(out, { recursive: true });
      const bar = progress(jobs.length);
      let failed = 0;
      for (const [i, job] of jobs.entries()) {
        bar(i, job.name);
        try {
          const img = decodeImage(readFileSync(job.input), job.input);
          const seg = await segmentImage(dev, model, img, { scores: !!job.scores, crf: v.crf, crfStorage, maxSize });
          writeAtomic(job.labels, encodeLabelPng(seg.labels, img.width, img.height));
          writeAtomic(job.overlay, encodeRgbPng(overlay(img, seg.labels)));
          if (job.scores && seg.scoresHWC) {
            mkdirSync(dirname(job.scores), { recursive: true });
            writeAtomic(job.scores, writeNpy([img.height, img.width, model.numClasses], seg.scoresHWC));
          }
          if (!process.stderr.isTTY || jobs.length < 2) console.log(`${job.input}: wrote ${job.labels}, ${job.overlay}${job.scores ? `, ${job.scores}` : ''}`);
        } catch (e) {
          // Engine errors and file-system errors (unreadable input, full disk) fail this image only.
          const err = e as NodeJS.ErrnoException;
          if (!(e instanceof AtrousError) && !err.code) throw e;
          failed++;
          let msg = err.message.startsWith(job.input) ? err.message : `${job.input}: ${err.message}`;
          if (e instanceof LimitError && !maxSize) msg += ' Here: --max-size N runs the model on the image scaled down (e.g. --max-size 700).';
          process.stderr.write(`${process.stderr.isTTY && jobs.length > 1 ? '\n' : ''}atrous segment: ${msg}\n`);
        }
      }
      bar(jobs.length, 'done');
      if (failed) process.stderr.write(`atrous segment: ${failed} of ${jobs.length} images failed\n`);
      model.dispose();
      return failed ? 1 : 0;
    } finally {
      dev.destroy();
    }
  },
};

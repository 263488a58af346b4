// Runs in a real browser (scripts/browser-check.mjs serves it): the shipped browser build,
// dist/atrous.browser.js, loaded as the page's module, on the browser's own WebGPU. Checks the
// conv2d PyTorch goldens through every variant, the dense CRF against the original C++ and the
// bundled demo model on the bundled samples, then posts what it found to the server that
// launched the browser.
import type { Device } from '../../src/tensor/device.ts';
import { Mulberry32 } from '../helpers/prng.ts';

// The served bundle itself, not the sources (a variable, so neither esbuild nor tsc resolves it).
const bundle = '/dist/atrous.browser.js';
const lib = (await import(bundle)) as typeof import('../../src/browser.ts');

interface Check { name: string; ok: boolean; detail: string }
const checks: Check[] = [];
const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

async function bytes(url: string): Promise<ArrayBuffer> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.arrayBuffer();
}

async function conv2dGoldens(dev: Device) {
  const g = lib.parseSafetensors(new Uint8Array(await bytes('/tests/fixtures/conv2d.safetensors')), 'conv2d.safetensors');
  const cases = [...g.keys()].filter((k) => k.endsWith('.params')).map((k) => k.slice(0, -'.params'.length));
  for (const name of cases) {
    // As tests/kernels/conv2d.test.ts regenerates them (the same mulberry32 draws as the generator).
    const [N, C, H, W, O, KH, KW, stride, pad, dilation, bias, relu, seed] = g.get(`${name}.params`)!.data;
    const rng = new Mulberry32(seed);
    const w = rng.fill(O * C * KH * KW, 1 / Math.sqrt(C * KH * KW));
    const b = bias ? rng.fill(O, 0.5) : null;
    const x = dev.tensor(rng.fill(N * C * H * W), [N, C, H, W]);
    const ref = g.get(`${name}.y`)!.data;
    let maxRef = 0;
    for (const v of ref) maxRef = Math.max(maxRef, Math.abs(v));
    const weights = lib.Conv2dWeights.fromHost(dev, w, [O, C, KH, KW], b, name, { winograd: true });
    const worst: string[] = [];
    let ran = 0;
    for (const variant of [undefined, ...lib.CONV2D_VARIANTS, ...lib.CONV2D_SHAPE_VARIANTS]) {
      let y;
      try {
        y = lib.conv2d(dev, x, weights, { stride, pad, dilation, relu: relu === 1, variant });
      } catch (e) {
        if (e instanceof lib.ShapeError && variant) continue; // a variant that refuses the shape
        throw e;
      }
      const got = await y.download();
      y.dispose();
      let err = 0;
      for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(got[i] - ref[i]));
      ran++;
      if (!(err <= 1e-4 * (1 + maxRef))) worst.push(`${variant ?? 'auto'} ${err.toExponential(2)}`);
    }
    weights.dispose();
    x.dispose();
    check(`conv2d ${name}`, worst.length === 0 && ran > 1, worst.length ? `over 1e-4·(1 + max|ref|): ${worst.join(', ')}` : `${ran} variants within 1e-4·(1 + max|ref|)`);
  }
}

async function crf(dev: Device) {
  const dir = '/shared/fixtures/crf/small_64x48';
  const m = JSON.parse(new TextDecoder().decode(await bytes(`${dir}/manifest.json`)));
  const image = { width: m.width, height: m.height, data: new Uint8Array(await bytes(`${dir}/image.u8.bin`)) };
  const unary = new Float32Array(await bytes(`${dir}/unary.f32.bin`));
  const ref = new Float32Array(await bytes(`${dir}/Q_it10.f32.bin`));
  const refLabels = new Uint8Array(await bytes(`${dir}/labels_it10.u8.bin`));
  for (const [storage, lattice] of [['f32', 'cpu'], ['f16', 'cpu'], ['f32', 'gpu']] as const) {
    const { q, labels } = await lib.denseCrf(dev, image, unary, 21, { ...lib.CRF_DEFAULTS['deeplab-largefov'], storage, lattice });
    let max = 0;
    let sum = 0;
    for (let i = 0; i < q.length; i++) (max = Math.max(max, Math.abs(q[i] - ref[i]))), (sum += Math.abs(q[i] - ref[i]));
    const same = labels.reduce((s, l, i) => s + (l === refLabels[i] ? 1 : 0), 0) / labels.length;
    // The tolerances of tests/deeplab/crf.test.ts (f32: the same algorithm) and crf_f16.test.ts.
    const ok = storage === 'f32' ? max <= 1e-4 && same >= 0.9999 : sum / q.length <= 3e-4 && same >= 0.998;
    check(`crf small_64x48, 10 iterations, ${storage}, lattice built on the ${lattice.toUpperCase()}`, ok, `max |dQ| ${max.toExponential(2)}, mean ${(sum / q.length).toExponential(2)}, labels ${(100 * same).toFixed(3)} %`);
  }
}

/** A PNG decoded by the browser, as RGB bytes (no colour-space conversion). */
async function decodePng(url: string) {
  const bmp = await createImageBitmap(new Blob([await bytes(url)]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const ctx = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d')!;
  ctx.drawImage(bmp, 0, 0);
  const rgba = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
  const rgb = new Uint8Array(bmp.width * bmp.height * 3);
  for (let i = 0; i < bmp.width * bmp.height; i++) rgb.set(rgba.subarray(4 * i, 4 * i + 3), 3 * i);
  return { width: bmp.width, height: bmp.height, data: rgb };
}

// The main job (`npm start`) in the browser: the bundled demo model on the bundled samples, scored
// against their ground truth (palette PNGs, decoded here to colours and mapped back to classes).
// In Node on lavapipe the same samples score mIoU 0.7279, 0.5588, 0.4031.
async function demoModel(dev: Device) {
  const wf = lib.parseWeights(new Uint8Array(await bytes('/assets/demo/deeplab-largefov-scenes.safetensors')), 'demo model');
  const m = wf.metadata;
  const model = await lib.createModel(dev, m.model, { weights: wf.tensors, numClasses: Number(m.num_classes), widths: JSON.parse(m.widths), classes: m.classes.split(',') });
  const colour = new Map<string, number>();
  for (let i = 255; i >= 0; i--) colour.set([...lib.VOC_PALETTE.subarray(3 * i, 3 * i + 3)].join(','), i);
  for (const [name, node] of [['sample1', 0.7279], ['sample2', 0.5588], ['sample3', 0.4031]] as const) {
    const img = await decodePng(`/assets/demo/${name}.png`);
    const gtRgb = await decodePng(`/assets/demo/${name}_gt.png`);
    const gt = new Uint8Array(img.width * img.height).map((_, i) => colour.get([...gtRgb.data.subarray(3 * i, 3 * i + 3)].join(',')) ?? 255);
    const labels = dev.scope(() => lib.argmaxChannels(dev, model.forward(model.preprocess(img))));
    const conf = new lib.Confusion(model.numClasses);
    conf.add(Uint8Array.from(await labels.download()), gt);
    labels.dispose();
    const miou = conf.meanIou();
    check(`demo model on ${name}`, Math.abs(miou - node) <= 0.005, `mIoU ${miou.toFixed(4)} (Node on lavapipe: ${node})`);
  }
  model.dispose();
}

let info: unknown = null;
let error: string | null = null;
try {
  const dev = await lib.Device.create();
  const i = dev.info;
  info = { vendor: i.vendor, architecture: i.architecture, description: i.description, fallback: i.isFallbackAdapter, userAgent: navigator.userAgent };
  await conv2dGoldens(dev);
  await crf(dev);
  await demoModel(dev);
} catch (e) {
  error = String((e as Error).stack ?? e);
}
await fetch('/result', { method: 'POST', body: JSON.stringify({ info, checks, error }) });

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Confusion, formatIouTable } from '../deeplab/miou.ts';
import { decodeImage, decodeLabelPng, encodeLabelPng, encodeRgbPng, overlay } from '../io/image.ts';
import { Profiler } from '../profile/profiler.ts';
import { formatReport } from '../profile/table.ts';
import { Device } from '../tensor/device.ts';
import { parseOptions, UsageError, type Command } from './command.ts';
import { createModel } from '../deeplab/models.ts';
import { writeAtomic } from '../io/files.ts';
import { bundledAsset, modelArgs, segmentImage } from './segment.ts';

const SAMPLES = ['sample1', 'sample2', 'sample3'];
const OUT = 'demo-out';

const HELP = `Usage: atrous demo [sample1|sample2|sample3] [--no-profile]

The main job on the bundled default: segments a bundled sample scene (default sample1) with the
bundled demo model (a small DeepLab-LargeFOV trained on synthetic shapes; see docs/segment.md),
writes ${OUT}/NAME_labels.png and ${OUT}/NAME_overlay.png, prints the pixel count of each class
against the sample's ground truth, the IoU per class and the mIoU, then the kernel profile of a
second, steady forward pass (the first also compiles pipelines and lays weights out once).
`;

export const demo: Command = {
  name: 'demo',
  summary: 'the main job: segment a bundled sample with the bundled model, score it, profile it',
  help: HELP,
  async run(args) {
    const parsed = parseOptions({ args, allowPositionals: true, options: { 'no-profile': { type: 'boolean' } } });
    const name = parsed.positionals[0] ?? 'sample1';
    if (!SAMPLES.includes(name) || parsed.positionals.length > 1) throw new UsageError(`the bundled samples are ${SAMPLES.join(', ')}`);
    const imgPath = bundledAsset(`${name}.png`);
    const img = decodeImage(readFileSync(imgPath), imgPath);
    const gtPath = bundledAsset(`${name}_gt.png`);
    const gt = decodeLabelPng(readFileSync(gtPath), gtPath).labels;

    const dev = await Device.create();
    try {
      console.log(`adapter:  ${dev.name}`);
      const t0 = performance.now();
      const model = await createModel(dev, 'deeplab-largefov', { weights: modelArgs(undefined, undefined).weights });
      const t1 = performance.now();
      const { labels } = await segmentImage(dev, model, img);
      const t2 = performance.now();
      console.log(`model:    ${model.name}, ${model.numClasses} classes (bundled demo weights), loaded in ${(t1 - t0).toFixed(0)} ms`);
      console.log(`image:    ${imgPath} (${img.width}×${img.height}), segmented in ${(t2 - t1).toFixed(0)} ms (first run: includes pipeline compilation and the layers' one-time weight layouts)`);
      // The profile is of a second, steady forward: the first also runs each layer's one-time
      // weight re-layout (Winograd transforms, tap windows), which is no part of a forward's cost.
      let profiler: Profiler | null = null;
      if (!parsed.values['no-profile']) {
        profiler = Profiler.attach(dev);
        const t3 = performance.now();
        await segmentImage(dev, model, img);
        console.log(`          again in ${(performance.now() - t3).toFixed(0)} ms (steady, profiled below)`);
      }

      mkdirSync(OUT, { recursive: true });
      const labelsOut = join(OUT, `${name}_labels.png`);
      const overlayOut = join(OUT, `${name}_overlay.png`);
      writeAtomic(labelsOut, encodeLabelPng(labels, img.width, img.height));
      writeAtomic(overlayOut, encodeRgbPng(overlay(img, labels)));
      console.log(`wrote:    ${labelsOut}, ${overlayOut}\n`);

      const classes = model.classes ?? [];
      const conf = new Confusion(model.numClasses);
      conf.add(labels, gt);
      const count = (a: Uint8Array, c: number) => a.reduce((n, v) => n + (v === c ? 1 : 0), 0);
      console.log(`  ${'class'.padEnd(10)}  predicted  ground truth`);
      for (let c = 0; c < model.numClasses; c++) {
        console.log(`  ${(classes[c] ?? String(c)).padEnd(10)}  ${String(count(labels, c)).padStart(9)}  ${String(count(gt, c)).padStart(12)}`);
      }
      console.log(`\n${formatIouTable(conf, classes)}\n`);

      // Kernel profile of the steady forward pass (src/profile).
      if (profiler) {
        const records = await profiler.collect();
        profiler.destroy(); // detaches, and frees the query sets and readback buffers
        process.stdout.write(formatReport(records, profiler.batches, `kernel profile of the steady forward pass (${profiler.timing})`, profiler.timestamps));
      }
      model.dispose();
      return 0;
    } finally {
      dev.destroy();
    }
  },
};

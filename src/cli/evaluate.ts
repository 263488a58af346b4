import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Confusion, formatIouTable } from '../deeplab/miou.ts';
import { VOC_CLASSES } from '../deeplab/palette.ts';
import { decodeLabelPng } from '../io/image.ts';
import { AtrousError } from '../tensor/errors.ts';
import { parseOptions, UsageError, type Command } from './command.ts';

const HELP = `Usage: atrous evaluate PRED_DIR GT_DIR [--classes a,b,c]

Mean intersection-over-union of predicted label PNGs against ground-truth label PNGs (VOC
convention: rows of the confusion matrix are the ground truth; ground-truth value 255 is ignored).

For each ground truth GT_DIR/NAME.png (or NAME_gt.png) the prediction is PRED_DIR/NAME_labels.png
(what "atrous segment" writes) or PRED_DIR/NAME.png. Label PNGs are palette PNGs whose indices are
the labels (VOC SegmentationClass layout), greyscale PNGs, or RGB PNGs in the VOC colours.

Options:
  --classes a,b,c   class names (index order); their count fixes the number of classes, and a
                    predicted label past it counts as wrong. Default: VOC's names, as many classes
                    as the largest label seen.

Prints the per-class IoU table, mIoU and pixel accuracy. Exit 0, or 1 if a pair could not be read
or the sizes differ (the other pairs are still scored), 2 for bad usage.
`;

export const evaluate: Command = {
  name: 'evaluate',
  summary: 'mIoU of predicted label PNGs against ground-truth PNGs',
  help: HELP,
  async run(args) {
    const parsed = parseOptions({ args, options: { classes: { type: 'string' } }, allowPositionals: true });
    const { values, positionals } = parsed;
    if (positionals.length !== 2) throw new UsageError('give a folder of predictions and a folder of ground truth');
    const [predDir, gtDir] = positionals;
    for (const d of [predDir, gtDir]) if (!existsSync(d) || !statSync(d).isDirectory()) throw new UsageError(`${d} is not a folder`);
    const names = values.classes?.split(',');
    const gts = readdirSync(gtDir).filter((f) => extname(f).toLowerCase() === '.png').sort();
    if (!gts.length) throw new UsageError(`${gtDir} holds no PNG files`);

    const pairs: { name: string; pred: Uint8Array; gt: Uint8Array }[] = [];
    let failed = 0;
    for (const f of gts) {
      const name = basename(f, extname(f)).replace(/_gt$/, '');
      try {
        const predPath = [`${name}_labels.png`, `${name}.png`].map((p) => join(predDir, p)).find((p) => existsSync(p) && p !== join(gtDir, f));
        if (!predPath) throw new AtrousError(`${join(gtDir, f)}: no prediction ${name}_labels.png or ${name}.png in ${predDir}`);
        const gt = decodeLabelPng(readFileSync(join(gtDir, f)), join(gtDir, f));
        const pred = decodeLabelPng(readFileSync(predPath), predPath);
        if (gt.width !== pred.width || gt.height !== pred.height) {
          throw new AtrousError(`${predPath} is ${pred.width}×${pred.height} but its ground truth ${join(gtDir, f)} is ${gt.width}×${gt.height}`);
        }
        pairs.push({ name, pred: pred.labels, gt: gt.labels });
      } catch (e) {
        if (!(e instanceof AtrousError)) throw e;
        process.stderr.write(`atrous evaluate: ${e.message}\n`);
        failed++;
      }
    }
    let k = names?.length ?? 0;
    if (!names) for (const { pred, gt } of pairs) for (const a of [pred, gt]) for (const v of a) if (v !== 255 && v >= k) k = v + 1;
    const conf = new Confusion(Math.max(k, 1));
    for (const { name, pred, gt } of pairs) {
      try {
        conf.add(pred, gt);
      } catch (e) {
        process.stderr.write(`atrous evaluate: ${name}: ${(e as Error).message}\n`);
        failed++;
      }
    }
    console.log(`${pairs.length} image pairs scored${failed ? `, ${failed} failed` : ''}`);
    console.log(formatIouTable(conf, names ?? VOC_CLASSES));
    return failed ? 1 : 0;
  },
};

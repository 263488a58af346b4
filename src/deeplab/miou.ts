/**
 * Segmentation scores from a confusion matrix, VOC convention: rows are the ground truth, columns
 * the prediction; ground-truth pixels labelled `ignore` (255) are not counted, and a predicted label
 * ≥ numClasses counts as wrong for its ground-truth row (it lands in no column).
 */
export class Confusion {
  readonly counts: Float64Array;
  /** Per ground-truth class, pixels predicted as a label ≥ numClasses: false negatives in no column. */
  private readonly missed: Float64Array;
  constructor(readonly numClasses: number, readonly ignore = 255) {
    this.counts = new Float64Array(numClasses * numClasses);
    this.missed = new Float64Array(numClasses);
  }

  /** Adds one image's label maps (same length). Returns how many pixels were counted. */
  add(pred: ArrayLike<number>, gt: ArrayLike<number>): number {
    if (pred.length !== gt.length) throw new RangeError(`prediction has ${pred.length} pixels, ground truth ${gt.length}`);
    const k = this.numClasses;
    let n = 0;
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i];
      if (g === this.ignore) continue;
      if (g >= k) throw new RangeError(`ground truth label ${g} at pixel ${i} is not a class (0..${k - 1}) or ${this.ignore}`);
      const p = pred[i];
      if (p < k) this.counts[g * k + p]++;
      else this.missed[g]++;
      n++;
    }
    return n;
  }

  /**
   * IoU per class = TP / (TP + FP + FN); NaN for a class absent from both ground truth and
   * prediction (VOC leaves it out of the mean).
   */
  iou(): number[] {
    const k = this.numClasses;
    return Array.from({ length: k }, (_, c) => {
      let row = this.missed[c], col = 0;
      for (let j = 0; j < k; j++) (row += this.counts[c * k + j]), (col += this.counts[j * k + c]);
      const tp = this.counts[c * k + c];
      const union = row + col - tp;
      return union > 0 ? tp / union : NaN;
    });
  }

  /** Mean IoU over the classes that occur (in the ground truth or the prediction). */
  meanIou(): number {
    const v = this.iou().filter((x) => !Number.isNaN(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  }

  /** Fraction of counted pixels labelled correctly. */
  pixelAccuracy(): number {
    let tp = 0, all = 0;
    for (let c = 0; c < this.numClasses; c++) tp += this.counts[c * this.numClasses + c];
    for (const v of this.counts) all += v;
    for (const v of this.missed) all += v;
    return all ? tp / all : NaN;
  }
}

/** The per-class IoU table the CLI prints, then the mean and pixel accuracy. */
export function formatIouTable(c: Confusion, names: readonly string[] = []): string {
  const iou = c.iou();
  const k = c.numClasses;
  const gtPixels = (i: number) => c.counts.subarray(i * k, (i + 1) * k).reduce((a, b) => a + b, 0);
  const name = (i: number) => names[i] ?? String(i);
  const w = Math.max(5, ...iou.map((_, i) => name(i).length));
  const rows = iou.map((v, i) => `  ${name(i).padEnd(w)}  ${Number.isNaN(v) ? '    –' : v.toFixed(3)}  ${String(gtPixels(i)).padStart(9)}`);
  return [`  ${'class'.padEnd(w)}    IoU  GT pixels`, ...rows, `  mIoU ${c.meanIou().toFixed(4)}   pixel accuracy ${c.pixelAccuracy().toFixed(4)}`].join('\n');
}

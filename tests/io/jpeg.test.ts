// JPEG decoding against libjpeg-turbo (PIL's decode of the same files, tests/golden/jpeg.py): the
// pixels PyTorch users and Caffe's DeepLab (OpenCV) see. Chroma upsampling and colour conversion
// are libjpeg's own in src/io/jpeg.ts; the inverse DCT is jpeg-js's, which rounds differently
// from libjpeg's ISLOW by up to 3 levels, so: max |Δ| ≤ 3, mean ≤ 0.25, most values exact.
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeImage } from '../../src/io/image.ts';
import { golden, loadGolden } from '../helpers/assert.ts';

const g = loadGolden('jpeg');
const CASES = ['s420_odd', 's420_even', 's422', 's444', 'progressive', 'grey', 'narrow', 'restart', 'adobe_ycc', 'adobe_rgb'];

function diff(a: ArrayLike<number>, b: ArrayLike<number>) {
  let max = 0, sum = 0, exact = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
    if (!d) exact++;
  }
  return { max, mean: sum / a.length, exact: exact / a.length };
}

for (const name of CASES) {
  test(`${name}: libjpeg's pixels within the inverse DCT's rounding`, () => {
    const ref = golden(g, `${name}.rgb`);
    const img = decodeImage(Uint8Array.from(golden(g, `${name}.jpeg`).data), `${name}.jpg`);
    assert.equal([img.height, img.width, 3], ref.shape);
    const d = diff(img.data, ref.data);
    assert.ok(d.max <= 3 && d.mean <= 0.25 && d.exact >= 0.8, `${name}: max ${d.max}, mean ${d.mean.toFixed(3)}, exact ${(100 * d.exact).toFixed(1)} %`);
  });
}

test("jpeg-js alone (repeated chroma, truncated colour conversion) is far from libjpeg's pixels", () => {
  const jpeg = createRequire(import.meta.url)('jpeg-js') as typeof import('jpeg-js');
  const plain = jpeg.decode(Uint8Array.from(golden(g, 's420_odd.jpeg').data), { useTArray: true, formatAsRGBA: false });
  const d = diff(plain.data, golden(g, 's420_odd.rgb').data);
  assert.ok(d.max > 20 && d.mean > 1, `max ${d.max}, mean ${d.mean.toFixed(3)}`);
});

test.run();

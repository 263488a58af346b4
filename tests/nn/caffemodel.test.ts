import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { repoRoot } from '../helpers/assert.ts';
import { caffeTensors, readCaffemodel } from '../../src/nn/caffemodel.ts';
import { parseSafetensors, WeightFileError } from '../../src/nn/safetensors.ts';

// Files written by tests/golden/deeplab_v1.py: the same weights as safetensors and as a caffemodel
// encoded by Google's protobuf library, in four layouts (see LAYOUT there).
const dir = `${repoRoot}/tests/fixtures/deeplab_v1`;
const LAYOUTS = {
  deeplab: 'V1 layers, unpacked floats, num/channels/height/width',
  'deeplab-4x4': 'V1 layers, packed, num/channels/height/width',
  'deeplab-msc-largefov': 'V1 layers, packed, BlobShape',
  'deeplab-msc': 'new layer, packed, BlobShape',
};

for (const [variant, layout] of Object.entries(LAYOUTS)) {
  test(`caffemodel (${layout}) holds exactly the safetensors twin's tensors`, () => {
    const bytes = readFileSync(`${dir}/${variant}.caffemodel`);
    const layers = readCaffemodel(bytes, variant);
    assert.ok(layers.every((l) => l.type === 'Convolution' && l.blobs.length === 2), 'only conv layers carry blobs');
    const got = caffeTensors(layers);
    const want = parseSafetensors(readFileSync(`${dir}/${variant}.safetensors`));
    assert.equal([...got.keys()].sort(), [...want.keys()].sort());
    for (const [name, w] of want) {
      const g = got.get(name)!;
      assert.equal(g.shape, w.shape, `${name} shape`);
      assert.ok(g.data.length === w.data.length && g.data.every((v, i) => Object.is(v, w.data[i])), `${name} data is bit-identical`);
    }
  });
}

test('truncation anywhere gives a WeightFileError naming the file and the byte, never a crash', () => {
  for (const variant of ['deeplab', 'deeplab-msc']) {
    const bytes = readFileSync(`${dir}/${variant}.caffemodel`);
    let checked = 0;
    for (let cut = 1; cut < bytes.length; cut += 977) {
      try {
        readCaffemodel(bytes.subarray(0, cut), 'cut.caffemodel');
        assert.unreachable(`a file cut at byte ${cut} of ${bytes.length} was accepted`);
      } catch (e) {
        assert.instance(e, WeightFileError);
        assert.match((e as Error).message, /^cut\.caffemodel: /);
        checked++;
      }
    }
    assert.ok(checked > 50);
  }
  assert.throws(
    () => readCaffemodel(readFileSync(`${dir}/deeplab-msc.caffemodel`).subarray(0, 5000), 'cut.caffemodel'),
    (e: Error) => e instanceof WeightFileError && /layer \d+ "\w+" needs \d+ bytes but the file ends \d+ bytes later at byte \d+/.test(e.message) && /truncated/.test(e.message),
  );
});

// A minimal protobuf writer for cases Google's encoder never emits from our .proto (mixed packed and
// unpacked runs, double_data): varint, tag, length-delimited.
const varint = (v: number): number[] => (v < 128 ? [v] : [(v & 127) | 128, ...varint(Math.floor(v / 128))]);
const field = (n: number, wire: number, body: number[] = []) => [...varint(n * 8 + wire), ...(wire === 2 ? varint(body.length) : []), ...body];
const f32 = (...v: number[]) => [...new Uint8Array(new Float32Array(v).buffer)];
const f64 = (...v: number[]) => [...new Uint8Array(new Float64Array(v).buffer)];

test('mixed packed/unpacked floats and packed/unpacked doubles are all read, in order', () => {
  const blob0 = [...field(7, 2, field(1, 0, [5])), ...field(5, 5, f32(1)), ...field(5, 5, f32(2)), ...field(5, 2, f32(3, 4)), ...field(5, 5, f32(5))];
  const blob1 = [...field(7, 2, field(1, 2, [1, 2])), ...field(8, 2, f64(0.5)), ...field(8, 1, f64(-0.25))];
  const layer = [...field(1, 2, [...new TextEncoder().encode('c')]), ...field(2, 2, [...new TextEncoder().encode('Convolution')]), ...field(7, 2, blob0), ...field(7, 2, blob1)];
  const [l] = readCaffemodel(new Uint8Array(field(100, 2, layer)), 'hand.caffemodel');
  assert.is(l.name, 'c');
  assert.is(l.type, 'Convolution');
  assert.equal([...l.blobs[0].data], [1, 2, 3, 4, 5]);
  assert.equal(l.blobs[1].shape, [1, 2]);
  assert.equal([...l.blobs[1].data], [0.5, -0.25]);
  const bad = [...field(1, 2, [99]), ...field(7, 2, [...field(7, 2, field(1, 0, [3])), ...field(5, 2, f32(1, 2))])];
  assert.throws(
    () => readCaffemodel(new Uint8Array(field(100, 2, bad)), 'hand.caffemodel'),
    (e: Error) => e instanceof WeightFileError && e.message.includes('a blob of shape [3] (3 values) holds 2 values') && e.message.includes('layer "c" blob 0'),
  );
});

test('foreign files are refused with a message, not misread', () => {
  const cases: [string, Uint8Array][] = [
    ['a JSON file', readFileSync(`${repoRoot}/package.json`)],
    ['a safetensors file', readFileSync(`${dir}/deeplab.safetensors`)],
    ['zeros', new Uint8Array(64)],
    ['empty', new Uint8Array(0)],
  ];
  for (const [what, bytes] of cases) {
    assert.throws(() => readCaffemodel(bytes, what), (e: Error) => e instanceof WeightFileError && e.message.startsWith(`${what}: `), what);
  }
});
test.run();

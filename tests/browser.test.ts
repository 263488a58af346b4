// The browser build (dist/atrous.browser.js, from src/browser.ts): it must load where there is no
// Node, and acquire its device through navigator.gpu. Here Dawn's GPU object stands in for the
// browser's, and the bundle runs a kernel through it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './helpers/assert.ts';
import { getDevice } from './helpers/device.ts';

const bundle = `${repoRoot}/dist/atrous.browser.js`;

test('the browser bundle imports nothing of Node or Dawn up front', () => {
  const src = readFileSync(bundle, 'utf8');
  const staticImports = src.split('\n').filter((l) => /^\s*(import|export)\b.*\bfrom\s*["']/.test(l));
  assert.equal(staticImports, [], 'static imports');
  assert.ok(!/\brequire\(/.test(src), 'no require()');
});

test('through navigator.gpu, the browser bundle creates a device and runs a kernel', async () => {
  await getDevice(); // Dawn's globals (GPUBufferUsage, …), as a browser has them
  const dawn = await import('webgpu');
  const g = globalThis as { navigator?: unknown };
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true, writable: true });
  try {
    const lib = await import(pathToFileURL(bundle).href);
    const dev = await lib.Device.create();
    const y = lib.relu(dev, dev.tensor(Float32Array.of(-1, 2, -3, 4), [4]));
    assert.equal([...(await y.download())], [0, 2, 0, 4]);
    assert.equal(lib.MODEL_NAMES.includes('deeplab-v3-resnet101'), true);
    dev.destroy?.();
  } finally {
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete g.navigator;
  }
});

test.run();

// Test command: bundles every tests/**/*.test.ts into one ESM file (one process, one GPU device
// shared by all suites), runs it, and ends with the line "N passed, N failed".
// Usage: node tests/run.mjs [substring]   (only test files whose path contains substring)
//        node tests/run.mjs --bundle FILE [substring]   (write the bundle to FILE and stop)
//        node tests/run.mjs --from FILE                 (run a bundle written earlier: no esbuild
//                                                        needed, e.g. on a lent GPU machine)
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { bundleOptions } from '../scripts/bundle-options.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const bundleTo = option('--bundle');
const prebuilt = option('--from');
const filter = args[0] ?? '';

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
async function bundle(outfile) {
  const files = walk(join(root, 'tests')).filter((f) => f.includes(filter)).sort();
  if (!files.length) {
    console.log(`no test files match "${filter}"\n0 passed, 1 failed`);
    process.exit(1);
  }
  const entry = join(dirname(outfile), 'entry.ts');
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(entry, files.map((f) => `import ${JSON.stringify(relative(dirname(outfile), f))};`).join('\n') + '\n');
  // Imported here, not at the top: running a prebuilt bundle must not need esbuild.
  const { build } = await import('esbuild');
  await build({ ...bundleOptions, entryPoints: [entry], outfile, sourcemap: 'inline' });
  rmSync(entry);
}

if (bundleTo) {
  await bundle(bundleTo);
  console.log(`bundle written: ${bundleTo}`);
  process.exit(0);
}
// One folder per run, so that runs started at the same time don't overwrite each other's bundle.
const outDir = join(root, 'dist-test', String(process.pid));
const testFile = prebuilt ?? join(outDir, 'all.test.mjs');
if (!prebuilt) await bundle(testFile);

const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ATROUS_ROOT: root.replace(/\/$/, '') };
if (!env.XDG_RUNTIME_DIR) {
  env.XDG_RUNTIME_DIR = join(tmpdir(), `atrous-xdg-${process.getuid?.() ?? 0}`);
  mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
}
const child = spawn(process.execPath, ['--enable-source-maps', testFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
child.stdout.on('data', (d) => {
  out += d;
  process.stdout.write(d);
});
// Dawn prints two harmless warnings per adapter request (dawn-notes.md); pass everything else on.
let errBuf = '';
child.stderr.on('data', (d) => {
  errBuf += d;
  const lines = errBuf.split('\n');
  errBuf = lines.pop();
  for (const l of lines) if (!/artificially reduced from/.test(l)) process.stderr.write(l + '\n');
});
const code = await new Promise((r) => child.on('close', r));
rmSync(outDir, { recursive: true, force: true });
if (errBuf && !/artificially reduced from/.test(errBuf)) process.stderr.write(errBuf + '\n');

const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
if (!Number.isFinite(total) || !Number.isFinite(passed)) {
  console.log(`\nthe test process exited with code ${code} before uvu printed its summary`);
  console.log(`0 passed, 1 failed`);
  process.exit(1);
}
const failed = total - passed - skipped + (code !== 0 && total === passed + skipped ? 1 : 0);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || code ? 1 : 0);

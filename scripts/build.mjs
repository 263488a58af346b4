// Bundles the CLI, the library and the benchmarks into dist/ with .wgsl files inlined as text.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { bundleOptions } from './bundle-options.mjs';

const common = { ...bundleOptions, sourcemap: true };

await Promise.all([
  build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' }),
  existsSync('bench/bench.ts') && build({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' }),
  // For browsers (navigator.gpu): Node's modules and Dawn stay behind dynamic imports never taken there.
  build({ ...common, platform: 'browser', entryPoints: ['src/browser.ts'], outfile: 'dist/atrous.browser.js', external: ['webgpu', 'node:*'] }),
]);

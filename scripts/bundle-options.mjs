// The esbuild options every bundle shares (scripts/build.mjs, tests/run.mjs): ESM for Node 20,
// .wgsl files inlined as text, Dawn (npm `webgpu`, a native module) left to be imported at run time.
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  loader: { '.wgsl': 'text' },
  external: ['webgpu'],
  logLevel: 'warning',
};

// esbuild bundles .wgsl files as plain strings (see scripts/build.mjs).
declare module '*.wgsl' {
  const source: string;
  export default source;
}

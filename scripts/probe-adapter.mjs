// Exits 0 and prints the adapter's name when Dawn finds a WebGPU adapter; exits 1 otherwise.
try {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) process.exit(1);
  const i = adapter.info;
  console.log(`${i.description || i.device || i.architecture} (${i.vendor})`);
  globalThis.__keep = gpu; // keep Dawn's GPU object alive until exit (dawn-notes pitfall 1)
  process.exit(0);
} catch {
  process.exit(1);
}

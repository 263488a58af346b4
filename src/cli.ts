import { Device } from './tensor/device.ts';
import { AtrousError, formatBytes } from './tensor/errors.ts';
import { add } from './kernels/binary.ts';
import { relu } from './kernels/unary.ts';

const HELP = `atrous — DeepLab semantic segmentation on WebGPU (Dawn)

Usage:
  atrous info        print the WebGPU adapter, its features and limits
  atrous demo        the main job on the bundled default (for now: a smoke run on the GPU)
  atrous --help      this text
`;

async function info(): Promise<Device> {
  const dev = await Device.create();
  const i = dev.info;
  console.log(`adapter:  ${dev.name}${i.isFallbackAdapter ? ' [fallback adapter]' : ''}`);
  console.log(`features: ${i.features.join(', ')}`);
  const L = dev.limits;
  console.log(`limits:   maxStorageBufferBindingSize ${formatBytes(L.maxStorageBufferBindingSize)}, maxBufferSize ${formatBytes(L.maxBufferSize)}`);
  console.log(`          workgroup storage ${formatBytes(L.maxComputeWorkgroupStorageSize)}, ${L.maxComputeInvocationsPerWorkgroup} invocations/workgroup, ${L.maxComputeWorkgroupsPerDimension} workgroups/dim, ${L.maxStorageBuffersPerShaderStage} storage buffers/stage`);
  return dev;
}

async function demo(): Promise<void> {
  const dev = await info();
  const out = dev.scope(() => relu(dev, add(dev, dev.tensor([-3, -1, 0.5, 2], [1, 4, 1, 1]), dev.tensor([1], [1]))));
  const v = await out.download();
  out.dispose();
  await dev.sync();
  console.log(`smoke:    relu([-3, -1, 0.5, 2] + 1) = [${[...v].join(', ')}]  (expected [0, 0, 1.5, 3])`);
  dev.destroy();
}

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0];
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd ? 0 : 2;
  }
  if (cmd === 'info') {
    (await info()).destroy();
    return 0;
  }
  if (cmd === 'demo') {
    await demo();
    return 0;
  }
  process.stderr.write(`atrous: unknown command "${cmd}"\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`atrous: ${e instanceof AtrousError ? e.message : (e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);

import { Device } from '../tensor/device.ts';
import { formatBytes } from '../tensor/errors.ts';
import { parseOptions, type Command } from './command.ts';

export function describeDevice(dev: Device): string {
  const i = dev.info;
  const L = dev.limits;
  return [
    `adapter:  ${dev.name}${i.isFallbackAdapter ? ' [fallback adapter]' : ''}`,
    `features: ${i.features.join(', ')}`,
    `limits:   maxStorageBufferBindingSize ${formatBytes(L.maxStorageBufferBindingSize)}, maxBufferSize ${formatBytes(L.maxBufferSize)}`,
    `          workgroup storage ${formatBytes(L.maxComputeWorkgroupStorageSize)}, ${L.maxComputeInvocationsPerWorkgroup} invocations/workgroup, ` +
      `${L.maxComputeWorkgroupsPerDimension} workgroups/dim, ${L.maxStorageBuffersPerShaderStage} storage buffers/stage`,
  ].join('\n');
}

export const info: Command = {
  name: 'info',
  summary: 'print the WebGPU adapter, its features and limits',
  help: 'Usage: atrous info\n\nPrints the WebGPU adapter Dawn found, the optional features requested and the limits in force.\n',
  async run(args) {
    parseOptions({ args, options: {} }); // no options, no operands: anything else is a usage error
    const dev = await Device.create();
    console.log(describeDevice(dev));
    dev.destroy();
    return 0;
  },
};

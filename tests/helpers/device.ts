import { Device } from '../../src/tensor/device.ts';

let shared: Promise<Device> | null = null;

/** One device for the whole test process (creating one per suite is slow and wasteful). */
export function getDevice(): Promise<Device> {
  return (shared ??= Device.create());
}

import { add } from '../kernels/binary.ts';
import { relu } from '../kernels/unary.ts';
import { Device } from '../tensor/device.ts';
import type { Command } from './command.ts';
import { describeDevice } from './info.ts';

// The main job of the README. Until the DeepLab model lands it is a smoke run on the GPU.
export const demo: Command = {
  name: 'demo',
  summary: 'the main job on the bundled default',
  help: 'Usage: atrous demo\n\nRuns the main job on the bundled default.\n',
  async run() {
    const dev = await Device.create();
    console.log(describeDevice(dev));
    const out = dev.scope(() => relu(dev, add(dev, dev.tensor([-3, -1, 0.5, 2], [1, 4, 1, 1]), dev.tensor([1], [1]))));
    const v = await out.download();
    out.dispose();
    console.log(`smoke:    relu([-3, -1, 0.5, 2] + 1) = [${[...v].join(', ')}]  (expected [0, 0, 1.5, 3])`);
    dev.destroy();
    return 0;
  },
};

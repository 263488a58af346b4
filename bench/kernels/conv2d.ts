import { conv2d, conv2dOutputSize, Conv2dWeights } from '../../src/kernels/conv2d.ts';
import type { Device } from '../../src/tensor/device.ts';
import { benchData } from '../harness.ts';
import type { BenchEntry } from '../types.ts';

const conv = (n: number, c: number, hw: number, o: number, k: number, s = 1, p = 0, d = 1) => `${n},${c},${hw},${hw},${o},${k},${s},${p},${d}`;

/** Every distinct conv layer of DeepLab-LargeFOV (deeplab-spec §1) for an input of `size`²: VGG16
 * convs 3×3 pad 1 (conv5 pad 2 dilation 2), pool1–3 stride 2 (Caffe ceil), fc6 3×3 dilation 12. */
function largeFov(size: number): string[] {
  const s1 = size;
  const s2 = Math.ceil((s1 - 1) / 2) + 1; // Caffe pool k3 s2 p1: 321 → 161, 513 → 257
  const s3 = Math.ceil((s2 - 1) / 2) + 1;
  const s4 = Math.ceil((s3 - 1) / 2) + 1;
  return [
    conv(1, 3, s1, 64, 3, 1, 1), conv(1, 64, s1, 64, 3, 1, 1),          // conv1_1, conv1_2
    conv(1, 64, s2, 128, 3, 1, 1), conv(1, 128, s2, 128, 3, 1, 1),      // conv2_1, conv2_2
    conv(1, 128, s3, 256, 3, 1, 1), conv(1, 256, s3, 256, 3, 1, 1),     // conv3_1, conv3_2–3
    conv(1, 256, s4, 512, 3, 1, 1), conv(1, 512, s4, 512, 3, 1, 1),     // conv4_1, conv4_2–3
    conv(1, 512, s4, 512, 3, 1, 2, 2),                                  // conv5_1–3
    conv(1, 512, s4, 1024, 3, 1, 12, 12),                               // fc6
    conv(1, 1024, s4, 1024, 1), conv(1, 1024, s4, 21, 1),               // fc7, fc8
  ];
}

/**
 * The atrous convs of DeepLab v2's and v3's heads at output stride 8 for an input of `size`²
 * (map (size − 1)/8 + 1): v2-ResNet's fc1_voc12 (2048 → 21, rates 6–24), v2-VGG16's fc6_i
 * (512 → 1024, rates 6–24) and v3's ASPP (2048 → 256, rates 12–36): where 'tapwise' and
 * Winograd compete with the dense kernels.
 */
function aspp(size: number): string[] {
  const m = (size - 1) / 8 + 1;
  return [
    ...[6, 12, 18, 24].map((r) => conv(1, 2048, m, 21, 3, 1, r, r)),
    ...[6, 24].map((r) => conv(1, 512, m, 1024, 3, 1, r, r)),
    ...[12, 24, 36].map((r) => conv(1, 2048, m, 256, 3, 1, r, r)),
  ];
}

export const conv2dEntry: BenchEntry = {
  kernel: 'conv2d',
  // 'auto' is what conv2d picks for this adapter and shape (what a DeepLab forward runs).
  variants: ['direct', 'auto', 'blocked', 'im2col', 'winograd', 'tiled', 'tiled128', 'window', 'tapwise'],
  presets: {
    'largefov-321': largeFov(321),
    'largefov-513': largeFov(513),
    'aspp-321': aspp(321),
    'aspp-513': aspp(513),
    small: [conv(1, 64, 41, 64, 3, 1, 1), conv(1, 256, 41, 256, 1), conv(1, 3, 65, 64, 7, 2, 3)],
  },
  shapeHelp: 'N,C,H,W,O,k,stride,pad,dilation (k×k kernel), e.g. 1,512,41,41,1024,3,1,12,12',
  tolerance: 1e-4,
  setup(dev: Device, shape: string) {
    const v = shape.split(',').map(Number);
    if (v.length !== 9 || !v.every(Number.isInteger)) throw new Error(`conv2d: bad shape "${shape}" (${this.shapeHelp})`);
    const [N, C, H, W, O, k, stride, pad, dilation] = v;
    const weights = Conv2dWeights.fromHost(dev, benchData(O * C * k * k, 2).map((a) => a / Math.sqrt(C * k * k)), [O, C, k, k], benchData(O, 3), 'bench', { winograd: true });
    const x = dev.tensor(benchData(N * C * H * W), [N, C, H, W]);
    const OH = conv2dOutputSize(H, k, stride, pad, dilation);
    const OW = conv2dOutputSize(W, k, stride, pad, dilation);
    return {
      run: (variant: string) => conv2d(dev, x, weights, { stride, pad, dilation, relu: true, variant: variant === 'auto' ? undefined : variant }),
      flops: 2 * N * O * OH * OW * C * k * k,
      bytes: 4 * (x.size + O * C * k * k + N * O * OH * OW),
      dispose() {
        x.dispose();
        weights.dispose();
      },
    };
  },
};

"""Trains the bundled demo model: DeepLab-LargeFOV at reduced widths on tools/scenes.py scenes.

Run with Debian's python3 + python3-torch, from the repository root:
    /usr/bin/python3 tools/train_demo.py [--steps N] [--minutes M]
Writes assets/demo/deeplab-largefov-scenes.safetensors (weights + the __metadata__ the engine reads),
assets/demo/sample{1,2,3}.png with their ground truth sample{1,2,3}_gt.png, tests/fixtures/
demo_model.safetensors (PyTorch's scores on a crop of sample1, for tests/cli), and prints the mIoU
on the held-out set (seed HELDOUT_SEED, HELDOUT_N scenes of HELDOUT_SIZE x HELDOUT_SIZE).

The network follows the Caffe semantics the engine implements (deeplab-spec.md section 1, LargeFOV):
pool1-3 MAX k3 s2 p1 ceil, pool4/pool5 MAX k3 s1 p1, pool5a AVE k3 s1 p1 (padding counted),
conv5 dilation 2, fc6 3x3 dilation 12 pad 12, dropout, fc7 1x1, dropout, fc8_voc12 1x1, then
bilinear x8 with align_corners=True. Input: BGR minus the Caffe means, no scaling.
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'golden'))
import scenes  # noqa: E402
from common import save_safetensors  # noqa: E402

WIDTHS = {'conv1': 16, 'conv2': 32, 'conv3': 64, 'conv4': 96, 'conv5': 96, 'fc6': 128, 'fc7': 128}
MEAN_BGR = (104.008, 116.669, 122.675)
TRAIN_SEED, HELDOUT_SEED, SAMPLE_SEED = 1, 2, 3
TRAIN_SIZE, HELDOUT_SIZE, HELDOUT_N = 97, 129, 100
ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'assets', 'demo')
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures')


class LargeFOV(nn.Module):
    def __init__(self, w, num_classes, dropout):
        super().__init__()
        convs, cin = [], 3
        for stage, n in ((1, 2), (2, 2), (3, 3), (4, 3), (5, 3)):
            for i in range(1, n + 1):
                d = 2 if stage == 5 else 1
                convs.append((f'conv{stage}_{i}', nn.Conv2d(cin, w[f'conv{stage}'], 3, padding=d, dilation=d)))
                cin = w[f'conv{stage}']
        self.convs = nn.ModuleDict(convs)
        self.fc6 = nn.Conv2d(cin, w['fc6'], 3, padding=12, dilation=12)
        self.fc7 = nn.Conv2d(w['fc6'], w['fc7'], 1)
        self.fc8_voc12 = nn.Conv2d(w['fc7'], num_classes, 1)
        self.dropout = dropout
        for name, m in [*convs, ('fc6', self.fc6), ('fc7', self.fc7)]:
            nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
            nn.init.zeros_(m.bias)
        # The input is raw BGR minus the means (std ~60): fold that scale into conv1_1's init.
        with torch.no_grad():
            self.convs['conv1_1'].weight /= 60
        nn.init.normal_(self.fc8_voc12.weight, std=0.01)
        nn.init.zeros_(self.fc8_voc12.bias)

    def forward(self, x):
        h, w = x.shape[2:]
        for name, conv in self.convs.items():
            x = F.relu(conv(x))
            stage, i = int(name[4]), int(name[6])
            if i == (2 if stage <= 2 else 3):
                x = F.max_pool2d(x, 3, 2 if stage <= 3 else 1, 1, ceil_mode=True)
        x = F.avg_pool2d(x, 3, 1, 1, count_include_pad=True)  # pool5a
        x = F.dropout(F.relu(self.fc6(x)), self.dropout, self.training)
        x = F.dropout(F.relu(self.fc7(x)), self.dropout, self.training)
        x = self.fc8_voc12(x)
        zh, zw = x.shape[2] + (x.shape[2] - 1) * 7, x.shape[3] + (x.shape[3] - 1) * 7  # Caffe Interp zoom 8
        x = F.interpolate(x, size=(zh, zw), mode='bilinear', align_corners=True)
        return x[:, :, :h, :w]

    def load(self, path):
        """Starts from a previous run's safetensors (see --init)."""
        with open(path, 'rb') as f:
            n = struct.unpack('<Q', f.read(8))[0]
            header = json.loads(f.read(n))
            blob = f.read()
        mods = {**self.convs, 'fc6': self.fc6, 'fc7': self.fc7, 'fc8_voc12': self.fc8_voc12}
        with torch.no_grad():
            for key, h in header.items():
                if key == '__metadata__':
                    continue
                layer, kind = key.rsplit('.', 1)
                a, b = h['data_offsets']
                getattr(mods[layer], kind).copy_(torch.from_numpy(np.frombuffer(blob[a:b], np.float32).reshape(h['shape']).copy()))

    def state(self):
        sd = {f'{n}.{k}': p for n, m in [*self.convs.items(), ('fc6', self.fc6), ('fc7', self.fc7), ('fc8_voc12', self.fc8_voc12)]
              for k, p in (('weight', m.weight), ('bias', m.bias))}
        return {k: v.detach().float().numpy() for k, v in sd.items()}


def preprocess(images):
    """uint8 RGB NHWC -> float NCHW BGR minus the Caffe means."""
    x = torch.from_numpy(images[..., ::-1].copy()).float() - torch.tensor(MEAN_BGR)
    return x.permute(0, 3, 1, 2).contiguous()


def confusion(pred, gt, k):
    return np.bincount(gt.ravel().astype(np.int64) * k + pred.ravel(), minlength=k * k).reshape(k, k)


def evaluate(model, rng_seed, n, size, k):
    model.eval()
    rng = np.random.default_rng(rng_seed)
    cm = np.zeros((k, k), np.int64)
    with torch.no_grad():
        for i in range(0, n, 10):
            ims, lbs = scenes.batch(rng, min(10, n - i), size)
            cm += confusion(model(preprocess(ims)).argmax(1).numpy(), lbs, k)
    model.train()
    iou = np.diag(cm) / np.maximum(cm.sum(0) + cm.sum(1) - np.diag(cm), 1)
    return iou.mean(), iou


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=3000)
    ap.add_argument('--minutes', type=float, default=24, help='stop early after this much wall time')
    ap.add_argument('--batch', type=int, default=12)
    ap.add_argument('--lr', type=float, default=5e-4)
    ap.add_argument('--bg-weight', type=float, default=1.0, help='loss weight of background pixels (objects: 1)')
    ap.add_argument('--init', help='continue from these weights (a previous run of this script)')
    ap.add_argument('--seed', type=int, default=TRAIN_SEED, help='training data and init seed')
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    k = len(scenes.CLASSES)
    model = LargeFOV(WIDTHS, k, dropout=0.1)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=args.steps, pct_start=0.05)
    if args.init:
        model.load(args.init)
    rng = np.random.default_rng(args.seed)
    class_weight = torch.tensor([args.bg_weight] + [1.0] * (k - 1))
    t0, avg = time.time(), None
    out = os.path.join(ASSETS, 'deeplab-largefov-scenes.safetensors')
    os.makedirs(ASSETS, exist_ok=True)
    meta = {'model': 'deeplab-largefov', 'widths': json.dumps(WIDTHS), 'num_classes': k, 'classes': ','.join(scenes.CLASSES)}
    for step in range(1, args.steps + 1):
        ims, lbs = scenes.batch(rng, args.batch, TRAIN_SIZE)
        loss = F.cross_entropy(model(preprocess(ims)), torch.from_numpy(lbs).long(), weight=class_weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        avg = loss.item() if avg is None else 0.95 * avg + 0.05 * loss.item()
        done = step == args.steps or time.time() - t0 > args.minutes * 60
        if step % 25 == 0 or done:
            print(f'step {step} loss {avg:.4f} lr {sched.get_last_lr()[0]:.2e} {time.time() - t0:.0f}s', flush=True)
        if step % 250 == 0 or done:
            save_safetensors(out, model.state(), meta)  # so a stopped run still leaves weights
            print(f'  held-out mIoU (30 scenes) {evaluate(model, HELDOUT_SEED, 30, HELDOUT_SIZE, k)[0]:.3f}', flush=True)
        if done:
            break
    miou, iou = evaluate(model, HELDOUT_SEED, HELDOUT_N, HELDOUT_SIZE, k)
    print(f'held-out mIoU over {HELDOUT_N} scenes of {HELDOUT_SIZE}x{HELDOUT_SIZE} (seed {HELDOUT_SEED}): {miou:.4f}')
    print('per class: ' + ', '.join(f'{c} {v:.3f}' for c, v in zip(scenes.CLASSES, iou)))
    print(f'trained {step} steps of batch {args.batch} at {TRAIN_SIZE}x{TRAIN_SIZE} in {time.time() - t0:.0f}s')
    write_samples(model)


def write_samples(model):
    """The sample scenes with ground truth, and PyTorch's scores for the test that checks the engine."""
    os.makedirs(ASSETS, exist_ok=True)
    rng = np.random.default_rng(SAMPLE_SEED)
    pal = scenes.voc_palette()
    for i, s in enumerate((129, 161, 193), 1):
        im, lb = scenes.scene(rng, s)
        scenes.write_png(os.path.join(ASSETS, f'sample{i}.png'), im)
        scenes.write_png(os.path.join(ASSETS, f'sample{i}_gt.png'), lb, pal)
        if i == 1:  # scores of the top-left 65 x 65 of sample1 (HWC), small enough to commit
            model.eval()
            with torch.no_grad():
                scores = model(preprocess(im[None, :65, :65]))[0].permute(1, 2, 0).contiguous()
            save_safetensors(os.path.join(FIXTURES, 'demo_model.safetensors'), {'image': im[:65, :65], 'scores': scores})


if __name__ == '__main__':
    if sys.argv[1:] == ['--samples-only']:  # rewrite samples and fixture from the shipped weights
        torch.set_num_threads(1)
        m = LargeFOV(WIDTHS, len(scenes.CLASSES), 0)
        m.load(os.path.join(ASSETS, 'deeplab-largefov-scenes.safetensors'))
        write_samples(m)
    else:
        main()

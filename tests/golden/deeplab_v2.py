"""Golden data for DeepLab v2 ResNet-101, computed by an independent PyTorch implementation of its
Caffe test prototxt (deeplab-spec §2; deeplab-public-ver2 exper/voc12/config/resnet101/test.prototxt):
conv1 7x7 s2 p3 -> BatchNorm -> Scale -> ReLU -> pool1 MAX k3 s2 p1 (ceil); bottleneck units res2a-c,
res3a-b3, res4a-b22, res5a-c (stride 2 on res3a's 1x1 convs; res4 3x3 dilation 2, res5 4); head
fc1_voc12_c0..c3 (3x3, dilation = pad = 6/12/18/24) summed; towers at 1, 0.75 (Interp shrink 4 zoom 3)
and 0.5 (shrink 2) with shared weights, their scores resized to the full-scale ones, MAX, Interp x8.

Writes
  tests/fixtures/deeplab_v2/resnet101.safetensors   reduced-width random weights, Caffe's blob names
  tests/fixtures/deeplab_v2/resnet101.caffemodel    the same, new `layer` layout, BatchNorm blobs
                                                    (mean and variance sums, scale factor) and Scale
  tests/fixtures/deeplab_v2/resnet101_kazuto.pth    the same, as kazuto1011/deeplab-pytorch names
                                                    them (torch.save, zip format)
  tests/fixtures/deeplab_v2.safetensors             the image, the scores (three scales and one)
Run: /usr/bin/python3 tests/golden/deeplab_v2.py
"""
import collections
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

from common import FIXTURES, Mulberry32, fixture, save_safetensors
from deeplab_v1 import compile_proto, padded_size, preprocess

UNITS = [3, 4, 23, 3]
RATES = [6, 12, 18, 24]
EPS = 1e-5  # Caffe's BatchNorm default
REDUCED = dict(stem=4, res2=2, res3=4, res4=4, res5=8)


def unit_names(stage, count):
    if stage in (2, 5):
        return [f'{stage}{chr(97 + i)}' for i in range(count)]
    return [f'{stage}a'] + [f'{stage}b{i}' for i in range(1, count)]


def convs(w, nc):
    """[(name, bn suffix or None, out, in, k, stride, pad, dilation)] in forward order."""
    out = [('conv1', '_conv1', w['stem'], 3, 7, 2, 3, 1)]
    cin = w['stem']
    for si, count in enumerate(UNITS):
        stage = si + 2
        mid = w[f'res{stage}']
        d = {4: 2, 5: 4}.get(stage, 1)
        for i, u in enumerate(unit_names(stage, count)):
            s = 2 if stage == 3 and i == 0 else 1
            if i == 0:
                out.append((f'res{u}_branch1', f'{u}_branch1', 4 * mid, cin, 1, s, 0, 1))
            out += [(f'res{u}_branch2a', f'{u}_branch2a', mid, cin, 1, s, 0, 1),
                    (f'res{u}_branch2b', f'{u}_branch2b', mid, mid, 3, 1, d, d),
                    (f'res{u}_branch2c', f'{u}_branch2c', 4 * mid, mid, 1, 1, 0, 1)]
            cin = 4 * mid
    out += [(f'fc1_voc12_c{i}', None, nc, cin, 3, 1, r, r) for i, r in enumerate(RATES)]
    return out


def random_weights(specs, seed):
    """Conv weights He-uniform; BatchNorm blobs as Caffe stores them (sums times a scale factor);
    Scale gamma in [0.25, 0.75) and beta in [-0.2, 0.2) so that 33 residual units stay in range."""
    rng, ws = Mulberry32(seed), {}
    for name, bn, o, i, k, *_ in specs:
        ws[name + '.weight'] = rng.fill(o * i * k * k, math.sqrt(6.0 / (i * k * k))).reshape(o, i, k, k)
        if bn is None:
            ws[name + '.bias'] = rng.fill(o)
            continue
        factor = np.float32(2.5)
        ws[f'bn{bn}.weight'] = (rng.fill(o, 0.2) * factor).astype(np.float32)          # mean x factor
        ws[f'bn{bn}.bias'] = ((rng.fill(o, 0.5) + 1.0) * factor).astype(np.float32)   # variance x factor
        ws[f'bn{bn}.blob2'] = np.array([factor], np.float32)
        ws[f'scale{bn}.weight'] = (rng.fill(o, 0.25) + 0.5).astype(np.float32)
        ws[f'scale{bn}.bias'] = rng.fill(o, 0.2)
    return ws


def interp(t, h, w):  # Caffe Interp to an explicit size: align_corners
    return F.interpolate(t, size=(h, w), mode='bilinear', align_corners=True)


def caffe_interp_size(n, zoom=1, shrink=1):
    n = (n - 1) // shrink + 1
    return n + (n - 1) * (zoom - 1)


def tower(specs, ws, x):
    s = {c[0]: c for c in specs}
    t64 = lambda a: torch.from_numpy(np.asarray(a, np.float64))

    def conv(name, t, relu):
        _, bn, o, i, k, stride, pad, d = s[name]
        if bn is None:
            return F.conv2d(t, t64(ws[name + '.weight']), t64(ws[name + '.bias']), stride, pad, d)
        y = F.conv2d(t, t64(ws[name + '.weight']), None, stride, pad, d)
        f = float(ws[f'bn{bn}.blob2'][0])
        inv = 0.0 if f == 0 else 1.0 / f
        y = F.batch_norm(y, t64(ws[f'bn{bn}.weight']) * inv, t64(ws[f'bn{bn}.bias']) * inv,
                         t64(ws[f'scale{bn}.weight']), t64(ws[f'scale{bn}.bias']), False, 0.0, EPS)
        return F.relu(y) if relu else y

    t = F.max_pool2d(conv('conv1', x, True), 3, 2, 1, ceil_mode=True)
    for si, count in enumerate(UNITS):
        for i, u in enumerate(unit_names(si + 2, count)):
            short = conv(f'res{u}_branch1', t, False) if i == 0 else t
            y = conv(f'res{u}_branch2c', conv(f'res{u}_branch2b', conv(f'res{u}_branch2a', t, True), True), False)
            t = F.relu(y + short)
    return sum(conv(f'fc1_voc12_c{i}', t, False) for i in range(len(RATES)))


def forward(specs, ws, x, scales):
    H, W = x.shape[2:]
    PH, PW = padded_size('deeplab-largefov', H), padded_size('deeplab-largefov', W)  # 8k+1
    data = F.pad(x, (0, PW - W, 0, PH - H))
    full = tower(specs, ws, data)
    fh, fw = full.shape[2:]
    fused = full
    for s in scales[1:]:
        f = {0.75: dict(shrink=4, zoom=3), 0.5: dict(shrink=2)}[s]
        small = interp(data, caffe_interp_size(PH, **f), caffe_interp_size(PW, **f))
        fused = torch.maximum(fused, interp(tower(specs, ws, small), fh, fw))
    y = interp(fused, caffe_interp_size(fh, zoom=8), caffe_interp_size(fw, zoom=8))
    assert y.shape[2:] == (PH, PW), (y.shape, PH, PW)
    return y[:, :, :H, :W]


def write_caffemodel(pb, path, specs, ws):
    """New-layout NetParameter: Convolution (+ BatchNorm + Scale + ReLU) layers with their blobs;
    bn_conv1's blobs use legacy 4-D dims (1, C, 1, 1), the others BlobShape [C]."""
    net = pb.NetParameter()
    net.name = 'deeplab-v2-resnet101'

    def layer(name, kind, blobs):
        l = net.layer.add()
        l.name, l.type = name, kind
        l.bottom.append('x')
        l.top.append('x')
        for arr in blobs:
            b = l.blobs.add()
            b.data.extend(np.asarray(arr, np.float32).ravel().tolist())
            if name == 'bn_conv1':
                b.num, b.channels, b.height, b.width = (1, arr.size, 1, 1)
            else:
                b.shape.dim.extend(list(np.shape(arr)))
    for name, bn, *_ in specs:
        layer(name, 'Convolution', [ws[name + '.weight']] + ([ws[name + '.bias']] if bn is None else []))
        if bn is not None:
            layer('bn' + bn, 'BatchNorm', [ws[f'bn{bn}.weight'], ws[f'bn{bn}.bias'], ws[f'bn{bn}.blob2']])
            layer('scale' + bn, 'Scale', [ws[f'scale{bn}.weight'], ws[f'scale{bn}.bias']])
    with open(path, 'wb') as f:
        f.write(net.SerializeToString())


def kazuto_state(specs, ws):
    """The same weights under kazuto1011/deeplab-pytorch's names (MSC wrapper: 'base.'), its
    PyTorch BatchNorms holding the statistics themselves (Caffe's sums over the scale factor)."""
    part = {'2a': 'reduce', '2b': 'conv3x3', '2c': 'increase', '1': 'shortcut'}
    sd = collections.OrderedDict()
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a, np.float32))
    for name, bn, *_ in specs:
        if bn is None:
            i = name[-1]
            sd[f'base.aspp.c{i}.weight'], sd[f'base.aspp.c{i}.bias'] = t(ws[name + '.weight']), t(ws[name + '.bias'])
            continue
        if name == 'conv1':
            p = 'base.layer1.conv1'
        else:
            unit, branch = name[3:].split('_branch')
            stage = int(unit[0])
            p = f'base.layer{stage}.block{unit_names(stage, UNITS[stage - 2]).index(unit) + 1}.{part[branch]}'
        f = np.float32(ws[f'bn{bn}.blob2'][0])
        sd[p + '.conv.weight'] = t(ws[name + '.weight'])
        sd[p + '.bn.weight'], sd[p + '.bn.bias'] = t(ws[f'scale{bn}.weight']), t(ws[f'scale{bn}.bias'])
        sd[p + '.bn.running_mean'], sd[p + '.bn.running_var'] = t(ws[f'bn{bn}.weight'] / f), t(ws[f'bn{bn}.bias'] / f)
        sd[p + '.bn.num_batches_tracked'] = torch.tensor(0)
    return sd


if __name__ == '__main__':
    torch.set_grad_enabled(False)
    pb = compile_proto()
    wdir = os.path.join(FIXTURES, 'deeplab_v2')
    os.makedirs(wdir, exist_ok=True)
    nc = 5
    specs = convs(REDUCED, nc)
    ws = random_weights(specs, 21)
    meta = {'model': 'deeplab-v2-resnet101', 'widths': json.dumps(REDUCED), 'num_classes': nc, 'classes': 'a,b,c,d,e'}
    save_safetensors(os.path.join(wdir, 'resnet101.safetensors'), ws, meta)
    write_caffemodel(pb, os.path.join(wdir, 'resnet101.caffemodel'), specs, ws)
    torch.save(kazuto_state(specs, ws), os.path.join(wdir, 'resnet101_kazuto.pth'))
    img = (Mulberry32(99).fill(35 * 44 * 3) * 127.5 + 127.5).round().clip(0, 255).astype(np.uint8).reshape(35, 44, 3)
    out = {'image': img}
    out['scores.msc'] = forward(specs, ws, preprocess(img), [1, 0.75, 0.5]).float()
    out['scores.single'] = forward(specs, ws, preprocess(img), [1]).float()
    # A size check against torchvision's ResNet-101: the conv weights of its backbone (no fc, no
    # BatchNorm) must be ours at full width; torchvision puts the stride on the 3x3 conv, which
    # changes no weight shape.
    full = convs(dict(stem=64, res2=64, res3=128, res4=256, res5=512), 21)
    ours = sum(o * i * k * k for name, bn, o, i, k, *_ in full if bn is not None)
    tv = sum(m.weight.numel() for m in torchvision.models.resnet101().modules() if isinstance(m, torch.nn.Conv2d))
    assert ours == tv, (ours, tv)
    out['torchvision_resnet101_conv_weights'] = np.array([tv], np.int32)
    save_safetensors(fixture('deeplab_v2'), out, {'generator': 'tests/golden/deeplab_v2.py', 'torch': torch.__version__})
    print('wrote', fixture('deeplab_v2'), 'and', wdir, '; torchvision ResNet-101 conv weights', tv)

"""Golden data for DeepLab v1 (all six variants) and DeepLab v2 VGG16-ASPP, computed by an independent PyTorch implementation of
the Caffe test prototxts (deeplab-spec §1; TheLegendAli/DeepLab-Context config/*/test.prototxt).

Writes
  tests/fixtures/deeplab_v1/<variant>.safetensors   reduced-width random weights (+ __metadata__)
  tests/fixtures/deeplab_v1/<variant>.caffemodel    the same weights, encoded by Google's protobuf
                                                    from tests/golden/caffe_subset.proto, in the
                                                    V1 `layers` or the new `layer` layout
  tests/fixtures/deeplab_v1.safetensors             input images, preprocessed inputs, score maps
The full-width LargeFOV case is not stored: both sides regenerate its 20.5M weights with mulberry32.
Run: /usr/bin/python3 tests/golden/deeplab_v1.py
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

from common import FIXTURES, Mulberry32, fixture, save_safetensors

MEAN_BGR = (104.008, 116.669, 122.675)  # deeplab-spec §1 preprocessing

# pool_k: kernel of pool1-4 (the basic model uses 2, later ones 3); fc6: (kernel, dilation, pad)
ARCH = {
    'deeplab': dict(pool_k=2, fc6=(4, 4, 6), fc=4096, pool5a=False, msc=False, fc8='fc8_pascal', crop=True),
    'deeplab-7x7': dict(pool_k=3, fc6=(7, 4, 12), fc=4096, pool5a=False, msc=False, fc8='fc8_pascal', crop=False),
    'deeplab-4x4': dict(pool_k=3, fc6=(4, 8, 12), fc=4096, pool5a=False, msc=False, fc8='fc8_pascal', crop=False),
    'deeplab-largefov': dict(pool_k=3, fc6=(3, 12, 12), fc=1024, pool5a=True, msc=False, fc8='fc8_voc12', crop=False),
    'deeplab-msc': dict(pool_k=3, fc6=(4, 4, 6), fc=4096, pool5a=False, msc=True, fc8='fc8_pascal', crop=False),
    'deeplab-msc-largefov': dict(pool_k=3, fc6=(3, 12, 12), fc=1024, pool5a=True, msc=True, fc8='fc8_voc12', crop=False),
    # DeepLab v2 VGG16-ASPP-L (deeplab-spec §2): four branches fc6_i (3x3, dilation = pad = r),
    # fc7_i, fc8_voc12_i from pool5, summed; no pool5a.
    'deeplab-v2-vgg16': dict(pool_k=3, fc6=None, aspp=(6, 12, 18, 24), fc=1024, pool5a=False, msc=False, fc8='fc8_voc12', crop=False),
}
FULL = dict(conv1=64, conv2=128, conv3=256, conv4=512, conv5=512, msc=128)


def layers(variant, widths, nc):
    """[(name, out, in, k, dilation, pad, relu)] in weight-generation order (shared with src/deeplab/v1.ts)."""
    a = ARCH[variant]
    w = dict(FULL, fc6=a['fc'], fc7=a['fc'])
    w.update(widths)
    out, cin = [], 3
    for b, n in [(1, 2), (2, 2), (3, 3), (4, 3), (5, 3)]:
        for i in range(1, n + 1):
            d = 2 if b == 5 else 1
            out.append((f'conv{b}_{i}', w[f'conv{b}'], cin, 3, d, d, True))
            cin = w[f'conv{b}']
    heads = [(f'_{i}', (3, r, r)) for i, r in enumerate(a['aspp'], 1)] if a.get('aspp') else [('', a['fc6'])]
    for sfx, (k, d, p) in heads:
        out += [('fc6' + sfx, w['fc6'], cin, k, d, p, True), ('fc7' + sfx, w['fc7'], w['fc6'], 1, 1, 0, True), (a['fc8'] + sfx, nc, w['fc7'], 1, 1, 0, False)]
    if a['msc']:
        taps = {'data': 3, 'pool1': w['conv1'], 'pool2': w['conv2'], 'pool3': w['conv3'], 'pool4': w['conv4']}
        for t, c in taps.items():
            out += [(f'{t}_conv', w['msc'], c, 3, 1, 1, True), (f'{t}_fc', w['msc'], w['msc'], 1, 1, 0, True), (f'{t}_ms', nc, w['msc'], 1, 1, 0, False)]
    return out


def random_weights(specs, seed):
    """He-uniform weights (scale sqrt(6 / fan_in)) and uniform [-1, 1) biases from one mulberry32 stream."""
    rng, ws = Mulberry32(seed), {}
    for name, o, i, k, *_ in specs:
        ws[name + '.weight'] = rng.fill(o * i * k * k, math.sqrt(6.0 / (i * k * k))).reshape(o, i, k, k)
        ws[name + '.bias'] = rng.fill(o)
    return ws


def padded_size(variant, n):
    # Caffe pads the image to crop_size with the mean. For any n we pad to the next size the net
    # maps onto itself: 16k+2 for the basic model (its prototxt's alignment comment), 8k+1 otherwise.
    if ARCH[variant]['crop']:
        return 16 * math.ceil(max(n - 2, 0) / 16) + 2
    return 8 * math.ceil((n - 1) / 8) + 1


def preprocess(img):
    """RGB u8 HWC -> BGR minus the mean, [1, 3, H, W] float64 (data_transformer.cpp at test time)."""
    x = img[:, :, ::-1].astype(np.float32) - np.array(MEAN_BGR, np.float32)  # Caffe: float arithmetic
    return torch.from_numpy(x.astype(np.float64).transpose(2, 0, 1).copy())[None]


def forward(variant, ws, x, canvas=0):
    """Independent implementation of the prototxt semantics, in float64. canvas: pad to at least
    this size, as Caffe pads to its crop_size."""
    a = ARCH[variant]
    specs = {s[0]: s for s in layers_cache[variant]}

    def conv(name, t):
        _, _, _, _, d, p, relu = specs[name]
        y = F.conv2d(t, torch.from_numpy(ws[name + '.weight']).double(), torch.from_numpy(ws[name + '.bias']).double(), padding=p, dilation=d)
        return F.relu(y) if relu else y

    def interp(t, zoom):  # Caffe Interp zoom: H + (H - 1)(zoom - 1), align_corners
        h, w = t.shape[2:]
        return F.interpolate(t, size=(h + (h - 1) * (zoom - 1), w + (w - 1) * (zoom - 1)), mode='bilinear', align_corners=True)

    H, W = x.shape[2:]
    PH, PW = padded_size(variant, max(H, canvas)), padded_size(variant, max(W, canvas))
    data = F.pad(x, (0, PW - W, 0, PH - H))  # bottom/right with the mean = 0 after subtraction
    k = a['pool_k']
    t, taps = data, {'data': data}
    for b, n in [(1, 2), (2, 2), (3, 3), (4, 3), (5, 3)]:
        for i in range(1, n + 1):
            t = conv(f'conv{b}_{i}', t)
        if b <= 3:
            t = F.max_pool2d(t, k, 2, 1, ceil_mode=True)
        elif b == 4:
            t = F.max_pool2d(t, k, 1, 1, ceil_mode=True)
        else:
            t = F.max_pool2d(t, 3, 1, 1, ceil_mode=True)
        taps[f'pool{b}'] = t
    if a['pool5a']:
        t = F.avg_pool2d(t, 3, 1, 1, ceil_mode=True, count_include_pad=True)
    if a.get('aspp'):  # Eltwise SUM of the branches
        t = sum(conv(a['fc8'] + f'_{i}', conv(f'fc7_{i}', conv(f'fc6_{i}', t))) for i in range(1, len(a['aspp']) + 1))
    else:
        t = conv(a['fc8'], conv('fc7', conv('fc6', t)))
    y = interp(t, 8)
    if a['crop']:  # PADDING layer, pad_beg -7, pad_end -8
        assert y.shape[2] == PH + 15 and y.shape[3] == PW + 15, y.shape
        y = y[:, :, 7:-8, 7:-8]
    if a['msc']:
        zoom = {'data': 1, 'pool1': 2, 'pool2': 4, 'pool3': 8, 'pool4': 8}
        for tap, z in zoom.items():
            m = conv(f'{tap}_ms', conv(f'{tap}_fc', conv(f'{tap}_conv', taps[tap])))
            y = y + (interp(m, z) if z > 1 else m)
    assert y.shape[2:] == (PH, PW), (y.shape, PH, PW)
    return y[:, :, :H, :W]


def compile_proto():
    d = tempfile.mkdtemp()
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.check_call(['protoc', f'--proto_path={here}', f'--python_out={d}', os.path.join(here, 'caffe_subset.proto')])
    sys.path.insert(0, d)
    import caffe_subset_pb2
    return caffe_subset_pb2


def write_caffemodel(pb, path, variant, specs, ws, layout):
    """layout: 'old' (V1 layers, unpacked floats, num/channels/height/width), 'v1' (V1 layers, packed,
    legacy dims), 'v1-shape' (V1 layers, packed, BlobShape), 'new' (layer, packed, BlobShape)."""
    net = pb.NetParameterOld() if layout == 'old' else pb.NetParameter()
    net.name = variant
    new = layout == 'new'
    if new:
        net.input.append('data')
        net.input_dim.extend([1, 3, 513, 513])
    def add_layer(name, kind):
        if new:
            l = net.layer.add(); l.name = name; l.type = kind
        else:
            l = net.layers.add(); l.name = name
            l.type = {'Convolution': 4, 'ReLU': 18, 'Pooling': 17}[kind]
        l.bottom.append('x'); l.top.append(name)
        return l
    for name, o, i, k, _, _, relu in specs:
        l = add_layer(name, 'Convolution')
        for blob_name, dims in ((name + '.weight', [o, i, k, k]), (name + '.bias', [1, 1, 1, o])):
            b = l.blobs.add()
            b.data.extend(ws[blob_name].ravel().tolist())
            if layout in ('old', 'v1'):
                b.num, b.channels, b.height, b.width = dims
            else:
                b.shape.dim.extend(dims if blob_name.endswith('weight') else [o])
        if relu:
            add_layer('relu_' + name, 'ReLU')
        if name == 'conv1_2':
            add_layer('pool1', 'Pooling')  # layers without blobs must be skipped by the reader
    with open(path, 'wb') as f:
        f.write(net.SerializeToString())


REDUCED = dict(conv1=4, conv2=8, conv3=8, conv4=16, conv5=16, fc6=24, fc7=24, msc=8)
LAYOUT = {'deeplab': 'old', 'deeplab-7x7': 'new', 'deeplab-4x4': 'v1', 'deeplab-largefov': 'v1',
          'deeplab-msc': 'new', 'deeplab-msc-largefov': 'v1-shape', 'deeplab-v2-vgg16': 'new'}
layers_cache = {}

if __name__ == '__main__':
    pb = compile_proto()
    wdir = os.path.join(FIXTURES, 'deeplab_v1')
    os.makedirs(wdir, exist_ok=True)
    out = {}
    img = (Mulberry32(99).fill(35 * 44 * 3) * 127.5 + 127.5).round().clip(0, 255).astype(np.uint8).reshape(35, 44, 3)
    out['image'] = img
    out['input'] = preprocess(img).float()
    nc = 5
    for seed, variant in enumerate(ARCH, start=1):
        specs = layers(variant, REDUCED, nc)
        layers_cache[variant] = specs
        ws = random_weights(specs, seed)
        meta = {'model': variant, 'widths': json.dumps(REDUCED), 'num_classes': nc, 'classes': 'a,b,c,d,e'}
        save_safetensors(os.path.join(wdir, variant + '.safetensors'), ws, meta)
        write_caffemodel(pb, os.path.join(wdir, variant + '.caffemodel'), variant, specs, ws, LAYOUT[variant])
        out[variant + '.scores'] = forward(variant, ws, preprocess(img)).float()
        if variant == 'deeplab-largefov':  # padded to a fixed 57x57 canvas instead of 41x49
            out[variant + '.canvas57.scores'] = forward(variant, ws, preprocess(img), canvas=57).float()
    # Full-width LargeFOV (20,505,429 parameters), weights regenerated from mulberry32 seed 1234.
    specs = layers('deeplab-largefov', {}, 21)
    assert sum(o * i * k * k + o for _, o, i, k, *_ in specs) == 20505429
    layers_cache['deeplab-largefov'] = specs
    big = (Mulberry32(7).fill(45 * 38 * 3) * 127.5 + 127.5).round().clip(0, 255).astype(np.uint8).reshape(45, 38, 3)
    out['full.image'] = big
    out['full.scores'] = forward('deeplab-largefov', random_weights(specs, 1234), preprocess(big)).float()
    save_safetensors(fixture('deeplab_v1'), out, {'generator': 'tests/golden/deeplab_v1.py', 'torch': torch.__version__})
    print('wrote', fixture('deeplab_v1'), 'and', wdir)

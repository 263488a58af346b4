"""Golden data for DeepLab v3: torchvision's own deeplabv3_resnet50 (models/segmentation), the
model the published `deeplabv3_resnet50_coco-cd0a2569.pth` belongs to, in float64 with random
weights. The weights are not stored: both sides draw them from mulberry32 in torchvision's
state-dict order by one rule (fill_rule below, `v3RandomState` in tests/deeplab/v3.test.ts), so the
fixture holds only the key list, the image and the scores.

Writes tests/fixtures/deeplab_v3.safetensors:
  image, scores (resnet50, num_classes 5, 29x37 input), the same at output stride 16 with
  multi-grid (1, 2, 4), the mean probabilities of scales 0.75/1/1.25 each also flipped, and in
  __metadata__ the state-dict keys and shapes of deeplabv3_resnet50 and deeplabv3_resnet101
  (aux_loss=True, as the released files).
Run: /usr/bin/python3 tests/golden/deeplab_v3.py
"""
import json
import math

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.models._utils import IntermediateLayerGetter

from common import Mulberry32, fixture, save_safetensors

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def fill_rule(keys_shapes, seed):
    """One mulberry32 stream over the state dict in order: conv weights He-uniform, conv biases in
    [-1, 1), BatchNorm gamma in [0.25, 0.75), beta in [-0.2, 0.2), running mean in [-0.2, 0.2),
    running var in [0.5, 1.5); num_batches_tracked draws nothing."""
    rng, names, out = Mulberry32(seed), {k for k, _ in keys_shapes}, {}
    for k, shape in keys_shapes:
        n = int(np.prod(shape))
        prefix, leaf = k.rsplit('.', 1)
        bn = prefix + '.running_mean' in names
        if leaf == 'num_batches_tracked':
            continue
        if leaf == 'running_mean' or (bn and leaf == 'bias'):
            v = rng.fill(n, 0.2)
        elif leaf == 'running_var':
            v = rng.fill(n, 0.5) + np.float32(1.0)
        elif bn:
            v = rng.fill(n, 0.25) + np.float32(0.5)
        elif leaf == 'weight':
            v = rng.fill(n, math.sqrt(6.0 / (n // shape[0])))
        else:
            v = rng.fill(n)
        out[k] = v.astype(np.float32).reshape(shape)
    return out


def key_shapes(model):
    return [(k, list(v.shape)) for k, v in model.state_dict().items()]


if __name__ == '__main__':
    torch.set_grad_enabled(False)
    seg = torchvision.models.segmentation
    m50 = seg.deeplabv3_resnet50(weights=None, weights_backbone=None, num_classes=5, aux_loss=True).eval()
    ks50 = key_shapes(m50)
    ws = fill_rule(ks50, 33)
    m50.load_state_dict({k: torch.from_numpy(v) for k, v in ws.items()}, strict=False)
    m50 = m50.double()
    img = (Mulberry32(5).fill(29 * 37 * 3) * 127.5 + 127.5).round().clip(0, 255).astype(np.uint8).reshape(29, 37, 3)
    # torchvision's transforms: to_tensor (RGB / 255, float32), then normalize (float32).
    x = torch.from_numpy(img).permute(2, 0, 1).float().div(255)
    x = ((x - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1))[None]
    out = {'image': img, 'input': x, 'scores': m50(x.double())['out'].float()}
    # Output stride 16 with the paper's multi-grid (1, 2, 4) and ASPP rates 6, 12, 18, built from
    # torchvision's parts: layer3 strided, layer4 dilated 2, its 3x3 convs re-dilated 2, 4, 8.
    r50 = torchvision.models.resnet50(weights=None, replace_stride_with_dilation=[False, False, True])
    for blk, g in zip(r50.layer4, (1, 2, 4)):
        blk.conv2.dilation, blk.conv2.padding = (2 * g, 2 * g), (2 * g, 2 * g)
    head = seg.deeplabv3.DeepLabHead(2048, 5)
    head[0] = seg.deeplabv3.ASPP(2048, [6, 12, 18])
    os16 = seg.deeplabv3.DeepLabV3(IntermediateLayerGetter(r50, {'layer4': 'out', 'layer3': 'aux'}), head, seg.fcn.FCNHead(1024, 5)).eval()
    os16.load_state_dict({k: torch.from_numpy(v) for k, v in ws.items()}, strict=False)
    out['scores.os16_grid124'] = os16.double()(x.double())['out'].float()
    # Multi-scale + flip: mean of the views' softmax at the input size (scales 0.75, 1, 1.25).
    H, W = x.shape[2:]
    views = []
    for s in (0.75, 1.0, 1.25):
        size = (int(math.floor(s * H + 0.5)), int(math.floor(s * W + 0.5)))
        xs = F.interpolate(x.double(), size=size, mode='bilinear', align_corners=False)
        for flip in (False, True):
            y = m50(xs.flip(3) if flip else xs)['out']
            y = y.flip(3) if flip else y
            views.append(torch.softmax(F.interpolate(y, size=(H, W), mode='bilinear', align_corners=False), 1))
    out['probs.msflip'] = torch.stack(views).mean(0).float()
    m101 = seg.deeplabv3_resnet101(weights=None, weights_backbone=None, num_classes=21, aux_loss=True)
    meta = {'generator': 'tests/golden/deeplab_v3.py', 'torch': torch.__version__, 'torchvision': torchvision.__version__,
            'keys_resnet50_c5': json.dumps(ks50), 'keys_resnet101_c21': json.dumps(key_shapes(m101))}
    save_safetensors(fixture('deeplab_v3'), out, meta)
    print('wrote', fixture('deeplab_v3'), len(ks50), 'keys')

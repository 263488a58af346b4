"""Golden data for conv2d, computed by PyTorch (torch.nn.functional.conv2d in float64).

Inputs, weights and biases come from the Mulberry32 PRNG shared with tests/helpers/prng.ts (seeded
per case), so only each case's parameters and output are committed.
Run: /usr/bin/python3 tests/golden/conv2d.py"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from common import fixture, save_safetensors, Mulberry32

# name: (N, C, H, W, O, KH, KW, stride, pad, dilation, bias, relu)
CASES = {
    'tiny1x1': (1, 3, 1, 1, 5, 3, 3, 1, 1, 1, 1, 0),        # 1x1 map, the window sees mostly padding
    'odd7x5': (1, 5, 7, 5, 21, 3, 3, 1, 1, 1, 1, 1),        # 7x5 map, 21 classes
    'map65': (1, 3, 65, 65, 4, 3, 3, 1, 1, 1, 0, 1),
    'big321': (1, 3, 321, 321, 1, 3, 3, 1, 1, 1, 1, 0),     # full-size image, cheap channels
    'dil12': (1, 8, 41, 41, 12, 3, 3, 1, 12, 12, 1, 1),     # LargeFOV fc6 geometry
    'dil24big': (1, 5, 16, 16, 6, 3, 3, 1, 24, 24, 1, 0),   # dilated window (49) larger than the map
    'stride2odd': (1, 5, 33, 33, 7, 3, 3, 2, 1, 1, 1, 1),
    'fc7like': (1, 1024, 3, 3, 1024, 1, 1, 1, 0, 1, 1, 1),  # 1024 -> 1024 1x1
    'resnetconv1': (1, 3, 37, 37, 8, 7, 7, 2, 3, 1, 0, 0),  # 7x7 stride 2 pad 3, no bias
    'k4dil4': (1, 5, 29, 29, 9, 4, 4, 1, 6, 4, 1, 1),       # DeepLab fc6 4x4 dilation 4 pad 6
    'batch2': (2, 6, 19, 23, 10, 3, 3, 1, 2, 2, 1, 0),
    'k1s2': (2, 16, 15, 15, 12, 1, 1, 2, 0, 1, 0, 1),       # ResNet downsample 1x1 stride 2
    'k3s2nopad': (1, 4, 12, 10, 3, 3, 3, 2, 0, 1, 1, 0),    # stride 2, even map, no padding
    'k1batch': (2, 20, 8, 6, 21, 1, 1, 1, 0, 1, 1, 1),      # 1x1 GEMM path: O not a multiple of 8, 2 images
    'k1exact': (1, 12, 4, 8, 16, 1, 1, 1, 0, 1, 1, 0),      # 1x1 GEMM path writing y directly
    'k1phase': (2, 5, 7, 5, 13, 1, 1, 1, 0, 1, 1, 1),       # 1x1 rows at every vec4 phase (C·HW odd), 2 images
    'k1passes': (1, 7, 5, 5, 40, 1, 1, 1, 0, 1, 1, 0),      # unaligned 1x1, 5 row blocks: two passes of 3, one past the end
    'rows48': (1, 6, 9, 9, 48, 3, 3, 1, 1, 1, 1, 1),        # 6 row blocks of 8: GEMMs holding 3 per lane
    'tiles2d': (2, 7, 13, 11, 150, 3, 3, 1, 1, 1, 1, 1),    # GPU tiles: 3 of 128 positions, 2 of 128 channels, both partial; K = 63
}


def case_tensors(seed, n, c, h, w, o, kh, kw, bias):
    """Same draw order as tests/kernels/conv2d.test.ts: weight, bias, input."""
    rng = Mulberry32(seed)
    wt = rng.fill(o * c * kh * kw, 1.0 / math.sqrt(c * kh * kw)).reshape(o, c, kh, kw)
    b = rng.fill(o, 0.5) if bias else None
    x = rng.fill(n * c * h * w).reshape(n, c, h, w)
    return x, wt, b


out = {}
for i, (name, p) in enumerate(CASES.items()):
    n, c, h, w, o, kh, kw, s, pad, d, bias, relu = p
    seed = 1000 + i
    x, wt, b = case_tensors(seed, n, c, h, w, o, kh, kw, bias)
    y = F.conv2d(torch.from_numpy(x).double(), torch.from_numpy(wt).double(),
                 torch.from_numpy(b).double() if b is not None else None, stride=s, padding=pad, dilation=d)
    if relu:
        y = torch.relu(y)
    out[f'{name}.params'] = np.array(list(p) + [seed], dtype=np.int32)
    out[f'{name}.y'] = y.float()
save_safetensors(fixture('conv2d'), out, {'generator': 'tests/golden/conv2d.py', 'torch': torch.__version__})
print('wrote', fixture('conv2d'))

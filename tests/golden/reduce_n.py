"""Golden data for the elementwise sum and max of N tensors (N = 1..6 and 17), computed by PyTorch
as the left fold x0 + x1 + … (Caffe's Eltwise order). Inputs come from the PRNG shared with the
tests (seed 40 + k for input k). Run: /usr/bin/python3 tests/golden/reduce_n.py"""
import functools

import torch

from common import fixture, save_safetensors, Mulberry32

SHAPE = (2, 3, 7, 5)
xs = [torch.from_numpy(Mulberry32(40 + k).fill(2 * 3 * 7 * 5, 4.0)).reshape(SHAPE) for k in range(17)]
out = {}
for n in (1, 2, 3, 4, 5, 6, 17):
    out[f'sum{n}'] = functools.reduce(lambda a, b: a + b, xs[:n])
    out[f'max{n}'] = functools.reduce(torch.maximum, xs[:n])
save_safetensors(fixture('reduce_n'), out, {'generator': 'tests/golden/reduce_n.py', 'torch': torch.__version__})
print('wrote', fixture('reduce_n'))

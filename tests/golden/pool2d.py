"""Golden data for max / average / global-average pooling (Caffe semantics), computed by PyTorch.
Caffe's MAX and AVE pooling equal PyTorch's max_pool2d / avg_pool2d(count_include_pad=True) with
ceil_mode=True. Run: /usr/bin/python3 tests/golden/pool2d.py"""
import torch
import torch.nn.functional as F

from common import fixture, save_safetensors, Mulberry32

torch.manual_seed(0)
out = {}
x = torch.randn(2, 3, 7, 5)   # batch 2, channels not a multiple of 4, odd sizes
out['x'] = x
for k in (2, 3):
    for s in (1, 2):
        for p in (0, 1):
            for ceil in (True, False):
                key = f'k{k}s{s}p{p}{"c" if ceil else "f"}'
                out[f'max.{key}'] = F.max_pool2d(x, k, s, p, ceil_mode=ceil)
                out[f'avg.{key}'] = F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=True)
one = torch.randn(1, 3, 1, 1)
out['one'] = one
out['one.max'] = F.max_pool2d(one, 3, 1, 1, ceil_mode=True)
out['one.avg'] = F.avg_pool2d(one, 3, 1, 1, ceil_mode=True)
# DeepLab-LargeFOV's pool1 (k3 s2 p1) on 321×321 and pool5a (avg k3 s1 p1) on 65×65; inputs from
# the PRNG shared with the tests, so only the outputs are committed.
big = torch.from_numpy(Mulberry32(11).fill(321 * 321)).reshape(1, 1, 321, 321)
out['big.max'] = F.max_pool2d(big, 3, 2, 1, ceil_mode=True)
mid = torch.from_numpy(Mulberry32(12).fill(2 * 65 * 65)).reshape(1, 2, 65, 65)
out['mid.avg'] = F.avg_pool2d(mid, 3, 1, 1, ceil_mode=True)
out['mid.max'] = F.max_pool2d(mid, 3, 2, 1, ceil_mode=True)
out['x.gap'] = x.mean((2, 3), keepdim=True)
out['mid.gap'] = mid.mean((2, 3), keepdim=True)
save_safetensors(fixture('pool2d'), out, {'generator': 'tests/golden/pool2d.py', 'torch': torch.__version__})
print('wrote', fixture('pool2d'))

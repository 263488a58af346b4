"""Golden data for channel concatenation (torch.cat along dim 1) of 3, 1 and 5 channels, batch 2.
Inputs come from the PRNG shared with the tests. Run: /usr/bin/python3 tests/golden/concat.py"""
import torch

from common import fixture, save_safetensors, Mulberry32

xs = [torch.from_numpy(Mulberry32(50 + k).fill(2 * c * 7 * 5)).reshape(2, c, 7, 5) for k, c in enumerate((3, 1, 5))]
out = {'cat': torch.cat(xs, 1), 'cat.single': torch.cat(xs[:1], 1)}
save_safetensors(fixture('concat'), out, {'generator': 'tests/golden/concat.py', 'torch': torch.__version__})
print('wrote', fixture('concat'))

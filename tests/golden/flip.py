"""Golden data for the horizontal flip (torch.flip over W) of NCHW tensors, W odd, even and 1.
Inputs come from the PRNG shared with the tests. Run: /usr/bin/python3 tests/golden/flip.py"""
import torch

from common import fixture, save_safetensors, Mulberry32

out = {}
for k, shape in enumerate(((2, 3, 7, 5), (1, 2, 4, 6), (1, 1, 3, 1))):
    x = torch.from_numpy(Mulberry32(60 + k).fill(int(torch.tensor(shape).prod()))).reshape(shape)
    out[f'flip{k}'] = torch.flip(x, [3])
save_safetensors(fixture('flip'), out, {'generator': 'tests/golden/flip.py', 'torch': torch.__version__})
print('wrote', fixture('flip'))

"""Golden data for softmax and argmax over the channels of NCHW, computed by PyTorch.
Large inputs come from the PRNG shared with the tests. Run: /usr/bin/python3 tests/golden/softmax.py"""
import numpy as np
import torch

from common import fixture, save_safetensors, Mulberry32

torch.manual_seed(0)
out = {}
for name, shape, scale in (('x', (2, 21, 7, 5), 3.0), ('c3', (1, 3, 1, 1), 1.0), ('c1', (2, 1, 3, 2), 1.0)):
    x = torch.randn(*shape) * scale
    out[name] = x
    out[f'{name}.softmax'] = torch.softmax(x, 1)
    out[f'{name}.argmax'] = torch.argmax(x, 1).int()
# Logits in the hundreds: exp would overflow without subtracting the max.
big = torch.from_numpy(Mulberry32(31).fill(5 * 65 * 65, 300.0)).reshape(1, 5, 65, 65)
out['big.softmax'] = torch.softmax(big, 1)
out['big.argmax'] = torch.argmax(big, 1).int()
# Many ties: values floor(3·u) ∈ {-3, …, 2}; PyTorch returns the first maximal index.
ties = torch.from_numpy(np.floor(Mulberry32(32).fill(2 * 21 * 9 * 11).astype(np.float64) * 3).astype(np.float32)).reshape(2, 21, 9, 11)
out['ties.argmax'] = torch.argmax(ties, 1).int()
save_safetensors(fixture('softmax'), out, {'generator': 'tests/golden/softmax.py', 'torch': torch.__version__})
print('wrote', fixture('softmax'))

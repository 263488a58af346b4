"""PyTorch .pth files for the reader (src/nn/pth.ts), written by torch.save itself in both formats.

Writes
  tests/fixtures/pth/state_zip.pth      a state dict, zip format (PyTorch >= 1.6 default)
  tests/fixtures/pth/state_legacy.pth   the same, legacy format (_use_new_zipfile_serialization=False)
  tests/fixtures/pth/checkpoint.pth     {'epoch': 3, 'state_dict': ...}, zip format
  tests/fixtures/pth/checkpoint_model.pth  {'model': ...} (a one-item dict: pickle's SETITEM)
  tests/fixtures/pth/module.pth         a whole nn.Module (not a state dict: must be refused)
  tests/fixtures/pth/big_int.pth        an int64 past int32 (must be refused, not wrapped)
  tests/fixtures/pth.safetensors        the expected tensors, contiguous float32 / int32
The state dict holds what real files hold: parameters, float16, bfloat16 and float64 tensors, an int64
scalar (num_batches_tracked), a transposed view, a slice at a storage offset, two tensors sharing
one storage, an empty tensor.
The legacy format names storages by their memory address, so state_legacy.pth differs byte-wise
from run to run (its tensors do not). Run: /usr/bin/python3 tests/golden/pth.py
"""
import collections
import os

import numpy as np
import torch

from common import FIXTURES, fixture, save_safetensors

torch.manual_seed(3)
base = torch.randn(6, 10)
sd = collections.OrderedDict()
sd['conv.weight'] = torch.nn.Parameter(torch.randn(4, 3, 3, 3))
sd['conv.bias'] = torch.randn(4)
sd['half'] = torch.randn(2, 5).half()
sd['brain'] = torch.randn(3, 2).bfloat16()
sd['double'] = torch.randn(3).double()
sd['bn.num_batches_tracked'] = torch.tensor(12345, dtype=torch.int64)
sd['transposed'] = base.t()          # strides (1, 10)
sd['slice'] = base[2:4, 3:8]         # offset 23, strides (10, 1)
sd['shared_a'] = base[0]
sd['empty'] = torch.zeros(0, 4)
d = os.path.join(FIXTURES, 'pth')
os.makedirs(d, exist_ok=True)
torch.save(sd, os.path.join(d, 'state_zip.pth'))
torch.save(sd, os.path.join(d, 'state_legacy.pth'), _use_new_zipfile_serialization=False)
torch.save({'epoch': 3, 'state_dict': sd}, os.path.join(d, 'checkpoint.pth'))
torch.save({'model': sd}, os.path.join(d, 'checkpoint_model.pth'))
torch.save(torch.nn.Linear(2, 2), os.path.join(d, 'module.pth'))
torch.save({'w': torch.ones(2), 'steps': torch.tensor([7, 2**40])}, os.path.join(d, 'big_int.pth'))
expected = {}
for k, v in sd.items():
    v = v.detach().contiguous()
    expected[k] = v.numpy().astype(np.int32) if v.dtype == torch.int64 else v.float().numpy()
save_safetensors(fixture('pth'), expected, {'generator': 'tests/golden/pth.py', 'torch': torch.__version__})
print('wrote', d, fixture('pth'))

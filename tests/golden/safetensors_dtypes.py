"""Safetensors files in every element type the reader (src/nn/safetensors.ts) widens or narrows
to float32 or int32, with the values PyTorch makes of them.

Writes tests/fixtures/safetensors_dtypes.safetensors: for each case NAME, the tensor NAME stored
in its own dtype (F16, BF16, F64, I64) and NAME.expected, what torch's .float() (or .int() for
I64) makes of it, as F32 / I32. The float cases hold the awkward values: signed zeros, the
largest and smallest normals, subnormals, infinities, NaN, values that round when narrowed.
The raw bytes are torch's own (a bfloat16 tensor viewed as int16), not converted here.
Run: /usr/bin/python3 tests/golden/safetensors_dtypes.py
"""
import json
import struct

import numpy as np
import torch

from common import fixture

torch.manual_seed(11)
specials = [0.0, -0.0, 1.0, -2.5, 0.1, 3.14159265, float('inf'), float('-inf'), float('nan')]
cases = {
    # 65504 is float16's largest, 6.1035e-5 its smallest normal, 5.96e-8 its smallest subnormal.
    'f16': torch.tensor(specials + [65504.0, -65504.0, 6.1035156e-5, 5.9604645e-8, 3.0e-6, -1.0e-7]
                        + torch.randn(17).tolist()).half().reshape(2, 16),
    # bfloat16 keeps float32's exponent: 3.39e38 near its largest, 1.18e-38 its smallest normal,
    # 9.2e-41 a subnormal.
    'bf16': torch.tensor(specials + [3.3895e38, 1.1755e-38, 9.2e-41, -1.0e-40]
                         + torch.randn(19).tolist()).bfloat16().reshape(4, 8),
    # Narrowed to float32: 1e300 overflows to inf, 1e-50 underflows to 0, 1e-40 to a subnormal.
    'f64': torch.tensor(specials + [1e300, -1e300, 1e-50, 1e-40, 1.0000000001]
                        + torch.randn(2).tolist(), dtype=torch.float64),
    'i64': torch.tensor([0, 1, -1, 2**31 - 1, -2**31, 12345], dtype=torch.int64).reshape(2, 3),
}
DTYPE = {torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64', torch.int64: 'I64',
         torch.float32: 'F32', torch.int32: 'I32'}


def raw(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype('<i2').tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder('<')).tobytes()


tensors = {}
for name, t in cases.items():
    tensors[name] = t
    tensors[name + '.expected'] = t.int() if t.dtype == torch.int64 else t.float()

header, blobs, offset = {}, [], 0
for name, t in tensors.items():
    b = raw(t)
    header[name] = {'dtype': DTYPE[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
    blobs.append(b)
    offset += len(b)
header['__metadata__'] = {'generator': 'tests/golden/safetensors_dtypes.py', 'torch': torch.__version__}
h = json.dumps(header, separators=(',', ':')).encode()
h += b' ' * ((8 - (8 + len(h)) % 8) % 8)
path = fixture('safetensors_dtypes')
with open(path, 'wb') as f:
    f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
assert np.isnan(tensors['bf16.expected'][1, 0].item()), 'the NaN case sits where the test expects it'
print('wrote', path)

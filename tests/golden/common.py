"""Shared helpers for the golden-data generators (run with Debian's /usr/bin/python3 + python3-torch).

Each generator writes tests/fixtures/<name>.safetensors, read back by tests/helpers/assert.ts.
"""
import json
import os
import struct

import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures')

_DTYPES = {np.dtype('float32'): 'F32', np.dtype('int32'): 'I32', np.dtype('uint8'): 'U8', np.dtype('int64'): 'I64'}


def save_safetensors(path, tensors, metadata=None):
    """Writes a dict name -> numpy array (or torch tensor) in the safetensors layout."""
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        if hasattr(arr, 'detach'):
            arr = arr.detach().cpu().numpy()
        arr = np.ascontiguousarray(arr)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        raw = arr.astype(arr.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': _DTYPES[arr.dtype], 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - (8 + len(h)) % 8) % 8)  # align the data to 8 bytes
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def fixture(name):
    os.makedirs(FIXTURES, exist_ok=True)
    return os.path.join(FIXTURES, name + '.safetensors')


def _imul(a, b):
    return (a * b) & 0xFFFFFFFF


class Mulberry32:
    """Bit-identical to tests/helpers/prng.ts (mulberry32; values k/2^23 - 1 in [-1, 1))."""

    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFF

    def next_u32(self):
        self.s = (self.s + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.s
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return (t ^ (t >> 14)) & 0xFFFFFFFF

    def next_signed(self):
        return (self.next_u32() >> 8) / 2.0 ** 23 - 1.0

    def fill(self, n, scale=1.0):
        # The state only ever advances by a constant, so n draws vectorise: s_k = s_0 + k*C (mod 2^32).
        s = (self.s + np.arange(1, n + 1, dtype=np.uint64) * 0x6D2B79F5) & 0xFFFFFFFF
        self.s = int((self.s + n * 0x6D2B79F5) & 0xFFFFFFFF)
        m = np.uint64(0xFFFFFFFF)
        t = s
        t = ((t ^ (t >> np.uint64(15))) * (t | np.uint64(1))) & m
        t = t ^ ((t + (((t ^ (t >> np.uint64(7))) * (t | np.uint64(61))) & m)) & m)
        u = (t ^ (t >> np.uint64(14))) & m
        return (((u >> np.uint64(8)).astype(np.float64) / 2.0 ** 23 - 1.0) * scale).astype(np.float32)

"""Tiny .npy fixtures for tests/io/npy.test.ts, written by numpy.save itself.
Run: /usr/bin/python3 tests/golden/npy.py"""
import os

import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'npy')
os.makedirs(OUT, exist_ok=True)
a = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 7.5) / 4  # exact in float32
np.save(os.path.join(OUT, 'f32_2x3x4.npy'), a)
np.save(os.path.join(OUT, 'f32_scalar.npy'), np.float32(2.5))
np.save(os.path.join(OUT, 'f32_vec5.npy'), np.arange(5, dtype=np.float32))
np.save(os.path.join(OUT, 'f64_2x2.npy'), np.ones((2, 2)))
np.save(os.path.join(OUT, 'f32be_3.npy'), np.arange(3, dtype='>f4'))
np.save(os.path.join(OUT, 'f32_fortran_2x3.npy'), np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
with open(os.path.join(OUT, 'f32_2x3x4_v2.npy'), 'wb') as f:
    npformat.write_array(f, a, version=(2, 0))

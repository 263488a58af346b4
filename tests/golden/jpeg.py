"""Golden data for JPEG decoding: small JPEGs written by PIL, and PIL's own decode of each (libjpeg-turbo
with its defaults: ISLOW inverse DCT, "fancy" chroma upsampling, fixed-point YCbCr->RGB), which is
what PyTorch users and Caffe's DeepLab (OpenCV, also libjpeg) feed their networks.
Run: /usr/bin/python3 tests/golden/jpeg.py"""
import io

import numpy as np
import PIL
from PIL import Image

from common import fixture, save_safetensors


def scene(w, h, seed):
    """Colour edges (where chroma upsampling shows), gradients and a little noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.float64)
    img[..., 0] = 255 * x / max(w - 1, 1)
    img[..., 1] = 255 * y / max(h - 1, 1)
    img[..., 2] = 128
    disc = (x - w * 0.4) ** 2 + (y - h * 0.5) ** 2 < (min(w, h) * 0.3) ** 2
    img[disc] = [220, 30, 40]
    img[(x > w * 0.7) & (y < h * 0.4)] = [20, 60, 230]
    img += rng.normal(0, 6, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def encode(im, **kw):
    b = io.BytesIO()
    im.save(b, 'JPEG', **kw)
    return b.getvalue()


def with_adobe(jpeg, transform):
    """The file with its JFIF APP0 marker replaced by an Adobe APP14 one carrying `transform`."""
    assert jpeg[2:4] == b'\xff\xe0'
    app0_len = int.from_bytes(jpeg[4:6], 'big')
    app14 = b'\xff\xee\x00\x0eAdobe\x00\x64\x00\x00\x00\x00' + bytes([transform])
    return jpeg[:2] + app14 + jpeg[4 + app0_len:]


def decode(jpeg):
    return np.asarray(Image.open(io.BytesIO(jpeg)).convert('RGB'))


cases = {
    's420_odd': encode(scene(37, 29, 1), quality=90),               # 4:2:0 (PIL's default), odd sizes
    's420_even': encode(scene(32, 24, 2), quality=75),
    's422': encode(scene(37, 29, 3), quality=90, subsampling=1),
    's444': encode(scene(37, 29, 4), quality=90, subsampling=0),
    'progressive': encode(scene(41, 27, 5), quality=85, progressive=True),
    'grey': encode(scene(37, 29, 6).convert('L'), quality=90),
    'narrow': encode(scene(3, 5, 7), quality=90),                   # chroma 2 samples wide: repeated
    'restart': encode(scene(37, 29, 8), quality=90, restart_marker_blocks=1),
}
cases['adobe_ycc'] = with_adobe(cases['s420_odd'], 1)
cases['adobe_rgb'] = with_adobe(cases['s422'], 0)               # transform 0: the planes are R, G, B

out = {}
for name, jpeg in cases.items():
    out[f'{name}.jpeg'] = np.frombuffer(jpeg, np.uint8)
    out[f'{name}.rgb'] = decode(jpeg)
save_safetensors(fixture('jpeg'), out, {'generator': 'tests/golden/jpeg.py', 'pillow': PIL.__version__})
print('wrote', fixture('jpeg'))

"""Procedural scenes for the bundled demo model: shapes on textured backgrounds, with per-pixel labels.

Classes (index = label value): 0 background, 1 disc, 2 square, 3 triangle, 4 ring, 5 cross.
Each 97 x 97 area has 1-4 objects of random colour, size, position and rotation (later objects occlude
earlier ones) on a background of a colour gradient plus stripes or a checkerboard, with Gaussian
noise. Everything derives from the numpy Generator passed in, so a seed fixes a whole data set.

Also a minimal PNG writer (RGB and palette, via zlib), so the samples need no PIL.
"""
import struct
import zlib

import numpy as np

CLASSES = ['background', 'disc', 'square', 'triangle', 'ring', 'cross']


def _background(rng, s):
    y, x = np.mgrid[0:s, 0:s].astype(np.float32)
    c0, c1 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    a = rng.uniform(0, 2 * np.pi)
    t = (np.cos(a) * x + np.sin(a) * y) / (1.5 * s) + 0.5  # a gradient in direction a
    img = c0 + (c1 - c0) * t[..., None]
    b = rng.uniform(0, 2 * np.pi)
    f = 1 / rng.uniform(5, 25)  # texture period in pixels
    u = np.cos(b) * x + np.sin(b) * y
    v = -np.sin(b) * x + np.cos(b) * y
    if rng.random() < 0.5:
        tex = np.sin(2 * np.pi * f * u)
    else:
        tex = np.sign(np.sin(2 * np.pi * f * u) * np.sin(2 * np.pi * f * v))
    img += rng.uniform(5, 40) * tex[..., None] * rng.uniform(-1, 1, 3)
    return img


def _mask(cls, x, y, r, rot):
    """Boolean mask of one shape centred at the origin of (x, y), size r, rotation rot."""
    u = np.cos(rot) * x + np.sin(rot) * y
    v = -np.sin(rot) * x + np.cos(rot) * y
    d = np.hypot(x, y)
    if cls == 1:
        return d < r
    if cls == 2:
        return np.maximum(np.abs(u), np.abs(v)) < r * 0.8
    if cls == 3:  # equilateral: inside the three half-planes at distance r/2 from the centre
        m = np.ones_like(d, dtype=bool)
        for k in range(3):
            a = rot + k * 2 * np.pi / 3
            m &= np.cos(a) * x + np.sin(a) * y < r * 0.5
        return m
    if cls == 4:
        return (d < r) & (d > r * 0.55)
    if cls == 5:
        w = r * 0.32
        return ((np.abs(u) < w) & (np.abs(v) < r)) | ((np.abs(v) < w) & (np.abs(u) < r))
    raise ValueError(cls)


def scene(rng, s):
    """One s x s scene: (uint8 RGB image HxWx3, uint8 labels HxW)."""
    img = _background(rng, s)
    labels = np.zeros((s, s), np.uint8)
    y, x = np.mgrid[0:s, 0:s].astype(np.float32)
    # Sizes are in pixels and the count grows with the area, so any s gives the same statistics.
    for _ in range(rng.integers(1, 1 + max(1, round(4 * (s / 97) ** 2)))):
        cls = int(rng.integers(1, len(CLASSES)))
        r = rng.uniform(9, 27)
        cx, cy = rng.uniform(0.1 * s, 0.9 * s, 2)
        m = _mask(cls, x - cx, y - cy, r, rng.uniform(0, 2 * np.pi))
        # A colour that stands apart from the background under it, plus a soft shading.
        bg = img[m].mean(0) if m.any() else np.full(3, 128.0)
        col = rng.uniform(0, 255, 3)
        while np.linalg.norm(col - bg) < 90:
            col = rng.uniform(0, 255, 3)
        shade = 1 + 0.15 * ((x - cx) / r)[..., None]
        img = np.where(m[..., None], col * shade, img)
        labels[m] = cls
    img += rng.normal(0, rng.uniform(2, 12), img.shape)
    return np.clip(img, 0, 255).astype(np.uint8), labels


def batch(rng, n, s):
    ims, lbs = zip(*(scene(rng, s) for _ in range(n)))
    return np.stack(ims), np.stack(lbs)


def voc_palette():
    """The PASCAL VOC colour map (bit-interleaving of the label index), 256 x RGB."""
    pal = np.zeros((256, 3), np.uint8)
    for i in range(256):
        c, r, g, b = i, 0, 0, 0
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        pal[i] = (r, g, b)
    return pal


def _chunk(tag, data):
    return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data) & 0xFFFFFFFF)


def write_png(path, arr, palette=None):
    """RGB (HxWx3 uint8) or, with palette, colour type 3 indices (HxW uint8)."""
    h, w = arr.shape[:2]
    ctype = 3 if palette is not None else 2
    raw = b''.join(b'\x00' + arr[i].tobytes() for i in range(h))
    png = b'\x89PNG\r\n\x1a\n' + _chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, ctype, 0, 0, 0))
    if palette is not None:
        png += _chunk(b'PLTE', palette.tobytes())
    png += _chunk(b'IDAT', zlib.compress(raw, 9)) + _chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(png)

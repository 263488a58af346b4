"""Golden data for bilinear resizing, computed by PyTorch's F.interpolate(mode='bilinear').
align_corners=True is Caffe's Interp layer (and TF's align_corners=True); the Caffe cases use its
output sizes (zoom 8: 41 → 321; shrink 2: 513 → 257; shrink 4 then zoom 3: 513 → 385), resizing the
other axis by the same factor on a narrow input to keep the fixture small. Large inputs come from the
PRNG shared with the tests. Run: /usr/bin/python3 tests/golden/resize.py"""
import torch
import torch.nn.functional as F

from common import fixture, save_safetensors, Mulberry32

torch.manual_seed(0)
out = {}


def resize(x, h, w, align):
    return F.interpolate(x, size=(h, w), mode='bilinear', align_corners=align)


x = torch.randn(2, 3, 7, 5)
out['x'] = x
for h, w in ((13, 9), (12, 11), (3, 2), (4, 3), (1, 1), (7, 5), (7, 12)):
    out[f'x.align.{h}x{w}'] = resize(x, h, w, True)
    out[f'x.half.{h}x{w}'] = resize(x, h, w, False)
one = torch.randn(1, 2, 1, 1)
out['one'] = one
out['one.align.5x4'] = resize(one, 5, 4, True)
out['one.half.5x4'] = resize(one, 5, 4, False)
cases = {  # name: (seed, input shape, output size)
    'zoom8': (21, (1, 2, 41, 5), (321, 33)),
    'shrink2': (22, (1, 1, 513, 9), (257, 5)),
    'scale075': (23, (1, 1, 513, 13), (385, 10)),
    'sq65': (24, (1, 1, 65, 65), (97, 33)),
}
for name, (seed, shape, (h, w)) in cases.items():
    t = torch.from_numpy(Mulberry32(seed).fill(int(torch.tensor(shape).prod()))).reshape(shape)
    out[f'{name}.align'] = resize(t, h, w, True)
    if name == 'sq65':
        out[f'{name}.half'] = resize(t, h, w, False)
save_safetensors(fixture('resize'), out, {'generator': 'tests/golden/resize.py', 'torch': torch.__version__})
print('wrote', fixture('resize'))

"""Golden data for cropPad2d, computed by PyTorch's F.pad (negative padding crops): the window
height × width at input (top, left), `value` outside. Inputs come from the PRNG shared with the tests.
Run: /usr/bin/python3 tests/golden/crop_pad.py"""
import torch
import torch.nn.functional as F

from common import fixture, save_safetensors, Mulberry32

CASES = {  # name: (input shape, top, left, height, width, value)
    'pad': ((2, 3, 7, 5), 0, 0, 11, 9, 0.0),       # Caffe pad-to-crop-size
    'padboth': ((2, 3, 7, 5), -2, -3, 12, 10, 255.0),
    'crop': ((2, 3, 7, 5), 1, 2, 4, 2, 0.0),
    'x8crop': ((1, 2, 65, 65), 7, 7, 41, 41, 0.0),  # DeepLab basic ×8 crop, pad_beg −7
    'mixed': ((1, 2, 7, 5), -1, 3, 9, 4, -1.5),
    'outside': ((1, 1, 3, 3), 5, -9, 2, 2, 7.0),   # window misses the input entirely
    'one': ((1, 3, 1, 1), -1, -1, 3, 3, 0.0),
}
out = {}
for k, (name, (shape, top, left, h, w, value)) in enumerate(CASES.items()):
    x = torch.from_numpy(Mulberry32(70 + k).fill(int(torch.tensor(shape).prod()))).reshape(shape)
    H, W = shape[2], shape[3]
    if -top >= h or top >= H or -left >= w or left >= W:   # F.pad can't crop away everything
        y = torch.full((shape[0], shape[1], h, w), value)
    else:
        y = F.pad(x, (-left, w - W + left, -top, h - H + top), value=value)
    out[name] = y
save_safetensors(fixture('crop_pad'), out, {'generator': 'tests/golden/crop_pad.py', 'torch': torch.__version__})
print('wrote', fixture('crop_pad'))

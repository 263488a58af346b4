"""Golden data for batch-norm folding: PyTorch's conv2d followed by BatchNorm2d in eval mode with
non-trivial running statistics. Run: /usr/bin/python3 tests/golden/batchnorm.py"""
import torch
import torch.nn as nn

from common import fixture, save_safetensors

torch.manual_seed(3)
out = {}
# name: (N, C, H, W, O, k, stride, pad, dilation, bias, eps)
CASES = {
    'withbias': (1, 5, 13, 11, 7, 3, 1, 2, 2, True, 1e-5),
    'resnet': (2, 3, 17, 17, 6, 7, 2, 3, 1, False, 1e-5),   # conv1 → bn1 (torchvision: no conv bias)
}
for name, (n, c, h, w, o, k, s, p, d, bias, eps) in CASES.items():
    conv = nn.Conv2d(c, o, k, stride=s, padding=p, dilation=d, bias=bias)
    bn = nn.BatchNorm2d(o, eps=eps)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(o) * 1.5 + 0.25)
        bn.bias.copy_(torch.randn(o) * 0.5)
        bn.running_mean.copy_(torch.randn(o) * 0.3)
        bn.running_var.copy_(torch.rand(o) * 2 + 0.05)
    bn.eval()
    x = torch.randn(n, c, h, w)
    with torch.no_grad():
        y = bn(conv(x))
    out[f'{name}.params'] = torch.tensor([n, c, h, w, o, k, s, p, d], dtype=torch.int32)
    out[f'{name}.eps'] = torch.tensor([eps])
    out[f'{name}.x'] = x
    out[f'{name}.weight'] = conv.weight
    if bias:
        out[f'{name}.bias'] = conv.bias
    out[f'{name}.gamma'] = bn.weight
    out[f'{name}.beta'] = bn.bias
    out[f'{name}.mean'] = bn.running_mean
    out[f'{name}.var'] = bn.running_var
    out[f'{name}.y'] = y
save_safetensors(fixture('batchnorm'), out, {'generator': 'tests/golden/batchnorm.py', 'torch': torch.__version__})
print('wrote', fixture('batchnorm'))

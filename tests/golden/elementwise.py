"""Golden data for the elementwise kernels (relu, affine, exp, log, add, add + relu, sub, mul, div, max, min with
NCHW broadcasting), computed by PyTorch. Run: /usr/bin/python3 tests/golden/elementwise.py"""
import torch

from common import fixture, save_safetensors, Mulberry32

torch.manual_seed(0)
out = {}
x = torch.randn(2, 3, 7, 5)
out['x'] = x
out['relu'] = torch.relu(x)
out['affine'] = x * 1.5 - 0.25
out['exp'] = torch.exp(x)
out['log'] = torch.log(x.abs() + 0.01)  # of abs(x) + 0.01, which the test forms with the abs and affine ops
cases = {
    'same': ((2, 3, 7, 5), (2, 3, 7, 5)),
    'bias': ((2, 3, 7, 5), (1, 3, 1, 1)),      # per-channel
    'row': ((2, 3, 7, 5), (5,)),               # trailing dim, lower rank
    'both': ((2, 1, 7, 1), (1, 3, 1, 5)),      # both sides broadcast
    'scalar': ((3, 1), (1,)),
    'same4': ((2, 3, 4, 5), (2, 3, 4, 5)),    # equal shapes, size a multiple of 4 (the vec4 path)
}
for name, (sa, sb) in cases.items():
    a, b = torch.randn(*sa), torch.randn(*sb)
    out[f'{name}.a'], out[f'{name}.b'] = a, b
    out[f'{name}.add'] = a + b
    out[f'{name}.add_relu'] = torch.relu(a + b)  # the fused residual add + ReLU
    out[f'{name}.sub'] = a - b
    out[f'{name}.mul'] = a * b
    out[f'{name}.div'] = a / (b.abs() + 0.5)
    out[f'{name}.divisor'] = b.abs() + 0.5
    out[f'{name}.max'] = torch.maximum(a, b)
    out[f'{name}.min'] = torch.minimum(a, b)
# The PRNG shared with the TS tests: its first values pin the two implementations together.
out['prng.seed7'] = torch.from_numpy(Mulberry32(7).fill(16))
save_safetensors(fixture('elementwise'), out, {'generator': 'tests/golden/elementwise.py', 'torch': torch.__version__})
print('wrote', fixture('elementwise'))

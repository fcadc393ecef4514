#!/usr/bin/python3
"""Writes test/fixtures/channels-first-torch.json: PyTorch (channels-first by nature) outputs of 1-D
convolutions, transposed convolutions and pooling, where TensorFlow.js 4.22's channelsFirst is wrong,
and of bilinear upsampling with half-pixel centres (Keras 2/3's sampling). Weights are stored in Keras
layout. Run with Debian's python3-torch: /usr/bin/python3 scripts/make-channels-first-torch.py"""
import json
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def r(*shape):
    return torch.randn(*shape)


def lst(t):
    return [round(float(v), 10) for v in t.detach().reshape(-1)]


cases = []
# Conv1D, stride 2, dilation 1, 'valid'; Keras kernel [k, in, out] = torch weight [out, in, k] permuted.
x, w, b = r(2, 3, 9), r(4, 3, 3), r(4)
y = F.conv1d(x, w, b, stride=2)
cases.append({'layer': 'conv1d', 'opts': {'filters': 4, 'kernelSize': 3, 'strides': 2}, 'x': lst(x), 'xShape': list(x.shape),
              'weights': [[lst(w.permute(2, 1, 0)), [3, 3, 4]], [lst(b), [4]]], 'y': lst(y), 'yShape': list(y.shape)})
# Conv1D causal, dilation 2: pad kEff − 1 = 4 on the left.
x, w, b = r(2, 2, 7), r(3, 2, 3), r(3)
y = F.conv1d(F.pad(x, (4, 0)), w, b, dilation=2)
cases.append({'layer': 'conv1d', 'opts': {'filters': 3, 'kernelSize': 3, 'padding': 'causal', 'dilationRate': 2}, 'x': lst(x), 'xShape': list(x.shape),
              'weights': [[lst(w.permute(2, 1, 0)), [3, 2, 3]], [lst(b), [3]]], 'y': lst(y), 'yShape': list(y.shape)})
# Conv1DTranspose stride 2 'valid': Keras kernel [k, out, in] = torch weight [in, out, k] permuted.
x, w, b = r(2, 3, 4), r(3, 2, 3), r(2)
y = F.conv_transpose1d(x, w, b, stride=2)
cases.append({'layer': 'conv1dTranspose', 'opts': {'filters': 2, 'kernelSize': 3, 'strides': 2}, 'x': lst(x), 'xShape': list(x.shape),
              'weights': [[lst(w.permute(2, 1, 0)), [3, 2, 3]], [lst(b), [2]]], 'y': lst(y), 'yShape': list(y.shape)})
x = r(2, 3, 8)
for name, y in [('maxPooling1d', F.max_pool1d(x, 2)), ('averagePooling1d', F.avg_pool1d(x, 3, stride=2)),
                ('globalAveragePooling1d', x.mean(2)), ('globalMaxPooling1d', x.amax(2))]:
    opts = {'poolSize': 3, 'strides': 2} if name == 'averagePooling1d' else {'poolSize': 2} if name == 'maxPooling1d' else {}
    cases.append({'layer': name, 'opts': opts, 'x': lst(x), 'xShape': list(x.shape), 'weights': [], 'y': lst(y), 'yShape': list(y.shape)})
# Bilinear upsampling, half-pixel centres (align_corners=False), channels first.
x = r(2, 3, 3, 4)
y = F.interpolate(x, scale_factor=(2, 3), mode='bilinear', align_corners=False)
cases.append({'layer': 'upSampling2d', 'opts': {'size': [2, 3], 'interpolation': 'bilinear', 'halfPixelCenters': True}, 'x': lst(x),
              'xShape': list(x.shape), 'weights': [], 'y': lst(y), 'yShape': list(y.shape)})

with open('test/fixtures/channels-first-torch.json', 'w') as f:
    json.dump({'source': f'PyTorch {torch.__version__}, scripts/make-channels-first-torch.py', 'cases': cases}, f)

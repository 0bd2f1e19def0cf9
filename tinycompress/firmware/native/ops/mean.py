"""MEAN (int8) over constant axes, with TFLM's multiplier path: in/out scale quantized,
then 1/count folded into the multiplier (reference_ops::QuantizedMeanOrSum)."""
from __future__ import annotations

from ..lowering import Lowered
from ..quant import quantize_multiplier, tensor_scale, tensor_zero_point
from . import OpSpec
from .common import shape4


def _axes(model, op) -> list:
    inp = model.tensors[op.inputs[0]]
    rank = len(inp.shape)
    return sorted({int(a) % rank for a in model.tensors[op.inputs[1]].data.ravel()})


def check(model, op) -> list:
    inp = model.tensors[op.inputs[0]]
    if len(inp.shape) > 4:
        return [f"input has {len(inp.shape)} dimensions (at most 4 supported)"]
    if not model.tensors[op.inputs[1]].is_const:
        return ["the axes are not a constant tensor"]
    return []


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple:
    multiplier, shift = quantize_multiplier(float(input_scale) / float(output_scale))
    n_shift = min(count.bit_length() - 1, 32, 31 + shift)
    return (multiplier << n_shift) // count, shift - n_shift


def lower(model, op) -> Lowered:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    dims = shape4(inp.shape)
    offset = 4 - len(inp.shape)
    reduce = [0] * 4
    for a in _axes(model, op):
        reduce[a + offset] = 1
    count = 1
    for d, r in zip(dims, reduce):
        count *= d if r else 1
    multiplier, shift = mean_multiplier(tensor_scale(inp), tensor_scale(out), count)
    params = dict(in_dims=dims, reduce=reduce, count=count,
                  input_zero_point=tensor_zero_point(inp), output_zero_point=tensor_zero_point(out),
                  multiplier=multiplier, shift=shift)
    return Lowered(kernel="tc_mean_s8", params_type="tc_mean_params", params=params, arrays={},
                   inputs=[op.inputs[0]], output=op.outputs[0], macs=inp.size)


SPECS = {"MEAN": OpSpec(check=check, lower=lower)}

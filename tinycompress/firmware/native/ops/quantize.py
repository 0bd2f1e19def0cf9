"""QUANTIZE int8 -> int8 (requantize), as TFLM's quantize Prepare/Requantize compute it."""
from __future__ import annotations

from ..lowering import Lowered
from ..quant import quantize_multiplier, tensor_scale, tensor_zero_point
from . import OpSpec


def check(model, op) -> list:
    inp = model.tensors[op.inputs[0]]
    if inp.type != "INT8":
        return [f"input '{inp.name}' is {inp.type}; only int8 -> int8 requantization is supported"]
    return []


def lower(model, op) -> Lowered:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    multiplier, shift = quantize_multiplier(tensor_scale(inp) / tensor_scale(out))
    params = dict(size=inp.size, input_zero_point=tensor_zero_point(inp),
                  output_zero_point=tensor_zero_point(out), multiplier=multiplier, shift=shift)
    return Lowered(kernel="tc_quantize_s8", params_type="tc_quantize_params", params=params,
                   arrays={}, inputs=[op.inputs[0]], output=op.outputs[0], macs=0)


SPECS = {"QUANTIZE": OpSpec(check=check, lower=lower)}

"""QUANTIZE int8 -> int8 (requantize), as TFLM's quantize Prepare/Requantize compute it."""
from __future__ import annotations

from ..lowering import Lowered
from ..quant import quantize_multiplier, tensor_scale, tensor_zero_point
from . import OpSpec
from .common import same_shape, verdict


def int8_input(model, op) -> tuple:
    """Input is int8 (int8 -> int8 requantization)."""
    inp = model.tensors[op.inputs[0]]
    return verdict([] if inp.type == "INT8" else
                   [f"input '{inp.name}' is {inp.type}; only int8 -> int8 requantization is supported"])


def lower(model, op) -> Lowered:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    multiplier, shift = quantize_multiplier(tensor_scale(inp) / tensor_scale(out))
    params = dict(size=inp.size, input_zero_point=tensor_zero_point(inp),
                  output_zero_point=tensor_zero_point(out), multiplier=multiplier, shift=shift)
    return Lowered(kernel="tc_quantize_s8", params_type="tc_quantize_params", params=params,
                   arrays={}, inputs=[op.inputs[0]], output=op.outputs[0])


SPECS = {"QUANTIZE": OpSpec(lower=lower, output_shape=same_shape, options=None,
                            constraints=(int8_input,))}

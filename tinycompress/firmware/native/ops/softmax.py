"""SOFTMAX int8 -> int8 over the last dimension; parameters as TFLM's CalculateSoftmaxParams."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import (calculate_input_radius, quantize_multiplier_greater_than_one,
                     tensor_scale, tensor_zero_point)
from . import OpSpec

SCALED_DIFF_INTEGER_BITS = 5


def check(model, op) -> list:
    out = model.tensors[op.outputs[0]]
    if tensor_zero_point(out) != -128 or np.float32(tensor_scale(out)) != np.float32(1 / 256):
        return [f"output '{out.name}' must have scale 1/256 and zero point -128 (as TFLM requires)"]
    return []


def softmax_params(beta: float, input_scale: float) -> tuple:
    """(input_multiplier, input_left_shift, diff_min), TFLite's PreprocessSoftmaxScaling."""
    real = min(float(np.float32(beta)) * float(input_scale) * (1 << (31 - SCALED_DIFF_INTEGER_BITS)),
               (1 << 31) - 1.0)
    multiplier, left_shift = quantize_multiplier_greater_than_one(real)
    diff_min = -calculate_input_radius(SCALED_DIFF_INTEGER_BITS, left_shift)
    return multiplier, left_shift, diff_min


def lower(model, op) -> Lowered:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    depth = inp.shape[-1] if inp.shape else 1
    multiplier, left_shift, diff_min = softmax_params(op.options.get("beta", 1.0), tensor_scale(inp))
    params = dict(outer=inp.size // depth, depth=depth, input_multiplier=multiplier,
                  input_left_shift=left_shift, diff_min=diff_min)
    return Lowered(kernel="tc_softmax_s8", params_type="tc_softmax_params", params=params,
                   arrays={}, inputs=[op.inputs[0]], output=op.outputs[0], macs=inp.size)


SPECS = {"SOFTMAX": OpSpec(check=check, lower=lower)}

"""FULLY_CONNECTED -> tc_fully_connected_s8 (firmware/runtime/tc_fully_connected.c)."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import tensor_zero_point
from . import OpSpec
from .packing import (with_requant, bias_problems, conv_multipliers, fc_per_tensor_multiplier, filter_problems,
                      folded_bias, optional_input, pack_pairs, pad_even)


def check(model, op) -> list:
    if len(op.inputs) < 2:
        return ["FULLY_CONNECTED needs an input and weights"]
    inp, flt, out = (model.tensors[op.inputs[0]], model.tensors[op.inputs[1]],
                     model.tensors[op.outputs[0]])
    if len(flt.shape) != 2:
        return [f"FULLY_CONNECTED weights must be 2-D, got {flt.shape}"]
    channels, depth = flt.shape
    problems = filter_problems(flt, channels, 0)
    problems += bias_problems(optional_input(model, op, 2), channels)
    if op.options.get("weightsFormat", 0) != 0:
        problems.append("shuffled (non-default) weights format is not supported")
    size = int(np.prod(inp.shape))
    if problems:
        return problems
    if depth == 0 or size % depth:
        problems.append(f"input of {size} values is not a whole number of rows of {depth}")
    elif int(np.prod(out.shape)) != size // depth * channels:
        problems.append(f"output shape {out.shape} does not hold {size // depth} x {channels} values")
    return problems


def lower(model, op) -> Lowered:
    inp, flt, out = (model.tensors[op.inputs[0]], model.tensors[op.inputs[1]],
                     model.tensors[op.outputs[0]])
    channels, depth = flt.shape
    batches = int(np.prod(inp.shape)) // depth
    input_zp = tensor_zero_point(inp)
    weights = flt.data.reshape(channels, depth)
    if np.asarray(flt.quant.scale).size > 1:   # TFLM: per-channel like CONV_2D
        multiplier, shift = conv_multipliers(inp, flt, out, channels)
    else:
        multiplier, shift = fc_per_tensor_multiplier(inp, flt, out, channels)
    params = dict(batches=batches, depth=depth, out_c=channels)
    arrays = dict(weights=pack_pairs(weights),
                  bias=pad_even(folded_bias(optional_input(model, op, 2), weights, input_zp)))
    with_requant(params, arrays, op, out, multiplier, shift, pad=True)
    return Lowered(kernel="tc_fully_connected_s8", params_type="tc_fully_connected_params",
                   params=params, arrays=arrays, inputs=[op.inputs[0]], output=op.outputs[0],
                   macs=int(batches * channels * depth))


SPECS = {"FULLY_CONNECTED": OpSpec(check=check, lower=lower)}

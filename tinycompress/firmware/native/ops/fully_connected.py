"""FULLY_CONNECTED -> tc_fully_connected_s8 (firmware/runtime/tc_fully_connected.c)."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import tensor_zero_point
from . import OpSpec
from .common import verdict
from .packing import (with_requant, bias_problems, conv_multipliers, fc_per_tensor_multiplier, filter_problems,
                      folded_bias, optional_input, pack_pairs, pad_even)


def weights_and_bias(model, op) -> tuple:
    """Weights constant symmetric int8 [units, depth], one scale or one per unit; bias constant int32, one per unit."""
    flt = model.tensors[op.inputs[1]]
    if len(flt.shape) != 2:
        return False, f"FULLY_CONNECTED weights must be 2-D, got {flt.shape}"
    return verdict(filter_problems(flt, flt.shape[0], 0)
                   + bias_problems(optional_input(model, op, 2), flt.shape[0]))


def default_format(model, op) -> tuple:
    """Default weights format (not shuffled)."""
    return verdict([] if op.options.get("weightsFormat", 0) == 0 else
                   ["shuffled (non-default) weights format is not supported"])


def whole_rows(model, op) -> tuple:
    """The input is a whole number of rows of the weights' depth."""
    size, depth = model.tensors[op.inputs[0]].size, model.tensors[op.inputs[1]].shape[1]
    return verdict([] if size % depth == 0 else
                   [f"input of {size} values is not a whole number of rows of {depth}"])


def output_shape(model, op) -> tuple:
    """[rows, units]; with keep_num_dims the input's leading dimensions and units."""
    inp, (units, depth) = model.tensors[op.inputs[0]], model.tensors[op.inputs[1]].shape
    if op.options.get("keepNumDims"):
        return (*inp.shape[:-1], units)
    return (inp.size // depth, units)


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
                   params=params, arrays=arrays, inputs=[op.inputs[0]], output=op.outputs[0])


SPECS = {"FULLY_CONNECTED": OpSpec(
    lower=lower, output_shape=output_shape, operands=(2, 3), options="FullyConnectedOptions",
    constraints=(weights_and_bias, default_format, whole_rows))}

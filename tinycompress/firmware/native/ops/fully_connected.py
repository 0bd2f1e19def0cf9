"""FULLY_CONNECTED -> tc_fully_connected_s8 (firmware/runtime/tc_fully_connected.c)."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import tensor_zero_point
from . import OpSpec
from .cases import (ACTIVATIONS, MAC_RANGES, Case, add_bias_and_activate, bias_for,
                    channel_weights)
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


def fc_case(seed: int) -> Case:
    rng = np.random.default_rng(3000 + seed)
    depth = int(rng.choice([1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 70]))
    out_c = int(rng.choice([1, 2, 3, 4, 7, 10, 16, 33]))
    batch = int(rng.choice([1, 1, 1, 2, 3, 5]))
    keep_dims = seed % 6 == 5                  # a 3-D input keeps its leading dimensions
    shape = (batch, 2, depth) if keep_dims else (batch, depth)
    act = ACTIVATIONS[seed % len(ACTIVATIONS)]
    in_range = MAC_RANGES[int(rng.integers(len(MAC_RANGES)))]
    w = channel_weights(rng, (depth, out_c), 1, depth, in_range)
    use_bias = seed % 4 != 3
    b = bias_for(rng, out_c, act)

    def fn(x):
        from tinycompress.tfcompat import tf
        y = tf.matmul(x, tf.constant(w))
        return add_bias_and_activate(tf, y, b if use_bias else None, act)

    return Case(seed, ("FULLY_CONNECTED",), [shape], [in_range], fn,
                f"seed {seed}: in {shape} out_c {out_c} {act} range {in_range} bias {use_bias}")


SPECS = {"FULLY_CONNECTED": OpSpec(
    lower=lower, output_shape=output_shape, operands=(2, 3), options="FullyConnectedOptions",
    constraints=(weights_and_bias, default_format, whole_rows), cases=fc_case)}

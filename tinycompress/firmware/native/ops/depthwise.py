"""DEPTHWISE_CONV_2D -> tc_depthwise_conv2d_s8 (firmware/runtime/tc_depthwise.c)."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import tensor_zero_point
from . import OpSpec
from .conv import nhwc, window
from .common import verdict
from .packing import (window_geometry, window_output_shape, window_params, with_requant,
                      bias_problems, conv_multipliers, filter_problems, folded_bias, optional_input,
                      pack_quads_int16)


def _geometry(model, op) -> dict:
    g = window_geometry(model, op)
    g["depth_mult"] = model.tensors[op.inputs[1]].shape[3] // g["in_c"]
    return g


def weights_and_bias(model, op) -> tuple:
    """Weights constant symmetric int8 [1, kh, kw, out_c], one scale or one per channel (axis 3); bias constant int32, one per channel."""
    flt = model.tensors[op.inputs[1]]
    return verdict(filter_problems(flt, flt.shape[3], 3)
                   + bias_problems(optional_input(model, op, 2), flt.shape[3]))


def channels(model, op) -> tuple:
    """Output channels = input channels x depth multiplier, as the weights and the option say."""
    flt, g = model.tensors[op.inputs[1]], _geometry(model, op)
    option = op.options.get("depthMultiplier", 0)
    if flt.shape[0] != 1 or g["in_c"] * g["depth_mult"] != flt.shape[3]:
        return False, (f"weights {flt.shape} do not fit input channels {g['in_c']} and output "
                       f"channels {g['out_c']}")
    if option and option != g["depth_mult"]:
        return False, f"depth multiplier {option} does not match the shapes ({g['depth_mult']})"
    return True, ""


def lower(model, op) -> Lowered:
    inp, flt, out = (model.tensors[op.inputs[0]], model.tensors[op.inputs[1]],
                     model.tensors[op.outputs[0]])
    g = _geometry(model, op)
    input_zp = tensor_zero_point(inp)
    taps = g["k_h"] * g["k_w"]
    weights = flt.data.reshape(taps, g["out_c"])           # [tap][out_c], TFLite's layout
    multiplier, shift = conv_multipliers(inp, flt, out, g["out_c"])
    params = window_params(g, ("batches", "in_h", "in_w", "in_c", "out_h", "out_w", "out_c",
                               "depth_mult", "k_h", "k_w", "stride_h", "stride_w", "dil_h", "dil_w"))
    params.update(input_zp=input_zp)
    arrays = dict(bias=folded_bias(optional_input(model, op, 2), weights.T, input_zp))
    if g["depth_mult"] == 1:        # the 4-channel SMLAxy loop's layout, int16 (2x int8 flash)
        arrays["wquads"], params["weights"] = pack_quads_int16(weights), "NULL"
    else:
        arrays["weights"], params["wquads"] = np.ascontiguousarray(weights, np.int8).ravel(), "NULL"
    with_requant(params, arrays, op, out, multiplier, shift, pad=False)
    return Lowered(kernel="tc_depthwise_conv2d_s8", params_type="tc_depthwise_conv2d_params",
                   params=params, arrays=arrays, inputs=[op.inputs[0]], output=op.outputs[0],
                   scratch_bytes=8 + 8 * taps + g["in_c"])


SPECS = {"DEPTHWISE_CONV_2D": OpSpec(
    lower=lower, output_shape=window_output_shape, operands=(2, 3),
    options="DepthwiseConv2DOptions", options_required=True,
    constraints=(nhwc, weights_and_bias, window, channels))}

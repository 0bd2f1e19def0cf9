"""DEPTHWISE_CONV_2D -> tc_depthwise_conv2d_s8 (firmware/runtime/tc_depthwise.c)."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import tensor_zero_point
from . import OpSpec
from .packing import (window_geometry, window_params, window_problems, window_shape_problems,
                      with_requant, bias_problems, conv_multipliers, filter_problems, folded_bias,
                      optional_input, output_size_problems, pack_quads_int16)


def _geometry(model, op) -> dict:
    g = window_geometry(model, op)
    g["depth_mult"] = g["out_c"] // g["in_c"] if g["in_c"] else 0
    return g


def check(model, op) -> list:
    problems = window_shape_problems(model, op, "DEPTHWISE_CONV_2D")
    if problems:
        return problems
    flt, out = model.tensors[op.inputs[1]], model.tensors[op.outputs[0]]
    g = _geometry(model, op)
    problems = filter_problems(flt, flt.shape[3], 3)
    problems += bias_problems(optional_input(model, op, 2), flt.shape[3])
    problems += window_problems(g)
    if problems:
        return problems
    option = op.options.get("depthMultiplier", 0)
    if flt.shape[0] != 1 or flt.shape[3] != g["out_c"] or g["in_c"] * g["depth_mult"] != g["out_c"]:
        problems.append(f"weights {flt.shape} do not fit input channels {g['in_c']} and output "
                        f"channels {g['out_c']}")
    elif option and option != g["depth_mult"]:
        problems.append(f"depth multiplier {option} does not match the shapes ({g['depth_mult']})")
    return problems + output_size_problems(g, out.shape[0])


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
                   macs=int(g["batches"] * g["out_h"] * g["out_w"] * g["out_c"] * taps),
                   scratch_bytes=8 + 8 * taps + g["in_c"])


SPECS = {"DEPTHWISE_CONV_2D": OpSpec(check=check, lower=lower)}

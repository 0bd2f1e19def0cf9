"""CONV_2D -> tc_conv2d_s8 (firmware/runtime/tc_conv.c)."""
from __future__ import annotations

from ..lowering import Lowered
from ..quant import tensor_zero_point
from .packing import (window_geometry, window_params, window_problems, window_shape_problems,
                      with_requant, bias_problems, conv_multipliers, filter_problems, folded_bias,
                      optional_input, output_size_problems, pack_pairs, pad_even)
from . import OpSpec


def check(model, op) -> list:
    problems = window_shape_problems(model, op, "CONV_2D")
    if problems:
        return problems
    flt, out = model.tensors[op.inputs[1]], model.tensors[op.outputs[0]]
    g = window_geometry(model, op)
    problems = filter_problems(flt, flt.shape[0], 0)
    problems += bias_problems(optional_input(model, op, 2), flt.shape[0])
    problems += window_problems(g)
    if problems:
        return problems
    if flt.shape[3] != g["in_c"]:
        problems.append(f"grouped convolution (weights have {flt.shape[3]} input channels, the "
                        f"input has {g['in_c']}) is not supported")
    if flt.shape[0] != g["out_c"]:
        problems.append(f"output shape {out.shape} does not match the weights {flt.shape}")
    return problems + output_size_problems(g, out.shape[0])


def lower(model, op) -> Lowered:
    inp, flt, out = (model.tensors[op.inputs[0]], model.tensors[op.inputs[1]],
                     model.tensors[op.outputs[0]])
    g = window_geometry(model, op)
    input_zp = tensor_zero_point(inp)
    weights = flt.data.reshape(g["out_c"], -1)          # [out_c, k_h * k_w * in_c], HWC order
    k = weights.shape[1]
    multiplier, shift = conv_multipliers(inp, flt, out, g["out_c"])
    direct = g["k_h"] == 1 and g["k_w"] == 1              # 1x1: a patch is one input pixel
    params = window_params(g, ("batches", "in_h", "in_w", "in_c", "out_h", "out_w", "out_c",
                               "k_h", "k_w", "stride_h", "stride_w", "dil_h", "dil_w"))
    params.update(direct=int(direct), input_zp=input_zp)
    arrays = dict(weights=pack_pairs(weights),
                  bias=pad_even(folded_bias(optional_input(model, op, 2), weights, input_zp)))
    with_requant(params, arrays, op, out, multiplier, shift, pad=True)
    return Lowered(kernel="tc_conv2d_s8", params_type="tc_conv2d_params", params=params,
                   arrays=arrays, inputs=[op.inputs[0]], output=op.outputs[0],
                   macs=int(g["batches"] * g["out_h"] * g["out_w"] * g["out_c"] * k),
                   scratch_bytes=0 if direct else 2 * ((k + 3) // 4 * 4) + 4)


SPECS = {"CONV_2D": OpSpec(check=check, lower=lower)}

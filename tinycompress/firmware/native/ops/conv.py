"""CONV_2D -> tc_conv2d_s8 (firmware/runtime/tc_conv.c)."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import tensor_zero_point
from .common import verdict
from .packing import (window_geometry, window_output_shape, window_params, window_problems,
                      with_requant, bias_problems, conv_multipliers, filter_problems, folded_bias,
                      optional_input, pack_pairs, pack_wide, pad_even, pad_to)
from . import OpSpec
from .cases import (ACTIVATIONS, MAC_RANGES, Case, add_bias_and_activate, bias_for,
                    channel_weights, window_input)


def nhwc(model, op) -> tuple:
    """Input, weights and output are 4-D (NHWC; weights OHWI)."""
    return verdict([] if all(len(model.tensors[t].shape) == 4 for t in
                             (op.inputs[0], op.inputs[1], op.outputs[0]))
                   else [f"{op.op} input, weights and output must be 4-D (NHWC)"])


def weights_and_bias(model, op) -> tuple:
    """Weights constant symmetric int8, one scale or one per output channel (axis 0); bias constant int32, one per output channel."""
    flt = model.tensors[op.inputs[1]]
    return verdict(filter_problems(flt, flt.shape[0], 0)
                   + bias_problems(optional_input(model, op, 2), flt.shape[0]))


def window(model, op) -> tuple:
    """Padding SAME or VALID; strides, dilations and the dilated filter at most 65536."""
    return verdict(window_problems(window_geometry(model, op)))


def input_channels(model, op) -> tuple:
    """Weights have the input's channel count (no grouped convolution)."""
    flt, g = model.tensors[op.inputs[1]], window_geometry(model, op)
    return verdict([] if flt.shape[3] == g["in_c"] else
                   [f"grouped convolution (weights have {flt.shape[3]} input channels, the "
                    f"input has {g['in_c']}) is not supported"])


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
    params.update(direct=int(direct), input_zp=input_zp, wide=0)
    arrays = dict(weights=pack_pairs(weights),
                  bias=pad_even(folded_bias(optional_input(model, op, 2), weights, input_zp)))
    with_requant(params, arrays, op, out, multiplier, shift, pad=True)
    pointwise = direct and g["stride_h"] == 1 and g["stride_w"] == 1
    return Lowered(kernel="tc_conv2d_s8", params_type="tc_conv2d_params", params=params,
                   arrays=arrays, inputs=[op.inputs[0]], output=op.outputs[0],
                   stream=(g["in_c"], g["out_c"]) if pointwise else None,
                   scratch_bytes=0 if direct else 2 * ((k + 3) // 4 * 4) + 4)


WIDE_ARRAYS = ("bias", "rq.multiplier", "rq.shift", "rq.rounding")


def widen(model, op, low: Lowered) -> Lowered:
    """The dense call with its weights pre-extended to int16 (tc_mac.h's wide layout, twice
    the flash): per-channel arrays padded to a multiple of 4, two widened pixels of scratch."""
    from dataclasses import replace
    flt = model.tensors[op.inputs[1]]
    p = low.params
    k4 = (p["k_h"] * p["k_w"] * p["in_c"] + 3) // 4 * 4
    arrays = dict(low.arrays, weights=pack_wide(flt.data.reshape(p["out_c"], -1)))
    arrays.update({f: pad_to(arrays[f][:p["out_c"]], 4, arrays[f].dtype)
                   for f in WIDE_ARRAYS if f in arrays})
    return replace(low, params=dict(p, wide=1), arrays=arrays,
                   scratch_bytes=(0 if p["direct"] else 2 * k4) + 4 * k4 + 4)


def conv_case(seed: int) -> Case:
    rng = np.random.default_rng(1000 + seed)
    k = (1, 1) if seed % 5 == 0 else tuple(int(v) for v in rng.integers(1, 5, 2))
    stride = tuple(int(v) for v in rng.integers(1, 4, 2))
    dilation = (1, 1)
    if stride == (1, 1) and k != (1, 1) and rng.random() < 0.5:
        dilation = tuple(int(v) for v in rng.integers(1, 4, 2))
    padding, hw = window_input(rng, k, dilation)
    in_c = int(rng.choice([1, 2, 3, 4, 5, 7, 8, 9, 16, 32]))
    out_c = int(rng.choice([1, 2, 3, 5, 6, 8, 9, 16]))
    batch = 2 if rng.random() < 0.2 else 1
    act = ACTIVATIONS[seed % len(ACTIVATIONS)]
    in_range = MAC_RANGES[int(rng.integers(len(MAC_RANGES)))]
    w = channel_weights(rng, (k[0], k[1], in_c, out_c), 3, k[0] * k[1] * in_c, in_range)
    use_bias = rng.random() < 0.85
    b = bias_for(rng, out_c, act)

    def fn(x):
        from tinycompress.tfcompat import tf
        y = tf.nn.conv2d(x, tf.constant(w), [1, stride[0], stride[1], 1], padding,
                         dilations=[1, dilation[0], dilation[1], 1])
        return add_bias_and_activate(tf, y, b if use_bias else None, act)

    return Case(seed, ("CONV_2D",), [(batch, hw[0], hw[1], in_c)], [in_range], fn,
                f"seed {seed}: in {(batch, *hw, in_c)} k {k} out_c {out_c} stride {stride} "
                f"dilation {dilation} {padding} {act} range {in_range} bias {use_bias}")


SPECS = {"CONV_2D": OpSpec(lower=lower, output_shape=window_output_shape, operands=(2, 3),
                           options="Conv2DOptions", options_required=True,
                           constraints=(nhwc, weights_and_bias, window, input_channels), cases=conv_case)}

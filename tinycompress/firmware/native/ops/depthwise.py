"""DEPTHWISE_CONV_2D -> tc_depthwise_conv2d_s8 (firmware/runtime/tc_depthwise.c)."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import tensor_zero_point
from . import OpSpec
from .cases import (ACTIVATIONS, MAC_RANGES, Case, add_bias_and_activate, bias_for,
                    channel_weights, window_input)
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


def depthwise_case(seed: int, mobilenet: bool = False) -> Case:
    rng = np.random.default_rng(2000 + seed)
    k = tuple(int(v) for v in rng.integers(1, 6, 2))
    stride = int(rng.integers(1, 4))
    dilation = (1, 1)
    if mobilenet:
        k, stride = (3, 3), 1 + seed % 2
    elif stride == 1 and rng.random() < 0.5:
        dilation = tuple(int(v) for v in rng.integers(1, 4, 2))
    padding, hw = window_input(rng, k, dilation)
    in_c = int(rng.choice([1, 2, 3, 4, 5, 6, 8, 12, 16, 17]))
    mult = 1 if seed % 3 else int(rng.integers(2, 4))
    if mobilenet:
        in_c, mult = [4, 17, 8, 6, 12, 16, 5, 8][seed % 8], 1
    batch = 2 if rng.random() < 0.2 else 1
    act = ACTIVATIONS[seed % len(ACTIVATIONS)]
    in_range = MAC_RANGES[int(rng.integers(len(MAC_RANGES)))]
    w = channel_weights(rng, (k[0], k[1], in_c, mult), 2, k[0] * k[1], in_range)
    w = w * 10.0 ** rng.uniform(-1, 0.5, (1, 1, in_c, 1)).astype(np.float32)
    use_bias = rng.random() < 0.85
    b = bias_for(rng, in_c * mult, act)

    def fn(x):
        from tinycompress.tfcompat import tf
        y = tf.nn.depthwise_conv2d(x, tf.constant(w), [1, stride, stride, 1], padding,
                                   dilations=list(dilation))
        return add_bias_and_activate(tf, y, b if use_bias else None, act)

    return Case(seed, ("DEPTHWISE_CONV_2D",), [(batch, hw[0], hw[1], in_c)], [in_range], fn,
                f"seed {seed}: in {(batch, *hw, in_c)} k {k} multiplier {mult} stride {stride} "
                f"dilation {dilation} {padding} {act} range {in_range} bias {use_bias}")


SPECS = {"DEPTHWISE_CONV_2D": OpSpec(
    lower=lower, output_shape=window_output_shape, operands=(2, 3),
    options="DepthwiseConv2DOptions", options_required=True,
    constraints=(nhwc, weights_and_bias, window, channels), cases=depthwise_case)}

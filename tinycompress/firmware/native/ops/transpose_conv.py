"""TRANSPOSE_CONV (int8, per-channel weights, SAME/VALID, any stride, optional bias).

Inputs as TFLite orders them: output shape (constant int32), weights OHWI, the activations,
bias. As in TFLM, every input pixel scatters (x - input zero point) * w into an int32
accumulator per output value (scratch the size of the output), then each output value gets
its bias and is requantized per channel. The padding is TFLM's: that of a forward
convolution from the output's size, with dilation 1.
"""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import tensor_zero_point
from . import OpSpec
from .cases import ACTIVATIONS, MAC_RANGES, Case, add_bias_and_activate, bias_for, channel_weights
from .common import padding_name, verdict, window_limit_problems
from .packing import (bias_problems, conv_multipliers, filter_problems, optional_input,
                      out_size, pad_before, with_requant)

DATA = 2            # the activations' input position


def shapes(model, op) -> tuple:
    """Output shape a constant int32 tensor of 4 values; activations, weights and output 4-D (NHWC; weights OHWI), weights with the input's channels, output with the weights' and the input's batch."""
    spec_t, flt = model.tensors[op.inputs[0]], model.tensors[op.inputs[1]]
    inp, out = model.tensors[op.inputs[DATA]], model.tensors[op.outputs[0]]
    if not spec_t.is_const or spec_t.type != "INT32" or tuple(spec_t.shape) != (4,):
        return False, "the output shape is not a constant int32 tensor of 4 values"
    if any(len(t.shape) != 4 for t in (flt, inp, out)):
        return False, "activations, weights and output must be 4-D (NHWC, weights OHWI)"
    if flt.shape[3] != inp.shape[3]:
        return False, f"weights have {flt.shape[3]} input channels, the input has {inp.shape[3]}"
    if out.shape[3] != flt.shape[0] or out.shape[0] != inp.shape[0]:
        return False, "output channels or batch differ from the weights' and the input's"
    return True, ""


def weights_and_bias(model, op) -> tuple:
    """Weights constant symmetric int8, one scale or one per output channel (axis 0); bias constant int32, one per output channel."""
    flt = model.tensors[op.inputs[1]]
    return verdict(filter_problems(flt, flt.shape[0], 0)
                   + bias_problems(optional_input(model, op, 3), flt.shape[0]))


def window(model, op) -> tuple:
    """Padding SAME or VALID; strides at least 1 and at most 65536."""
    strides = (op.options.get("strideH", 1), op.options.get("strideW", 1))
    problems = [] if padding_name(op) in ("SAME", "VALID") else [
        f"padding {padding_name(op)} is not supported"]
    if min(strides) < 1:
        problems.append("strides must be at least 1")
    return verdict(problems + window_limit_problems(stride=max(strides)))


def output_shape(model, op) -> tuple:
    return tuple(int(v) for v in model.tensors[op.inputs[0]].data.ravel())


def lower(model, op) -> Lowered:
    flt, inp, out = (model.tensors[op.inputs[1]], model.tensors[op.inputs[DATA]],
                     model.tensors[op.outputs[0]])
    out_c, k_h, k_w, in_c = flt.shape
    batches, out_h, out_w, _ = out.shape
    s_h, s_w = op.options.get("strideH", 1), op.options.get("strideW", 1)
    padding = padding_name(op)
    # TFLM: a forward convolution's padding, computed from the output's size
    pad_top = pad_before(out_h, k_h, s_h, 1, out_size(padding, out_h, k_h, s_h, 1))
    pad_left = pad_before(out_w, k_w, s_w, 1, out_size(padding, out_w, k_w, s_w, 1))
    bias_t = optional_input(model, op, 3)
    bias = np.zeros(out_c, np.int32) if bias_t is None else bias_t.data.astype(np.int32).ravel()
    multiplier, shift = conv_multipliers(inp, flt, out, out_c)
    params = dict(batches=batches, in_h=inp.shape[1], in_w=inp.shape[2], in_c=in_c,
                  out_h=out_h, out_w=out_w, out_c=out_c, k_h=k_h, k_w=k_w, stride_h=s_h,
                  stride_w=s_w, pad_top=pad_top, pad_left=pad_left,
                  input_offset=-tensor_zero_point(inp))
    arrays = dict(weights=flt.data.astype(np.int8).ravel(), bias=bias)
    with_requant(params, arrays, op, out, multiplier, shift, pad=False)
    return Lowered(kernel="tc_transpose_conv_s8", params_type="tc_transpose_conv_params",
                   params=params, arrays=arrays, inputs=[op.inputs[DATA]], output=op.outputs[0],
                   scratch_bytes=4 * out.size)


def _case(rng, seed) -> Case:
    """Keras Conv2DTranspose's shapes: SAME (out = in * stride) or VALID (out = (in - 1) *
    stride + k), strides 1 to 3, bias or none, fused activations (with a bias)."""
    k = tuple(int(v) for v in rng.integers(1, 5, 2))
    stride = tuple(int(rng.choice([1, 2, 2, 3])) for _ in range(2))
    padding = str(rng.choice(["SAME", "VALID"]))
    hw = [int(v) for v in rng.integers(1, 7, 2)]
    in_c = int(rng.choice([1, 2, 3, 4, 8]))
    out_c = int(rng.choice([1, 2, 3, 5, 8]))
    batch = 2 if rng.random() < 0.15 else 1
    out_hw = [h * s if padding == "SAME" else (h - 1) * s + kk for h, s, kk in zip(hw, stride, k)]
    act = ACTIVATIONS[seed % 3]           # the converter fuses NONE, RELU and RELU6 only
    in_range = MAC_RANGES[int(rng.integers(len(MAC_RANGES)))]
    w = channel_weights(rng, (k[0], k[1], out_c, in_c), 2, k[0] * k[1] * in_c, in_range)
    use_bias = rng.random() < 0.7
    b = bias_for(rng, out_c, act)
    if not use_bias:          # the converter fuses an activation only into a biased op
        act = "NONE"

    def fn(x):
        from tinycompress.tfcompat import tf
        y = tf.nn.conv2d_transpose(x, tf.constant(w), [batch, *out_hw, out_c],
                                   [1, *stride, 1], padding)
        return add_bias_and_activate(tf, y, b if use_bias else None, act)

    return Case(seed, ("TRANSPOSE_CONV",), [(batch, *hw, in_c)], [in_range], fn,
                f"seed {seed}: in {(batch, *hw, in_c)} k {k} out {(*out_hw, out_c)} stride "
                f"{stride} {padding} {act} range {in_range} bias {use_bias}")


def _cases(seed: int) -> Case:
    return _case(np.random.default_rng(7000 + seed), seed)


SPECS = {"TRANSPOSE_CONV": OpSpec(
    lower=lower, output_shape=output_shape, operands=(3, 4), options="TransposeConvOptions",
    options_required=True, constraints=(shapes, weights_and_bias, window), cases=_cases,
    data_input=DATA)}

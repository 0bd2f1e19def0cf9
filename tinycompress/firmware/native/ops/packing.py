"""Shared generation-time work for the multiply-accumulate ops (CONV_2D, DEPTHWISE_CONV_2D,
FULLY_CONNECTED): TFLM's padding offsets and requantization multipliers, the input zero
point folded into the bias, and the channel-pair weight layout of firmware/runtime/tc_mac.h.

An ahead-of-time compiler knows the weights, so sum(w) * input_zero_point is a constant
per channel: the kernels accumulate raw x * w and start from the folded bias.
"""
from __future__ import annotations

import numpy as np

from ..quant import activation_range, quantize_multipliers, tensor_scale, tensor_zero_point
from ....tflite_model import PADDINGS
from .common import window_limit_problems


# --- geometry (TFLM ComputePaddingHeightWidth / ComputeOutSize) -------------------------

def out_size(padding: str, size: int, k: int, stride: int, dilation: int) -> int:
    effective = (k - 1) * dilation + 1
    if padding == "SAME":
        return (size + stride - 1) // stride
    return (size + stride - effective) // stride


def pad_before(size: int, k: int, stride: int, dilation: int, out: int) -> int:
    """Padding rows/columns before the image; TFLM puts the odd extra one after it."""
    effective = (k - 1) * dilation + 1
    return max(0, (out - 1) * stride + effective - size) // 2


# --- quantization ----------------------------------------------------------------------

def channel_scales(filter_tensor, channels: int) -> np.ndarray:
    """The filter's scales as float32, broadcast to every output channel."""
    scales = np.asarray(filter_tensor.quant.scale, dtype=np.float32).ravel()
    return np.broadcast_to(scales, (channels,)) if scales.size == 1 else scales


def conv_multipliers(input_t, filter_t, output_t, channels: int):
    """TFLM PopulateConvolutionQuantizationParams: double(in) * double(filter[c]) / double(out)."""
    reals = [float(np.float32(tensor_scale(input_t))) * float(s) / float(np.float32(tensor_scale(output_t)))
             for s in channel_scales(filter_t, channels)]
    return quantize_multipliers(reals)


def fc_per_tensor_multiplier(input_t, filter_t, output_t, channels: int):
    """TFLM GetQuantizedConvolutionMultipler: the input*filter product is a float32 product."""
    product = np.float32(tensor_scale(input_t)) * np.float32(filter_t.quant.scale[0])
    real = float(product) / float(np.float32(tensor_scale(output_t)))
    mult, shift = quantize_multipliers([real])
    return np.repeat(mult, channels), np.repeat(shift, channels)


def output_range(op, output_t):
    return activation_range(op.activation, tensor_scale(output_t), tensor_zero_point(output_t))


def folded_bias(bias_t, weights: np.ndarray, input_zp: int) -> np.ndarray:
    """bias - input_zp * sum(w) per output channel (rows of `weights`), wrapped to int32 as
    the int32 accumulator of the reference kernel wraps."""
    channels = weights.shape[0]
    bias = (np.zeros(channels, np.int64) if bias_t is None
            else np.asarray(bias_t.data, dtype=np.int64).ravel())
    total = bias - int(input_zp) * weights.reshape(channels, -1).astype(np.int64).sum(axis=1)
    return total.astype(np.int32)     # two's-complement wrap, like the device's adds


def rounding_table(shift) -> np.ndarray | None:
    """2^30 + 2^(30+r) per channel when every channel shifts right by r >= 1 bits: the
    kernels then requantize with one SMLAL and one shift (tc_mac.h tc_requantize_rounded);
    None (the kernels' general path) otherwise."""
    shift = np.asarray(shift, dtype=np.int64).ravel()
    if shift.size == 0 or np.any(shift > -1):
        return None
    return (np.int64(1) << np.int64(30)) + (np.int64(1) << (30 - shift))


def with_requant(params: dict, arrays: dict, op, output_t, multiplier, shift, pad: bool) -> None:
    """Fill the embedded `rq` struct (tc_mac.h tc_requant): output zero point, activation
    range, per-channel multiplier and shift, and the rounding table (an int64 array, or NULL
    for the general path). pad: per-channel arrays padded to even (channel-pair kernels)."""
    act_min, act_max = output_range(op, output_t)
    params.update({"rq.output_zp": tensor_zero_point(output_t), "rq.act_min": act_min,
                   "rq.act_max": act_max})
    table = rounding_table(shift)
    per_channel = {"rq.multiplier": (multiplier, np.int32), "rq.shift": (shift, np.int32),
                   "rq.rounding": (table, np.int64)}
    for field, (array, dtype) in per_channel.items():
        if array is None:
            params[field] = "NULL"
        else:
            arrays[field] = pad_even(array, dtype) if pad else np.asarray(array, dtype=dtype).ravel()


def pad_even(array: np.ndarray, dtype=np.int32) -> np.ndarray:
    """Per-channel arrays padded to an even length: the kernels read channels in pairs."""
    return pad_to(array, 2, dtype)


def pack_pairs(weights: np.ndarray) -> np.ndarray:
    """[channels, k] int8 -> int32 words: per channel pair and group of 4 taps, a word of
    channel c then a word of channel c+1 (little-endian bytes, zero padding)."""
    channels, k = weights.shape
    groups = (k + 3) // 4
    padded = np.zeros((channels + channels % 2, groups * 4), dtype=np.int8)
    padded[:channels, :k] = weights
    words = padded.view("<i4").reshape(-1, 2, groups)          # [pair, channel, group]
    return np.ascontiguousarray(words.transpose(0, 2, 1)).reshape(-1).astype(np.int32)


def pack_wide(weights: np.ndarray) -> np.ndarray:
    """[channels, k] int8 -> int32 words of tc_mac.h's wide layout, pre-extended to int16:
    per group of 4 channels (zero-padded) and 4 taps (zero-padded), 8 words: channels 0..3's
    taps (0, 2), then their taps (1, 3), each word an int16 pair, low half first."""
    channels, k = weights.shape
    groups = (k + 3) // 4
    padded = np.zeros((-(-channels // 4) * 4, groups * 4), dtype=np.int16)
    padded[:channels, :k] = weights
    lanes = padded.reshape(-1, 4, groups, 2, 2)            # [quad, channel, group, hi, odd]
    words = lanes.transpose(0, 2, 4, 1, 3)                 # [quad, group, odd, channel, hi]
    return np.ascontiguousarray(words).astype("<i2").view("<i4").reshape(-1).astype(np.int32)


def pad_to(array: np.ndarray, multiple: int, dtype=np.int32) -> np.ndarray:
    """A per-channel array padded (repeating its last value) to a multiple of `multiple`."""
    array = np.asarray(array, dtype=dtype).ravel()
    extra = -array.size % multiple
    return np.concatenate([array, np.repeat(array[-1:], extra)]) if extra else array


def pack_quads_int16(weights: np.ndarray) -> np.ndarray:
    """Depthwise [taps, channels] int8 -> int32 words, pre-extended to int16 pairs: per group
    of 4 channels and per tap, a word of channels (0, 2) then a word of (1, 3) (low half
    first), as SXTB16 and SXTB16 ROR #8 split an input word; channels padded to 4 with 0."""
    taps, channels = weights.shape
    padded = np.zeros((taps, -(-channels // 4) * 4), dtype=np.int16)
    padded[:, :channels] = weights
    quads = padded.reshape(taps, -1, 4)[:, :, [0, 2, 1, 3]].transpose(1, 0, 2)  # [group, tap, lane]
    return np.ascontiguousarray(quads).astype("<i2").view("<i4").reshape(-1).astype(np.int32)


def filter_problems(filter_t, channels: int, axis: int) -> list:
    """Checks every int8 filter shares: constant, int8, symmetric, 1 or `channels` scales."""
    if not filter_t.is_const:
        return [f"weights '{filter_t.name}' are not constant; only constant weights are supported"]
    if filter_t.type != "INT8":
        return [f"weights '{filter_t.name}' are {filter_t.type}; only int8 weights are supported"]
    q = filter_t.quant
    if q is None:
        return [f"weights '{filter_t.name}' have no quantization parameters"]
    problems = []
    if np.any(np.asarray(q.zero_point) != 0):
        problems.append(f"weights '{filter_t.name}' have a non-zero zero point; int8 weights "
                        "must be symmetric")
    n = np.asarray(q.scale).size
    if n not in (1, channels):
        problems.append(f"weights '{filter_t.name}' have {n} scales for {channels} channels")
    elif n > 1 and q.axis != axis:
        problems.append(f"weights '{filter_t.name}' are quantized along axis {q.axis}, "
                        f"expected {axis}")
    return problems


def bias_problems(bias_t, channels: int) -> list:
    if bias_t is None:
        return []
    if not bias_t.is_const:
        return [f"bias '{bias_t.name}' is not constant"]
    if bias_t.type != "INT32":
        return [f"bias '{bias_t.name}' is {bias_t.type}; only int32 bias is supported"]
    if int(np.prod(bias_t.shape)) != channels:
        return [f"bias '{bias_t.name}' has {int(np.prod(bias_t.shape))} values for {channels} channels"]
    return []


def optional_input(model, op, position: int):
    """The tensor at input `position`, or None when absent or marked -1."""
    if len(op.inputs) <= position or op.inputs[position] < 0:
        return None
    return model.tensors[op.inputs[position]]


def window_geometry(model, op) -> dict:
    """Shapes, strides, dilations and padding of a CONV_2D / DEPTHWISE_CONV_2D, by name."""
    inp, flt, out = (model.tensors[op.inputs[0]], model.tensors[op.inputs[1]],
                     model.tensors[op.outputs[0]])
    o = op.options
    g = dict(batches=inp.shape[0], in_h=inp.shape[1], in_w=inp.shape[2], in_c=inp.shape[3],
             out_h=out.shape[1], out_w=out.shape[2], out_c=out.shape[3],
             k_h=flt.shape[1], k_w=flt.shape[2],
             stride_h=o.get("strideH", 1), stride_w=o.get("strideW", 1),
             dil_h=o.get("dilationHFactor", 1), dil_w=o.get("dilationWFactor", 1))
    g["padding"] = PADDINGS.get(o.get("padding", 0), "?")
    return g


def window_problems(g) -> list:
    """What the windowed kernels cannot run, from window_geometry()."""
    problems = []
    if g["padding"] not in ("SAME", "VALID"):
        problems.append(f"padding {g['padding']} is not supported")
    if min(g["stride_h"], g["stride_w"], g["dil_h"], g["dil_w"]) < 1:
        problems.append("strides and dilations must be at least 1")
    extent = max((g["k_h"] - 1) * g["dil_h"] + 1, (g["k_w"] - 1) * g["dil_w"] + 1)
    return problems + window_limit_problems(stride=max(g["stride_h"], g["stride_w"]),
                                            dilation=max(g["dil_h"], g["dil_w"]),
                                            **{"dilated filter extent": extent})


def window_output_shape(model, op) -> tuple:
    """The NHWC output a CONV_2D / DEPTHWISE_CONV_2D computes (TFLM's ComputeOutSize)."""
    g = window_geometry(model, op)
    return (g["batches"], out_size(g["padding"], g["in_h"], g["k_h"], g["stride_h"], g["dil_h"]),
            out_size(g["padding"], g["in_w"], g["k_w"], g["stride_w"], g["dil_w"]),
            model.tensors[op.inputs[1]].shape[0 if op.op == "CONV_2D" else 3])


def window_params(g, keys) -> dict:
    """Kernel parameters `keys` from window_geometry(), plus TFLM's leading padding."""
    params = {key: g[key] for key in keys}
    params.update(pad_top=pad_before(g["in_h"], g["k_h"], g["stride_h"], g["dil_h"], g["out_h"]),
                  pad_left=pad_before(g["in_w"], g["k_w"], g["stride_w"], g["dil_w"], g["out_w"]))
    return params

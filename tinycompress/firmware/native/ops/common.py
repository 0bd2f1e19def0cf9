"""Helpers shared by the op modules: shapes, padding, activation ranges, checks."""
from __future__ import annotations

import numpy as np

from ....tflite_model import PADDINGS
from ..quant import activation_range, tensor_scale, tensor_zero_point


def shape4(shape) -> list:
    """Shape extended to 4 dimensions with leading 1s (TFLite's RuntimeShape::ExtendedShape)."""
    shape = list(shape)
    if len(shape) > 4:
        raise ValueError(f"shape {shape} has more than 4 dimensions")
    return [1] * (4 - len(shape)) + shape


def padding_offset(padding: str, in_size: int, filter_size: int, stride: int, out_size: int,
                   dilation: int = 1) -> int:
    """TFLite ComputePaddingHeightWidth: the leading padding for SAME, 0 for VALID."""
    effective = (filter_size - 1) * dilation + 1
    total = (out_size - 1) * stride + effective - in_size
    return max(total, 0) // 2 if padding == "SAME" else 0


def padding_name(op) -> str:
    value = op.options.get("padding", 0)     # absent: the schema's default, SAME
    return PADDINGS.get(value, f"unknown ({value})")


def output_activation(model, op) -> tuple:
    out = model.tensors[op.outputs[0]]
    return activation_range(op.activation, tensor_scale(out), tensor_zero_point(out))


def activations(model, op) -> list:
    """The non-constant input tensors of an op."""
    return [model.tensors[t] for t in op.inputs if t != -1 and not model.tensors[t].is_const]


def same_quant(a, b) -> bool:
    return (np.float32(tensor_scale(a)) == np.float32(tensor_scale(b))
            and tensor_zero_point(a) == tensor_zero_point(b))


def check_rank(tensors, max_rank: int = 4) -> list:
    return [f"tensor '{t.name}' has {len(t.shape)} dimensions (at most {max_rank} supported)"
            for t in tensors if len(t.shape) > max_rank]


# Larger windows, strides or dilations only come from corrupt files, and their products
# would overflow the int32 index arithmetic of TFLM and of our kernels.
MAX_WINDOW = 1 << 16


def verdict(problems: list) -> tuple:
    """A constraint's (ok, reason) from a list of problems."""
    return (not problems, "; ".join(problems))


def window_limit_problems(**sizes) -> list:
    return [f"{name} {value} is larger than the {MAX_WINDOW} the kernels support"
            for name, value in sizes.items() if value > MAX_WINDOW]


def same_shape(model, op) -> tuple:
    """The output shape of an elementwise op: its input's."""
    return model.tensors[op.inputs[0]].shape


def probability_output(model, op) -> tuple:
    """Output scale 1/256 and zero point -128 (as TFLM requires)."""
    out = model.tensors[op.outputs[0]]
    ok = tensor_zero_point(out) == -128 and np.float32(tensor_scale(out)) == np.float32(1 / 256)
    return verdict([] if ok else [f"output '{out.name}' must have scale 1/256 and zero point "
                                  "-128 (as TFLM requires)"])

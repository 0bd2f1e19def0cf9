"""CONCATENATION (int8, up to 4-D): bytes copied as TFLM's int8 kernel does."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from . import OpSpec
from .cases import pick_range, seeded, tf, tf_case
from .common import same_quant, verdict

MAX_INPUTS = 64


def _axis(model, op) -> int:
    out = model.tensors[op.outputs[0]]
    return int(op.options.get("axis", 0)) % len(out.shape)


def same_rank_and_axis(model, op) -> tuple:
    """Inputs and output share a rank of 1 to 4, and the axis lies within it."""
    ranks = {len(model.tensors[t].shape) for t in (*op.inputs, op.outputs[0])}
    if len(ranks) != 1 or not 1 <= min(ranks) <= 4:
        return False, f"inputs and output must share one rank of 1 to 4 (got ranks {sorted(ranks)})"
    rank, axis = ranks.pop(), int(op.options.get("axis", 0))
    return verdict([] if -rank <= axis < rank else [f"axis {axis} out of range for rank {rank}"])


def int8_inputs(model, op) -> tuple:
    """Every input (constants included) is int8 with the output's scale and zero point."""
    out = model.tensors[op.outputs[0]]
    for t in op.inputs:
        if t < 0:
            return False, "an input is missing (-1)"
        tensor = model.tensors[t]
        if tensor.type != "INT8" or tensor.quant is None or not same_quant(tensor, out):
            return False, f"input '{tensor.name}' must be int8 with the output's scale and zero point"
    return True, ""


def matching_shapes(model, op) -> tuple:
    """Inputs agree on every dimension but the axis."""
    axis = _axis(model, op)
    shapes = [list(model.tensors[t].shape) for t in op.inputs]
    rest = {tuple(s[:axis] + s[axis + 1:]) for s in shapes}
    return verdict([] if len(rest) == 1 else [f"input shapes {shapes} differ outside axis {axis}"])


def output_shape(model, op) -> tuple:
    axis = _axis(model, op)
    shape = list(model.tensors[op.inputs[0]].shape)
    shape[axis] = sum(model.tensors[t].shape[axis] for t in op.inputs)
    return tuple(shape)


def lower(model, op) -> Lowered:
    out = model.tensors[op.outputs[0]]
    axis = _axis(model, op)
    sizes = [int(np.prod(model.tensors[t].shape[axis:], dtype=np.int64)) for t in op.inputs]
    outer = int(np.prod(out.shape[:axis], dtype=np.int64))
    params = dict(num_inputs=len(op.inputs), outer=outer)
    return Lowered(kernel="tc_concat_s8", params_type="tc_concat_params", params=params,
                   arrays={"copy_sizes": np.array(sizes, dtype=np.int32)},
                   inputs=list(op.inputs), output=op.outputs[0])


def _concat_case(rng, seed):
    rank = int(rng.integers(2, 5))
    base = [1] + [int(v) for v in rng.integers(1, 6, rank - 1)]
    axis = int(rng.integers(1, rank))
    n = int(rng.integers(2, 4))
    shapes = []
    for _ in range(n):
        s = list(base)
        s[axis] = int(rng.integers(1, 6))
        shapes.append(tuple(s))
    axis_arg = axis - rank if rng.random() < 0.3 else axis
    fn = lambda *xs: tf().concat(list(xs), axis=axis_arg)  # noqa: E731
    return tf_case(("CONCATENATION",), fn, shapes, [pick_range(rng) for _ in shapes], seed,
                    f"{shapes} axis {axis_arg}")


SPECS = {"CONCATENATION": OpSpec(
    lower=lower, output_shape=output_shape, operands=(1, MAX_INPUTS), options="ConcatenationOptions",
    constraints=(same_rank_and_axis, int8_inputs, matching_shapes),
    cases=seeded("CONCATENATION", _concat_case))}

"""MEAN (int8) over constant axes, with TFLM's multiplier path: in/out scale quantized,
then 1/count folded into the multiplier (reference_ops::QuantizedMeanOrSum)."""
from __future__ import annotations

from ..lowering import Lowered
from ..quant import quantize_multiplier, tensor_scale, tensor_zero_point
from . import OpSpec
from .cases import pick_range, seeded, tf, tf_case
from .common import shape4, verdict


def _axes(model, op) -> list:
    inp = model.tensors[op.inputs[0]]
    rank = len(inp.shape)
    return sorted({int(a) % rank for a in model.tensors[op.inputs[1]].data.ravel()})


def axes(model, op) -> tuple:
    """Input of 1 to 4 dimensions; axes a constant int32 tensor of distinct axes within its rank."""
    inp, axes_t = model.tensors[op.inputs[0]], model.tensors[op.inputs[1]]
    rank = len(inp.shape)
    if not 1 <= rank <= 4:
        return False, f"input has {rank} dimensions (1 to 4 supported)"
    if not axes_t.is_const or axes_t.type != "INT32" or axes_t.size == 0:
        return False, "the axes are not a constant int32 tensor"
    values = [int(a) for a in axes_t.data.ravel()]
    if any(not -rank <= a < rank for a in values):
        return False, f"axes {values} out of range for a {rank}-D input"
    return verdict([] if len({a % rank for a in values}) == len(values) else
                   [f"axes {values} repeat an axis"])


def output_shape(model, op) -> tuple:
    inp = model.tensors[op.inputs[0]]
    reduced = set(_axes(model, op))
    if op.options.get("keepDims"):
        return tuple(1 if k in reduced else d for k, d in enumerate(inp.shape))
    return tuple(d for k, d in enumerate(inp.shape) if k not in reduced)


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple:
    multiplier, shift = quantize_multiplier(float(input_scale) / float(output_scale))
    n_shift = min(count.bit_length() - 1, 32, 31 + shift)
    return (multiplier << n_shift) // count, shift - n_shift


def lower(model, op) -> Lowered:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    dims = shape4(inp.shape)
    offset = 4 - len(inp.shape)
    reduce = [0] * 4
    for a in _axes(model, op):
        reduce[a + offset] = 1
    count = 1
    for d, r in zip(dims, reduce):
        count *= d if r else 1
    multiplier, shift = mean_multiplier(tensor_scale(inp), tensor_scale(out), count)
    params = dict(in_dims=dims, reduce=reduce, count=count,
                  input_zero_point=tensor_zero_point(inp), output_zero_point=tensor_zero_point(out),
                  multiplier=multiplier, shift=shift)
    return Lowered(kernel="tc_mean_s8", params_type="tc_mean_params", params=params, arrays={},
                   inputs=[op.inputs[0]], output=op.outputs[0])


def _mean_case(rng, seed):
    axes = [[1, 2], [2, 1], [1], [2], [3], [1, 2, 3]][rng.integers(6)]
    # reduced axes of size 1 would be folded away by the converter
    shape = (1, *(int(rng.integers(2, 9)) if k in axes else int(rng.integers(1, 9)) for k in (1, 2, 3)))
    keep = bool(rng.random() < 0.5)
    fn = lambda x: tf().reduce_mean(x, axis=axes, keepdims=keep)  # noqa: E731
    return tf_case(("MEAN",), fn, [shape], [pick_range(rng)], seed, f"{shape} axes {axes} keep {keep}")


SPECS = {"MEAN": OpSpec(lower=lower, output_shape=output_shape, operands=(2, 2),
                        options="ReducerOptions", constraints=(axes,),
                        cases=seeded("MEAN", _mean_case))}

"""STRIDED_SLICE (int8, 1-4-D, constant begin/end/strides): a strided copy.

TFLM works the slice out twice: Prepare checks the output shape with one set of index
rules (a shrunk axis always keeps one element) and Eval copies with another (a shrunk axis
that starts past the end, or runs backwards, copies nothing). Both are done here at
generation time; an op where they disagree, where TFLM would leave output bytes unwritten,
is refused. TFLM ignores ellipsis_mask, new_axis_mask and offset (it reads them as 0), so a
model that sets them is refused rather than sliced differently from TensorFlow.
"""
from __future__ import annotations

import math

import numpy as np

from ..lowering import Lowered
from . import OpSpec
from .cases import Case, pick_range, seeded, testmodels, tf, tf_case
from .common import verdict
from .reshape import equal_quantization

INT_MAX, INT_MIN = 2**31 - 1, -2**31


def _clamp(v, lo, hi):
    return hi if v > hi else lo if v < lo else v


def _indices(model, op):
    """(input shape, begin, end, strides) as int lists."""
    shape = list(model.tensors[op.inputs[0]].shape)
    begin, end, strides = (model.tensors[t].data.ravel().astype(np.int64).tolist()
                           for t in op.inputs[1:4])
    return shape, begin, end, strides


def _mask(op, name, axis) -> bool:
    return bool(int(op.options.get(name, 0)) >> axis & 1)


def _start(size, begin, stride, begin_masked) -> int:
    """The first index on an axis: negative counts from the end, clamped to the axis
    ([-1, size-1] going backwards); begin_mask starts at the first (last) element."""
    if begin_masked:
        return 0 if stride > 0 else size - 1
    begin = begin + size if begin < 0 else begin
    return _clamp(begin, 0, size) if stride > 0 else _clamp(begin, -1, size - 1)


def _stop(size, end, stride, end_masked) -> int:
    if end_masked:
        return size if stride > 0 else -1
    end = end + size if end < 0 else end
    return _clamp(end, 0, size) if stride > 0 else _clamp(end, -1, size - 1)


def axes(model, op, for_eval: bool) -> list:
    """Per axis (start, stop, stride, shrunk) as TFLM's Eval (for_eval) or Prepare computes it."""
    shape, begin, end, strides = _indices(model, op)
    result = []
    for axis, size in enumerate(shape):
        stride = strides[axis]
        start = _start(size, begin[axis], stride, _mask(op, "beginMask", axis))
        shrunk = _mask(op, "shrinkAxisMask", axis)
        if shrunk:    # Prepare: one element always; Eval: none when it starts past the end
            stop = start if for_eval and start >= size else start + 1
        else:
            stop = _stop(size, end[axis], stride, _mask(op, "endMask", axis))
        result.append((start, stop, stride, shrunk))
    return result


def indices(model, op) -> tuple:
    """Input of 1 to 4 dimensions; begin, end and strides constant int32 tensors of one value per input dimension; strides not 0."""
    rank = len(model.tensors[op.inputs[0]].shape)
    if not 1 <= rank <= 4:
        return False, f"input has {rank} dimensions (TFLM supports 1 to 4)"
    for name, t in zip(("begin", "end", "strides"), op.inputs[1:4]):
        tensor = model.tensors[t]
        if not tensor.is_const or tensor.type != "INT32" or tuple(tensor.shape) != (rank,):
            return False, (f"{name} is not a constant int32 tensor of {rank} values "
                           "(TFLM requires one)")
    if 0 in model.tensors[op.inputs[3]].data:
        return False, "a stride is 0 (TFLM refuses it)"
    return True, ""


def masks(model, op) -> tuple:
    """Masks: ellipsis_mask, new_axis_mask and offset are 0 (TFLM reads them as 0)."""
    set_ = [name for name in ("ellipsisMask", "newAxisMask", "offset") if op.options.get(name)]
    return verdict([] if not set_ else
                   [f"{', '.join(set_)} set, which TFLM ignores (it would slice differently from "
                    "TensorFlow): convert the model so that the slice needs none"])


def writes_every_output(model, op) -> tuple:
    """Every output element is written (TFLM's copy leaves none out: no shrunk axis that starts past the end or runs backwards)."""
    want = math.prod(len(range(*a[:3])) for a in axes(model, op, for_eval=False) if not a[3])
    copied = math.prod(len(range(*a[:3])) for a in axes(model, op, for_eval=True))
    return verdict([] if copied == want else
                   [f"TFLM would copy {copied} of the {want} output elements (a shrunk axis "
                    "that starts past the end or runs backwards)"])


def output_shape(model, op) -> tuple:
    """TFLM's Prepare: the length of every axis that is not shrunk."""
    return tuple(len(range(*a[:3])) for a in axes(model, op, for_eval=False) if not a[3])


def lower(model, op) -> Lowered:
    inp = model.tensors[op.inputs[0]]
    walk = axes(model, op, for_eval=True)
    pitch = [math.prod(inp.shape[k + 1:]) for k in range(len(inp.shape))]
    pad = 4 - len(walk)
    params = dict(base=sum(a[0] * p for a, p in zip(walk, pitch)),
                  counts=[1] * pad + [len(range(*a[:3])) for a in walk],
                  steps=[0] * pad + [a[2] * p for a, p in zip(walk, pitch)])
    return Lowered(kernel="tc_strided_slice_s8", params_type="tc_strided_slice_params",
                   params=params, arrays={}, inputs=[op.inputs[0]], output=op.outputs[0])


def _slice_case(rng, seed):
    """Even seeds: a slice written in TensorFlow (x[a:b:s, ...], ints that shrink an axis,
    negative indices and strides), as the converter emits it. Odd seeds: a flatbuffer with
    random begin/end/shrink masks and out-of-range indices, which the converter rewrites."""
    rank = int(rng.integers(1, 5))
    shape = tuple([1] + [int(v) for v in rng.integers(1, 8, rank - 1)]) if rank > 1 else \
        (int(rng.integers(2, 9)),)
    if seed % 2:
        return _flatbuffer_case(rng, seed, shape)
    while True:     # redrawn until the slice keeps something and changes something
        key = tuple(_tf_key(rng, size, full=axis == 0 and rank > 1)
                    for axis, size in enumerate(shape))
        out = np.zeros(shape)[key]
        if out.size and out.ndim and out.shape != shape:
            break
    fn = lambda x: x[key]  # noqa: E731
    in_range = pick_range(rng)
    return tf_case(("STRIDED_SLICE",), fn, [shape], [in_range], seed,
                   f"{shape}[{_key_text(key)}] -> {out.shape} range {in_range}")


def _tf_key(rng, size, full):
    """One axis of a TensorFlow slice: all of it, one index (shrinks it), or start:stop:step
    with indices sometimes negative, out of range or left out."""
    if full or rng.random() < 0.15:
        return slice(None)
    if rng.random() < 0.15:
        return int(rng.integers(-size, size))
    stride = int(rng.choice([1, 1, 2, 3, -1, -2]))
    lo, hi = sorted(int(v) for v in rng.integers(-size - 2, size + 3, 2))
    start, stop = (lo, hi) if stride > 0 else (hi, lo)
    return slice(start if rng.random() < 0.8 else None, stop if rng.random() < 0.8 else None,
                 stride)


def _key_text(key) -> str:
    def one(k):
        if isinstance(k, int):
            return str(k)
        parts = [k.start, k.stop] + ([k.step] if k.step is not None else [])
        return ":".join("" if v is None else str(v) for v in parts)
    return ", ".join(one(k) for k in key)


def _flatbuffer_case(rng, seed, shape) -> Case:
    """begin/end/strides and masks drawn directly; redrawn until the slice is not empty and
    TFLM's Prepare and Eval agree (numpy's slicing gives the expected shape)."""
    rank = len(shape)
    while True:
        strides = [int(rng.choice([1, 1, 2, 3, -1, -2, -3])) for _ in shape]
        begin = [int(rng.integers(-s - 3, s + 3)) for s in shape]
        end = [int(rng.integers(-s - 3, s + 3)) for s in shape]
        begin_mask, end_mask = (int(rng.integers(0, 1 << rank)) for _ in range(2))
        shrink = int(rng.integers(0, 1 << rank)) if rng.random() < 0.4 else 0
        key = []
        for k, size in enumerate(shape):
            if shrink >> k & 1:
                strides[k] = abs(strides[k])      # TFLM copies nothing for backward shrinks
                key.append(0 if begin_mask >> k & 1 else begin[k] + size if begin[k] < 0
                           else begin[k])
                continue
            key.append(slice(None if begin_mask >> k & 1 else begin[k],
                             None if end_mask >> k & 1 else end[k], strides[k]))
        if any(isinstance(k, int) and not 0 <= k < s for k, s in zip(key, shape)):
            continue
        expected = np.arange(math.prod(shape)).reshape(shape)[tuple(key)]
        if expected.size and expected.ndim:
            break
    scale = float(np.exp(rng.uniform(np.log(1e-3), np.log(1.0))))
    zp = int(rng.integers(-128, 128))

    def build():
        from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
        tm = testmodels()
        options = schema.StridedSliceOptionsT()
        options.beginMask, options.endMask, options.shrinkAxisMask = begin_mask, end_mask, shrink
        consts = [tm.TensorSpec((rank,), type="INT32", data=np.array(v, np.int32), name=n)
                  for n, v in (("begin", begin), ("end", end), ("strides", strides))]
        return tm.build_single_op(
            "STRIDED_SLICE", [tm.TensorSpec(shape, scale=scale, zero_point=zp, name="in"), *consts],
            [tm.TensorSpec(expected.shape, scale=scale, zero_point=zp, name="out")],
            options, "StridedSliceOptions")

    return Case(seed, ("STRIDED_SLICE",), [shape], [], None,
                f"{shape} begin {begin} end {end} strides {strides} masks begin {begin_mask} "
                f"end {end_mask} shrink {shrink} -> {expected.shape}", flatbuffer=build)


SPECS = {"STRIDED_SLICE": OpSpec(
    lower=lower, output_shape=output_shape, operands=(4, 4), options="StridedSliceOptions",
    constraints=(indices, masks, equal_quantization, writes_every_output),
    cases=seeded("STRIDED_SLICE", _slice_case))}

"""Shape arithmetic done at generation time: SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE chains.

A Keras `Reshape` layer in a model with a free batch dimension converts to
`tf.reshape(x, [tf.shape(x)[0], ...])`: SHAPE, STRIDED_SLICE and PACK compute the new shape
in int32 at run time. Every shape here is static (batch 1), so those values are known when
the code is generated: the ops that compute them are evaluated here, their outputs become
constants and the ops leave the graph, and the RESHAPE that reads them is a plain alias.
An int32 value that depends on data cannot be folded; check_supported then names the op.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .ops import strided_slice


def _shape(model, op, value):
    return np.array(model.tensors[op.inputs[0]].shape, np.int32)


def _slice(model, op, value):
    """TFLM's Eval order over constant int32 data (the int8 row's index rules)."""
    picked = [np.arange(start, stop, step)
              for start, stop, step, _ in strided_slice.axes(model, op, for_eval=True)]
    return value(op.inputs[0])[np.ix_(*picked)]


def _pack(model, op, value):
    return np.stack([value(t) for t in op.inputs], axis=int(op.options.get("axis", 0)))


def _concat(model, op, value):
    return np.concatenate([value(t) for t in op.inputs], axis=int(op.options.get("axis", 0)))


# op -> (model, op, value(tensor index) -> array) -> the output's int32 value
FOLDERS = {"SHAPE": _shape, "STRIDED_SLICE": _slice, "PACK": _pack, "CONCATENATION": _concat}


def _shape_value_op(model, op) -> bool:
    """An op this module evaluates: one int32 output, int32 operands (SHAPE reads any input)."""
    if (op.op not in FOLDERS or len(op.outputs) != 1 or not op.inputs or min(op.inputs) < 0
            or model.tensors[op.outputs[0]].type != "INT32"):
        return False
    operands = op.inputs[:1] if op.op == "STRIDED_SLICE" else op.inputs
    return op.op == "SHAPE" or all(model.tensors[t].type == "INT32" for t in operands)


def _evaluate(model, op, values):
    """The op's value, or None where its operands do not fit it (a malformed op stays in
    the graph, and its row or the unsupported-op check names it)."""
    if op.op == "STRIDED_SLICE" and (len(op.inputs) != 4 or not strided_slice.indices(model, op)[0]):
        return None
    try:
        return np.asarray(FOLDERS[op.op](model, op, values.__getitem__))
    except (ValueError, IndexError, TypeError, KeyError):
        return None


def fold_shape_ops(model):
    """The model with every int32 shape computation that only reads static shapes and
    constants evaluated into constant tensors and removed from the operators (the model
    itself when there is none). Ops keep their original index, so messages name them as
    the file does."""
    values = {t.index: t.data for t in model.tensors if t.is_const}
    kept, folded = [], {}
    for op in model.operators:
        if _shape_value_op(model, op) and (op.op == "SHAPE" or all(t in values for t in op.inputs)):
            out = model.tensors[op.outputs[0]]
            result = _evaluate(model, op, values)
            if result is not None and result.size == out.size:
                values[out.index] = folded[out.index] = result.astype(np.int32).reshape(out.shape)
                continue
        kept.append(op)
    if not folded:
        return model
    tensors = [dataclasses.replace(t, data=folded[t.index]) if t.index in folded else t
               for t in model.tensors]
    return dataclasses.replace(model, tensors=tensors, operators=kept)


def unfolded_problem(model, op) -> str | None:
    """Why a shape op stayed in the graph: the native runtime has no int32 kernels."""
    if not _shape_value_op(model, op):
        return None
    return (f"{op.op} computes an int32 shape from a value known only at run time; the native "
            "runtime needs shapes known when the code is generated (give the model fixed "
            "shapes, batch 1)")

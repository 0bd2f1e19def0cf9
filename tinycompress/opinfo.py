"""Facts about TFLite ops as tables: multiply-accumulate counts and what TFLite-Micro provides.

MACS maps an op name to a formula (model, op) -> MACs for one invocation, for every op,
native or not (the native runtime's layer figures come from here too). Elementwise
arithmetic (activations, comparisons, requantization) counts one per output value, pooling
one per window element read, softmax, logistic and tanh one per input value; ops that only
move data count zero. Every native op has a row, zero included (tests/test_ops_table.py),
so a new native op cannot be added without deciding its count; an op outside the table
counts zero.
"""
from __future__ import annotations

import numpy as np

from .firmware.tflm import RESOLVER_METHODS


def _operand(model, op, k):
    """Input k, or None when absent (a malformed op counts 0 MACs; the checks name it)."""
    return model.tensors[op.inputs[k]] if len(op.inputs) > k and op.inputs[k] >= 0 else None


def _out(model, op) -> int:
    return model.tensors[op.outputs[0]].size if op.outputs else 0


def _inner(model, op, k, dims):
    """The product of `dims` (a slice) of input k's shape, 0 when input k is absent."""
    t = _operand(model, op, k)
    return int(np.prod(t.shape[dims], dtype=np.int64)) if t is not None else 0


def _batch_matmul(model, op):
    a = _operand(model, op, 0)
    if a is None or len(a.shape) < 2:
        return 0
    return _out(model, op) * (a.shape[-2] if op.options.get("adjX") else a.shape[-1])


def _moves(model, op):
    """Data movement only (aliases, copies, padding, gathers): no arithmetic."""
    return 0


def _window(model, op):
    return op.options.get("filterHeight", 0) * op.options.get("filterWidth", 0)


MACS = {
    # filter (out_ch, kh, kw, in_ch): every output value is a kh*kw*in_ch dot product
    "CONV_2D": lambda m, op: _out(m, op) * _inner(m, op, 1, slice(1, None)),
    # filter (1, kh, kw, channels): each output value sums one kh*kw window
    "DEPTHWISE_CONV_2D": lambda m, op: _out(m, op) * _inner(m, op, 1, slice(1, 3)),
    # weights (units, in): one in-length dot product per output value
    "FULLY_CONNECTED": lambda m, op: _out(m, op) * _inner(m, op, 1, slice(-1, None)),
    # inputs (output_shape, filter (out_ch, kh, kw, in_ch), input): each input value is spread
    # over a kh*kw*out_ch patch
    "TRANSPOSE_CONV": lambda m, op: _inner(m, op, 2, slice(None)) * _inner(m, op, 1, slice(0, 3)),
    "BATCH_MATMUL": _batch_matmul,
    "AVERAGE_POOL_2D": lambda m, op: _out(m, op) * _window(m, op),
    "MAX_POOL_2D": lambda m, op: _out(m, op) * _window(m, op),
    "L2_POOL_2D": lambda m, op: _out(m, op) * _window(m, op),
    "ADD": _out,
    "SUB": _out,
    "MUL": _out,
    "SQUARED_DIFFERENCE": _out,
    "MEAN": lambda m, op: _inner(m, op, 0, slice(None)),
    "SUM": lambda m, op: _inner(m, op, 0, slice(None)),
    # one exponential/division step per input value
    "SOFTMAX": lambda m, op: _inner(m, op, 0, slice(None)),
    "LOGISTIC": lambda m, op: _inner(m, op, 0, slice(None)),
    "TANH": lambda m, op: _inner(m, op, 0, slice(None)),
    # one rescale, comparison or clamp per output value
    "RELU": _out,
    "RELU6": _out,
    "LEAKY_RELU": _out,
    "HARD_SWISH": _out,
    "MAXIMUM": _out,
    "MINIMUM": _out,
    "QUANTIZE": _out,
    "RESHAPE": _moves,
    "EXPAND_DIMS": _moves,
    "SQUEEZE": _moves,
    "PAD": _moves,
    "PADV2": _moves,
    "CONCATENATION": _moves,
    "RESIZE_NEAREST_NEIGHBOR": _moves,
    "STRIDED_SLICE": _moves,
}


def macs(model, op) -> int:
    """MACs of one invocation of `op`: the one count inspect, firmware reports and the
    benchmarks all print."""
    formula = MACS.get(op.op)
    return int(formula(model, op)) if formula else 0


# Builtin ops the TFLite-Micro interpreter registers: the ops of the TFLM runtime's resolver
# table (firmware/tflm.py RESOLVER_METHODS, written once from TFLM's op resolver; the tests
# check it against the Register_* symbols of the tflite-micro wheel).
TFLM_BUILTIN_OPS = frozenset(RESOLVER_METHODS)

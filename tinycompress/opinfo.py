"""Facts about TFLite ops as tables: multiply-accumulate counts and what TFLite-Micro provides.

MACS maps an op name to a formula (model, op) -> MACs for one invocation. Elementwise
arithmetic counts one per output value and pooling one per window element read; ops that
only move data count zero (they are absent from the table).
"""
from __future__ import annotations

import numpy as np


def _size(model, index) -> int:
    return model.tensors[index].size


def _out(model, op) -> int:
    return _size(model, op.outputs[0])


def _shape(model, op, k):
    return model.tensors[op.inputs[k]].shape


def _batch_matmul(model, op):
    a = _shape(model, op, 0)
    inner = a[-2] if op.options.get("adjX") else a[-1]
    return _out(model, op) * inner


MACS = {
    # filter (out_ch, kh, kw, in_ch): every output value is a kh*kw*in_ch dot product
    "CONV_2D": lambda m, op: _out(m, op) * int(np.prod(_shape(m, op, 1)[1:])),
    # filter (1, kh, kw, channels): each output value sums one kh*kw window
    "DEPTHWISE_CONV_2D": lambda m, op: _out(m, op) * int(np.prod(_shape(m, op, 1)[1:3])),
    # weights (units, in): one in-length dot product per output value
    "FULLY_CONNECTED": lambda m, op: _out(m, op) * _shape(m, op, 1)[-1],
    # inputs (output_shape, filter (out_ch, kh, kw, in_ch), input): each input value is spread
    # over a kh*kw*out_ch patch
    "TRANSPOSE_CONV": lambda m, op: _size(m, op.inputs[2]) * int(np.prod(_shape(m, op, 1)[:3])),
    "BATCH_MATMUL": _batch_matmul,
    "AVERAGE_POOL_2D": lambda m, op: _out(m, op) * op.options["filterHeight"] * op.options["filterWidth"],
    "L2_POOL_2D": lambda m, op: _out(m, op) * op.options["filterHeight"] * op.options["filterWidth"],
    "ADD": lambda m, op: _out(m, op),
    "SUB": lambda m, op: _out(m, op),
    "MUL": lambda m, op: _out(m, op),
    "SQUARED_DIFFERENCE": lambda m, op: _out(m, op),
    "MEAN": lambda m, op: _size(m, op.inputs[0]),
    "SUM": lambda m, op: _size(m, op.inputs[0]),
}


def macs(model, op) -> int:
    formula = MACS.get(op.op)
    return int(formula(model, op)) if formula else 0


# Builtin ops the TFLite-Micro interpreter registers (read from the Register_* symbols of the
# tflite-micro wheel's _runtime.so; tests/test_inspect.py checks this table against it).
TFLM_BUILTIN_OPS = frozenset("""
    ABS ADD ADD_N ARG_MAX ARG_MIN ASSIGN_VARIABLE AVERAGE_POOL_2D BATCH_MATMUL BATCH_TO_SPACE_ND
    BROADCAST_ARGS BROADCAST_TO CALL_ONCE CAST CEIL CONCATENATION CONV_2D COS CUMSUM
    DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE DIV DYNAMIC_UPDATE_SLICE ELU EMBEDDING_LOOKUP EQUAL EXP EXPAND_DIMS
    FILL FLOOR FLOOR_DIV FLOOR_MOD FULLY_CONNECTED GATHER GATHER_ND GREATER GREATER_EQUAL
    HARD_SWISH IF L2_NORMALIZATION L2_POOL_2D LEAKY_RELU LESS LESS_EQUAL LOG LOGICAL_AND
    LOGICAL_NOT LOGICAL_OR LOGISTIC LOG_SOFTMAX MAXIMUM MAX_POOL_2D MEAN MINIMUM MIRROR_PAD MUL
    NEG NOT_EQUAL PACK PAD PADV2 PRELU QUANTIZE READ_VARIABLE REDUCE_ALL REDUCE_MAX REDUCE_MIN
    RELU RELU6 RESHAPE RESIZE_BILINEAR RESIZE_NEAREST_NEIGHBOR REVERSE_V2 ROUND RSQRT SELECT_V2
    SHAPE SIN SLICE SOFTMAX SPACE_TO_BATCH_ND SPACE_TO_DEPTH SPLIT SPLIT_V SQRT SQUARE
    SQUARED_DIFFERENCE SQUEEZE STRIDED_SLICE SUB SUM SVDF TANH TRANSPOSE TRANSPOSE_CONV
    UNIDIRECTIONAL_SEQUENCE_LSTM UNPACK VAR_HANDLE WHILE ZEROS_LIKE
""".split())

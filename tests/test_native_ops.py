"""Per-op bit-exactness of the native runtime against the TFLM host interpreter.

Every op gets 32 seeded configurations (shapes, strides, padding, broadcasting, zero points
at the extremes, fused activations): a one-op int8 model is built with TensorFlow's
converter (QUANTIZE int8->int8, which the converter does not emit alone, is written
directly as a flatbuffer), compiled with the host gcc through generate + hostbuild and run
on the same inputs as TFLM; outputs must match byte for byte. The first 10 configurations
per op run by default, the rest under -m slow.
"""
from __future__ import annotations

import functools
import shutil
import zlib
from dataclasses import dataclass

import numpy as np
import pytest

from tinycompress import tflm_host
from tinycompress.firmware.native import testmodels as tm
from tinycompress.firmware.native.hostbuild import HostModel
from tinycompress.tflite_model import parse_tflite

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="host gcc not installed")

N_FAST, N_ALL, N_VECTORS = 10, 32, 24

# Input ranges: zero points at both extremes, symmetric, skewed, tiny and wide scales.
RANGES = [(-1.0, 1.0), (0.0, 1.0), (-1.0, 0.0), (-4.0, 2.0), (-0.1, 0.3), (0.0, 6.0),
          (-20.0, 20.0), (-0.02, 0.02), (-3.0, 9.0)]


def _tf():
    from tinycompress.tfcompat import tf
    return tf


def _activation(name):
    tf = _tf()
    return {"NONE": lambda x: x, "RELU": tf.nn.relu, "RELU6": tf.nn.relu6,
            "RELU_N1_TO_1": lambda x: tf.clip_by_value(x, -1.0, 1.0)}[name]


@dataclass
class Case:
    ops: tuple            # acceptable op names of the single op (PAD may become PADV2)
    build: object         # () -> .tflite bytes
    desc: str


def _rng_range(rng):
    return RANGES[rng.integers(len(RANGES))]


def _tf_case(ops, fn, shapes, ranges, seed, desc):
    return Case(ops, lambda: tm.build_int8(fn, shapes, ranges, seed=seed), desc)


def _pool_case(op):
    def make(rng, seed):
        h, w, c = (int(v) for v in rng.integers(1, [11, 11, 7]))
        padding = ["SAME", "VALID"][rng.integers(2)]
        fh, fw = int(rng.integers(1, min(h, 4) + 1)), int(rng.integers(1, min(w, 4) + 1))
        sh, sw = (int(v) for v in rng.integers(1, 4, 2))
        act = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"][rng.integers(4)]
        pool = _tf().nn.avg_pool2d if op == "AVERAGE_POOL_2D" else _tf().nn.max_pool2d
        fn = lambda x: _activation(act)(pool(x, (fh, fw), (sh, sw), padding))  # noqa: E731
        return _tf_case((op,), fn, [(1, h, w, c)], [_rng_range(rng)], seed,
                        f"{h}x{w}x{c} f{fh}x{fw} s{sh}x{sw} {padding} {act}")
    return make


def _binary_case(op):
    def make(rng, seed):
        tf = _tf()
        rank = int(rng.choice([2, 3, 4], p=[0.2, 0.2, 0.6]))
        shape = tuple(int(v) for v in rng.integers(1, 7, rank))
        shape = (1,) + shape[1:]
        other = list(shape)
        for k in range(1, rank):           # broadcast some dimensions of the second operand
            if rng.random() < 0.35:
                other[k] = 1
        if rng.random() < 0.5:
            shape, other = tuple(other), shape
        act = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"][rng.integers(4)]
        f = tf.add if op == "ADD" else tf.multiply
        if rng.random() < 0.2:            # a constant operand, emitted in flash
            const = tf.constant(rng.uniform(-2, 2, other).astype(np.float32))
            fn = lambda x: _activation(act)(f(x, const))  # noqa: E731
            return _tf_case((op,), fn, [shape], [_rng_range(rng)], seed,
                            f"{shape} (+) const{tuple(other)} {act}")
        fn = lambda x, y: _activation(act)(f(x, y))  # noqa: E731
        return _tf_case((op,), fn, [shape, tuple(other)], [_rng_range(rng), _rng_range(rng)],
                        seed, f"{shape} (+) {tuple(other)} {act}")
    return make


def _reshape_case(rng, seed):
    dims = [int(v) for v in rng.integers(1, 6, 3)]
    size = int(np.prod(dims))
    target = (1, size) if rng.random() < 0.5 else (1, dims[2], dims[0] * dims[1])
    fn = lambda x: _tf().reshape(x, target)  # noqa: E731
    return _tf_case(("RESHAPE",), fn, [(1, *dims)], [_rng_range(rng)], seed, f"{dims} -> {target}")


def _softmax_case(rng, seed):
    shape = [(1, int(rng.integers(1, 41))), (1, *(int(v) for v in rng.integers(1, 6, 2)), int(rng.integers(2, 20))),
             (1, int(rng.integers(1, 5)), int(rng.integers(2, 30)))][rng.integers(3)]
    lo = -float(rng.choice([0.5, 2, 8, 30, 100]))
    hi = float(rng.choice([0.1, 1, 5, 20]))
    fn = lambda x: _tf().nn.softmax(x)  # noqa: E731
    return _tf_case(("SOFTMAX",), fn, [shape], [(lo, hi)], seed, f"{shape} range ({lo}, {hi})")


def _logistic_case(rng, seed):
    shape = tuple([1] + [int(v) for v in rng.integers(1, 8, int(rng.integers(1, 4)))])
    rng_ = [(-10.0, 10.0), (-0.5, 0.5), (0.0, 8.0), (-16.0, 4.0), (-3.0, 3.0), (-40.0, 40.0)][rng.integers(6)]
    fn = lambda x: _tf().sigmoid(x)  # noqa: E731
    return _tf_case(("LOGISTIC",), fn, [shape], [rng_], seed, f"{shape} range {rng_}")


def _pad_case(rng, seed):
    shape = (1, *(int(v) for v in rng.integers(1, 6, 3)))
    pads = [[0, 0]] + [[int(a), int(b)] for a, b in rng.integers(0, 4, (3, 2))]
    pads[1][0] = max(pads[1][0], 1)   # all-zero paddings would be folded away
    value = 0.0 if rng.random() < 0.6 else float(rng.uniform(-1, 1))
    fn = lambda x: _tf().pad(x, pads, constant_values=value)  # noqa: E731
    return _tf_case(("PAD", "PADV2"), fn, [shape], [_rng_range(rng)], seed, f"{shape} {pads} value {value:.2f}")


def _mean_case(rng, seed):
    axes = [[1, 2], [2, 1], [1], [2], [3], [1, 2, 3]][rng.integers(6)]
    # reduced axes of size 1 would be folded away by the converter
    shape = (1, *(int(rng.integers(2, 9)) if k in axes else int(rng.integers(1, 9)) for k in (1, 2, 3)))
    keep = bool(rng.random() < 0.5)
    fn = lambda x: _tf().reduce_mean(x, axis=axes, keepdims=keep)  # noqa: E731
    return _tf_case(("MEAN",), fn, [shape], [_rng_range(rng)], seed, f"{shape} axes {axes} keep {keep}")


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
    fn = lambda *xs: _tf().concat(list(xs), axis=axis_arg)  # noqa: E731
    return _tf_case(("CONCATENATION",), fn, shapes, [_rng_range(rng) for _ in shapes], seed,
                    f"{shapes} axis {axis_arg}")


def _quantize_case(rng, seed):
    shape = tuple([1] + [int(v) for v in rng.integers(1, 8, int(rng.integers(1, 4)))])
    scales = np.exp(rng.uniform(np.log(1e-3), np.log(2.0), 2))
    zps = [int(z) for z in rng.choice([-128, 127, 0, int(rng.integers(-128, 128))], 2)]
    spec_in = tm.TensorSpec(shape, scale=float(scales[0]), zero_point=zps[0], name="in")
    spec_out = tm.TensorSpec(shape, scale=float(scales[1]), zero_point=zps[1], name="requantized")
    return Case(("QUANTIZE",), lambda: tm.build_single_op("QUANTIZE", [spec_in], [spec_out]),
                f"{shape} scale {scales[0]:.4g}->{scales[1]:.4g} zp {zps[0]}->{zps[1]}")


GENERATORS = {
    "AVERAGE_POOL_2D": _pool_case("AVERAGE_POOL_2D"),
    "MAX_POOL_2D": _pool_case("MAX_POOL_2D"),
    "ADD": _binary_case("ADD"),
    "MUL": _binary_case("MUL"),
    "RESHAPE": _reshape_case,
    "SOFTMAX": _softmax_case,
    "LOGISTIC": _logistic_case,
    "PAD": _pad_case,
    "MEAN": _mean_case,
    "CONCATENATION": _concat_case,
    "QUANTIZE": _quantize_case,
}


@functools.lru_cache(maxsize=None)
def _case(op: str, i: int) -> Case:
    rng = np.random.default_rng([zlib.crc32(op.encode()), i])
    return GENERATORS[op](rng, seed=i)


@functools.lru_cache(maxsize=None)
def _model_bytes(op: str, i: int) -> bytes:
    return _case(op, i).build()


def _vectors(model, seed):
    """Random int8 inputs plus the all-minimum and all-maximum vectors."""
    vectors = tm.random_inputs(model, N_VECTORS - 2, seed=seed)
    for fill in (-128, 127):
        vectors.append([np.full(t.shape, fill, np.int8) for t in model.input_tensors])
    return vectors


PARAMS = [pytest.param(op, i, id=f"{op}-{i}", marks=() if i < N_FAST else pytest.mark.slow)
          for op in GENERATORS for i in range(N_ALL)]


@pytest.mark.parametrize("op,i", PARAMS)
def test_native_op_matches_tflm_byte_for_byte(op, i, tmp_path):
    case = _case(op, i)
    data = _model_bytes(op, i)
    model = parse_tflite(data, f"{op}-{i}")
    assert [o.op for o in model.operators] in [[name] for name in case.ops], case.desc
    vectors = _vectors(model, seed=i)
    ours = HostModel(model, tmp_path).run(vectors)
    theirs = tflm_host.run(data, vectors).outputs
    for n, (mine, ref) in enumerate(zip(ours, theirs)):
        for a, b in zip(mine, ref):
            np.testing.assert_array_equal(a, b, err_msg=f"{op} config {i} ({case.desc}), vector {n}")

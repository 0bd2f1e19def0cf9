"""Per-op bit-exactness of the native runtime against the TFLM host interpreter.

Every op row's generator (OpSpec.cases, native/ops/) gives 32 seeded configurations (shapes, strides, padding, broadcasting, zero points
at the extremes, fused activations): a one-op int8 model is built with TensorFlow's
converter (QUANTIZE int8->int8, which the converter does not emit alone, is written
directly as a flatbuffer), compiled with the host gcc through generate + hostbuild and run
on the same inputs as TFLM; outputs must match byte for byte. The first 10 configurations
per op run by default, the rest under -m slow.
"""
from __future__ import annotations

import functools
import shutil

import numpy as np
import pytest

from tinycompress import tflm_host
import testmodels as tm
from tinycompress.firmware.native.hostbuild import HostModel
from tinycompress.firmware.native.ops import OPS
from tinycompress.tflite_model import parse_tflite

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="host gcc not installed")

N_FAST, N_ALL, N_VECTORS = 10, 32, 24

# Each row's own generator (OpSpec.cases); the multiply-accumulate ops put many cases into
# one model instead (tests/test_native_conv.py, _depthwise.py, _fc.py). PADV2 shares PAD's.
MAC_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")
GENERATORS = {}
for _name, _spec in OPS.items():
    if _name not in MAC_OPS and _spec.cases not in GENERATORS.values():
        GENERATORS[_name] = _spec.cases


def test_every_op_row_brings_a_case_generator():
    assert all(spec.cases is not None for spec in OPS.values())


@functools.lru_cache(maxsize=None)
def _case(op: str, i: int):
    return GENERATORS[op](i)


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
    assert [o.op for o in model.operators] in [[name] for name in case.ops], case.describe
    vectors = _vectors(model, seed=i)
    ours = HostModel(model, tmp_path).run(vectors)
    theirs = tflm_host.run(data, vectors).outputs
    for n, (mine, ref) in enumerate(zip(ours, theirs)):
        for a, b in zip(mine, ref):
            np.testing.assert_array_equal(a, b, err_msg=f"{op} config {i} ({case.describe}), vector {n}")

"""Shared machinery for the CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED bit-exact tests.

A case is a seeded configuration: `make(seed) -> Case` draws shapes, strides, padding,
dilation, per-channel weight scales, bias, activation and an input range (the range sets
the input zero point: (0, 1) gives -128, (-1, 0) gives 127).

Default runs put every case of an op into ONE model, each case an independent branch
(input_i -> op -> output_i): one conversion, one TFLM run and one host compile for 30+
configurations. The slow variant builds and checks each case as its own one-op model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tinycompress import tflm_host
from tinycompress.tflite_model import parse_tflite

# The case helpers live with the op rows (native/ops/cases.py); re-exported for the
# weight-format tests' own cases.
from tinycompress.firmware.native.ops.cases import (ACTIVATIONS, activate, bias_for,  # noqa: E402,F401
                                                    channel_weights)
from tinycompress.firmware.native.ops.cases import MAC_RANGES as RANGES  # noqa: E402,F401


@dataclass
class Case:
    """A hand-written MAC case (the rows' generators give ops.cases.Case, which reads the same)."""
    seed: int
    input_shape: tuple
    input_range: tuple
    fn: object                       # tf tensor -> tf tensor (built lazily: tf inside)
    describe: str
    extra: dict = field(default_factory=dict)


def _vectors(model, count, seed):
    rng = np.random.default_rng(seed)
    vectors = []
    for k in range(count):
        row = []
        for t in model.input_tensors:
            if k == 0:
                row.append(np.full(t.shape, -128, np.int8))
            elif k == 1:
                row.append(np.full(t.shape, 127, np.int8))
            else:
                row.append(rng.integers(-128, 128, t.shape, dtype=np.int8))
        vectors.append(row)
    return vectors


def build_model(cases, **convert_options) -> bytes:
    from testmodels import build_int8

    def fn(*xs):
        return tuple(case.fn(x) for case, x in zip(cases, xs))

    return build_int8(fn, [c.input_shape for c in cases], [c.input_range for c in cases],
                      seed=cases[0].seed, **convert_options)


def assert_bit_exact(model_bytes, op_name, n_ops, vectors=4, seed=0, describe=(), weights="dense",
                     wide=None):
    """Every op is `op_name` (the case was not rewritten by the converter) and the native
    runtime's outputs (with weight format policy `weights`, CONV_2D weight layout `wide`)
    equal the TFLM host interpreter's byte for byte. Returns the generated model's NativeInfo."""
    from tinycompress.firmware.native.hostbuild import HostModel

    model = parse_tflite(model_bytes, f"{op_name} test model")
    ops = [op.op for op in model.operators]
    assert ops == [op_name] * n_ops, f"converter produced {ops}"
    inputs = _vectors(model, vectors, seed)
    expected = tflm_host.run(model_bytes, inputs).outputs
    host = HostModel(model, weights=weights, wide=wide)
    try:
        got = host.run(inputs)
    finally:
        host.close()
    bad = []
    for v, (want_row, got_row) in enumerate(zip(expected, got)):
        for k, (want, have) in enumerate(zip(want_row, got_row)):
            if not np.array_equal(want.reshape(have.shape), have):
                t = model.output_tensors[k]
                diff = int(np.count_nonzero(want.reshape(have.shape) != have))
                bad.append(f"vector {v} output '{t.name}' {t.shape}: {diff} bytes differ")
    assert not bad, "\n".join(bad[:10]) + "\n" + "\n".join(describe)
    return host.info

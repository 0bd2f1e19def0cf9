"""Test cases for the op rows: `OpSpec.cases(seed) -> Case`, a seeded one-op configuration.

A case is a function of TensorFlow tensors (traced and converted to full int8 by
tests/testmodels.py build_int8, with each input's float range setting its scale and zero point) or,
for what the converter does not emit alone, a flatbuffer built directly. TensorFlow is
imported only when a case is built. tests/test_native_ops.py (and the conv / depthwise / FC
tests, which put many cases into one model) run every row's cases against the TFLM host
interpreter byte for byte, so a new row brings its tests with it.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

ACTIVATIONS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
# Input ranges: zero points at both extremes, symmetric, skewed, tiny and wide scales.
RANGES = [(-1.0, 1.0), (0.0, 1.0), (-1.0, 0.0), (-4.0, 2.0), (-0.1, 0.3), (0.0, 6.0),
          (-20.0, 20.0), (-0.02, 0.02), (-3.0, 9.0)]
# The multiply-accumulate ops': symmetric, zero point -128, zero point 127, skewed both ways.
MAC_RANGES = [(-1.0, 1.0), (0.0, 1.0), (-1.0, 0.0), (-0.3, 2.5), (-4.0, 0.1)]


@dataclass
class Case:
    seed: int
    ops: tuple                     # the op names the converter may emit for it (PAD or PADV2)
    input_shapes: list
    input_ranges: list
    fn: Callable | None            # (*tf inputs) -> tf output; None when `flatbuffer` builds it
    describe: str
    flatbuffer: Callable | None = None   # () -> .tflite bytes, for ops the converter won't emit
    extra: dict = field(default_factory=dict)

    @property
    def input_shape(self):         # the MAC cases have one input
        return self.input_shapes[0]

    @property
    def input_range(self):
        return self.input_ranges[0]

    def build(self, **convert_options) -> bytes:
        if self.flatbuffer is not None:
            return self.flatbuffer()
        return testmodels().build_int8(self.fn, self.input_shapes, self.input_ranges, seed=self.seed,
                          **convert_options)


def testmodels():
    """tests/testmodels.py, the TensorFlow and flatbuffer model builders: test support, so
    not installed; cases are built only where tests/ is importable (pytest, or a tool that
    puts tests/ on sys.path)."""
    try:
        import testmodels as module
    except ModuleNotFoundError:
        raise RuntimeError("building op test cases needs tests/testmodels.py: run from a "
                           "source checkout with tests/ on sys.path") from None
    return module


def seeded(op: str, make) -> Callable:
    """cases(seed) for a generator make(rng, seed) drawing from an rng seeded by op and seed."""
    return lambda seed: make(np.random.default_rng([zlib.crc32(op.encode()), seed]), seed)


def tf():
    from ....tfcompat import tf as tensorflow
    return tensorflow


def activate(tf_, name, t):
    return {"NONE": lambda x: x, "RELU": tf_.nn.relu, "RELU6": tf_.nn.relu6,
            "RELU_N1_TO_1": lambda x: tf_.clip_by_value(x, -1.0, 1.0)}[name](t)


def add_bias_and_activate(tf_, y, bias, activation_name):
    """y + bias (None: no bias), then the fused activation, as a MAC layer computes it."""
    if bias is not None:
        y = y + tf_.constant(bias)
    return activate(tf_, activation_name, y)


def activation(name):
    return lambda x: activate(tf(), name, x)


def pick_range(rng):
    return RANGES[rng.integers(len(RANGES))]


def tf_case(ops, fn, shapes, ranges, seed, describe) -> Case:
    return Case(seed, tuple(ops), [tuple(s) for s in shapes], list(ranges), fn, describe)


def window_input(rng, k, dilation) -> tuple:
    """(padding, [h, w]) for a windowed op: SAME or VALID, the input at least the dilated
    filter under VALID and up to 7 pixels more."""
    padding = str(rng.choice(["SAME", "VALID"]))
    effective = [(k[i] - 1) * dilation[i] + 1 for i in range(2)]
    return padding, [int(rng.integers(effective[i] if padding == "VALID" else 1, effective[i] + 8))
                     for i in range(2)]


def channel_weights(rng, shape, channel_axis, fan_in, in_range):
    """Normal weights with a different magnitude per output channel (per-channel scales
    spanning 1.5 decades), sized so that outputs are of order one for this input range."""
    w = rng.normal(size=shape) / (np.sqrt(fan_in) * max(abs(in_range[0]), abs(in_range[1])))
    scale_shape = [1] * len(shape)
    scale_shape[channel_axis] = shape[channel_axis]
    return (w * 10.0 ** rng.uniform(-1, 0.5, scale_shape)).astype(np.float32)


def bias_for(rng, n, activation_name):
    """Bias of order one; without an activation, sometimes shifted far to one side so that
    the output zero point lands at an extreme (-128 or 127)."""
    shift = rng.choice([0.0, 3.0, -3.0]) if activation_name == "NONE" else 0.0
    return (rng.normal(size=n) * 0.3 + shift).astype(np.float32)

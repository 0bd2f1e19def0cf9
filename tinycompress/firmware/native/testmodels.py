"""Small int8 .tflite models for tests, built with TensorFlow's converter (seeded).

build_int8(fn, input_shapes, ranges, seed) traces `fn` (float tensors in, float out) and
converts it to full-integer int8 with a representative dataset drawn uniformly from each
input's range: the range sets the input's scale and zero point (e.g. (0, 1) gives zero
point -128, (-1, 0) gives 127).
"""
from __future__ import annotations

import numpy as np

from ...tflite_model import parse_tflite


def build_int8(fn, input_shapes, ranges=(-1.0, 1.0), seed: int = 0, samples: int = 32,
               per_channel_dense: bool = True) -> bytes:
    """Convert `fn(*inputs)` to an int8 .tflite (int8 input and output).

    per_channel_dense=False gives FULLY_CONNECTED per-tensor weight scales (the converter's
    default is per-channel)."""
    from ...tfcompat import tf

    shapes = [tuple(s) for s in input_shapes]
    if isinstance(ranges[0], (int, float)):
        ranges = [tuple(ranges)] * len(shapes)
    rng = np.random.default_rng(seed)
    specs = [tf.TensorSpec(s, tf.float32) for s in shapes]
    fn = tf.autograph.experimental.do_not_convert(fn)   # plain graph ops, no source parsing
    concrete = tf.function(fn, input_signature=specs).get_concrete_function()

    def representative():
        for k in range(samples):
            # the first two samples pin the range ends so the scales are reproducible
            yield [np.full(s, (lo, hi)[k], np.float32) if k < 2 else
                   rng.uniform(lo, hi, s).astype(np.float32)
                   for s, (lo, hi) in zip(shapes, ranges)]

    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    converter._experimental_disable_per_channel_quantization_for_dense_layers = not per_channel_dense
    return bytes(converter.convert())


def op_names(model_bytes: bytes) -> list:
    return [op.op for op in parse_tflite(model_bytes, "test model").operators]


def random_inputs(model, count: int, seed: int = 0) -> list:
    """`count` vectors of uniform int8 inputs (full range), one array per graph input."""
    rng = np.random.default_rng(seed)
    return [[rng.integers(-128, 128, t.shape, dtype=np.int8) for t in model.input_tensors]
            for _ in range(count)]

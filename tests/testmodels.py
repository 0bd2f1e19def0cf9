"""Small int8 .tflite models for tests, built with TensorFlow's converter (seeded).

build_int8(fn, input_shapes, ranges, seed) traces `fn` (float tensors in, float out) and
converts it to full-integer int8 with a representative dataset drawn uniformly from each
input's range: the range sets the input's scale and zero point (e.g. (0, 1) gives zero
point -128, (-1, 0) gives 127).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinycompress.tflite_model import parse_tflite


def build_int8(fn, input_shapes, ranges=(-1.0, 1.0), seed: int = 0, samples: int = 32,
               per_channel_dense: bool = True) -> bytes:
    """Convert `fn(*inputs)` to an int8 .tflite (int8 input and output).

    per_channel_dense=False gives FULLY_CONNECTED per-tensor weight scales (the converter's
    default is per-channel)."""
    from tinycompress.tfcompat import tf

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


# --- hand-built flatbuffers (ops and tensor types TensorFlow's converter does not emit) -----

@dataclass
class TensorSpec:
    shape: tuple
    type: str = "INT8"
    scale: float | None = None     # None: no quantization parameters
    zero_point: int = 0
    data: np.ndarray | None = None  # constant contents
    name: str = ""


def build_single_op(op: str, inputs: list, outputs: list, options=None, options_type: str = "") -> bytes:
    """A one-op model written directly with the TFLite schema's object API.

    inputs/outputs: TensorSpec lists (constant inputs carry data); options: a schema
    <Name>OptionsT object, options_type its BuiltinOptions name (e.g. "AddOptions").
    """
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    from tinycompress.tflite_model import BUILTIN_OPS, TENSOR_TYPES

    op_codes = {v: k for k, v in BUILTIN_OPS.items()}
    type_codes = {v: k for k, v in TENSOR_TYPES.items()}
    buffers, tensors = [schema.BufferT()], []
    for i, spec in enumerate(list(inputs) + list(outputs)):
        t = schema.TensorT()
        t.shape = list(spec.shape)
        t.type = type_codes[spec.type]
        t.name = spec.name or f"t{i}"
        if spec.scale is not None:
            q = schema.QuantizationParametersT()
            q.scale, q.zeroPoint = [float(spec.scale)], [int(spec.zero_point)]
            t.quantization = q
        buf = schema.BufferT()
        if spec.data is not None:
            buf.data = list(np.ascontiguousarray(spec.data).tobytes())
        t.buffer = len(buffers)
        buffers.append(buf)
        tensors.append(t)
    code = schema.OperatorCodeT()
    code.builtinCode = op_codes[op]
    code.deprecatedBuiltinCode = min(op_codes[op], 127)
    code.version = 1
    operator = schema.OperatorT()
    operator.opcodeIndex = 0
    operator.inputs = list(range(len(inputs)))
    operator.outputs = list(range(len(inputs), len(inputs) + len(outputs)))
    if options is not None:
        operator.builtinOptionsType = getattr(schema.BuiltinOptions, options_type)
        operator.builtinOptions = options
    graph = schema.SubGraphT()
    graph.tensors = tensors
    graph.operators = [operator]
    graph.inputs = [i for i, s in enumerate(inputs) if s.data is None]
    graph.outputs = list(operator.outputs)
    model = schema.ModelT()
    model.version = 3
    model.operatorCodes = [code]
    model.subgraphs = [graph]
    model.buffers = buffers
    model.description = "tinycompress test model"
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())

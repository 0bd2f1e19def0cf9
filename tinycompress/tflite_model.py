"""Read a .tflite flatbuffer into plain dataclasses, validating it fully on the way.

The host TFLM interpreter trusts the flatbuffer it is given (malformed models run silently
or crash the process), so every structural fact TFLM relies on is checked here first:
schema version, one subgraph, index ranges, buffer sizes, shapes, quantization and the
order of the graph. Nothing here imports TensorFlow: the schema comes with tflite-micro.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import TinyCompressError

# The flatbuffer schema shipped inside the tflite-micro wheel (no TensorFlow import).
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

SCHEMA_VERSION = 3


def _enum_names(enum_cls):
    return {v: k for k, v in vars(enum_cls).items() if not k.startswith("_") and isinstance(v, int)}


TENSOR_TYPES = _enum_names(schema.TensorType)          # 9 -> "INT8"
BUILTIN_OPS = _enum_names(schema.BuiltinOperator)      # 3 -> "CONV_2D"
ACTIVATIONS = _enum_names(schema.ActivationFunctionType)
PADDINGS = _enum_names(schema.Padding)
BUILTIN_OPTIONS = _enum_names(schema.BuiltinOptions)   # 1 -> "Conv2DOptions"

# TFLM sizes tensors in int32 bytes (and a microcontroller addresses at most 4 GB): a
# larger tensor is a corrupt or hostile file, refused before anything allocates it.
MAX_TENSOR_BYTES = 2 ** 31 - 1

NUMPY_DTYPES = {
    "FLOAT32": np.float32, "FLOAT16": np.float16, "FLOAT64": np.float64,
    "INT8": np.int8, "UINT8": np.uint8, "INT16": np.int16, "UINT16": np.uint16,
    "INT32": np.int32, "UINT32": np.uint32, "INT64": np.int64, "UINT64": np.uint64,
    "BOOL": np.bool_,
}

# Zero points a quantized tensor of each type may hold.
ZERO_POINT_RANGE = {"INT8": (-128, 127), "UINT8": (0, 255), "INT16": (0, 0),
                    "INT32": (0, 0), "INT64": (0, 0)}

# Option fields that must be at least 1 (a 0 stride or filter size divides by zero in TFLM).
POSITIVE_OPTIONS = ("strideW", "strideH", "filterWidth", "filterHeight",
                    "dilationWFactor", "dilationHFactor", "depthMultiplier")

# What a file looks like when it is not a flatbuffer, for a message that helps.
_LOOKALIKES = (
    (b"version https://git-lfs", "a Git LFS pointer, not the model: run `git lfs pull`"),
    (b"<!DOCTYPE", "an HTML page, not a model: download the raw file"),
    (b"<html", "an HTML page, not a model: download the raw file"),
    (b"\x89HDF", "a Keras .h5 file: convert it first with `tinycompress convert`"),
    (b"PK\x03\x04", "a zip archive (a .keras model?): convert it first with `tinycompress convert`"),
)


@dataclass(frozen=True)
class Quantization:
    scale: np.ndarray        # float32, one per tensor or one per channel
    zero_point: np.ndarray   # int64, same length as scale
    axis: int                # the channel axis when per-channel

    @property
    def per_channel(self) -> bool:
        return self.scale.size > 1


@dataclass
class Tensor:
    index: int
    name: str
    type: str                      # schema name: "INT8", "INT32", "FLOAT32", ...
    shape: tuple
    quant: Quantization | None
    data: np.ndarray | None = None  # constant contents, typed and shaped; None for activations

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def dtype(self):
        return NUMPY_DTYPES[self.type]

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return self.size * np.dtype(self.dtype).itemsize


@dataclass
class Operator:
    index: int
    op: str                  # "CONV_2D", "FULLY_CONNECTED", ... (or "CUSTOM")
    version: int
    inputs: tuple            # tensor indices; -1 marks an omitted optional input
    outputs: tuple
    options: dict = field(default_factory=dict)   # builtin options, schema field names
    custom_code: str | None = None
    options_type: str = ""   # the BuiltinOptions table's name ("Conv2DOptions"), "" when absent

    @property
    def activation(self) -> str:
        """Fused activation name ("NONE", "RELU", "RELU6", "RELU_N1_TO_1", ...)."""
        return ACTIVATIONS.get(self.options.get("fusedActivationFunction", 0), "NONE")


@dataclass
class TFLiteModel:
    source: str              # the file name, for messages
    data: bytes
    version: int
    description: str
    tensors: list
    operators: list
    inputs: tuple
    outputs: tuple

    def layer_name(self, op: Operator) -> str:
        """The name a user recognizes for an op: its first output tensor's name."""
        return self.tensors[op.outputs[0]].name if op.outputs else f"op{op.index}"

    def describe(self, op: Operator) -> str:
        return f"op {op.index} {op.op} ('{self.layer_name(op)}')"

    @property
    def input_tensors(self):
        return [self.tensors[i] for i in self.inputs]

    @property
    def output_tensors(self):
        return [self.tensors[i] for i in self.outputs]


def read_tflite(path) -> TFLiteModel:
    """Read and validate a .tflite file; raises TinyCompressError naming the file."""
    from .fileio import input_file
    path = input_file(path, what=".tflite file")
    return parse_tflite(path.read_bytes(), str(path))


def parse_tflite(data: bytes, source: str = "<bytes>") -> TFLiteModel:
    _check_container(data, source)
    try:
        fb = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(bytearray(data), 0))
    except Exception as exc:  # any decode failure means a corrupt or truncated buffer
        raise TinyCompressError(
            f"{source}: not a valid TFLite flatbuffer (truncated or corrupt: {type(exc).__name__})"
        ) from None
    if fb.version != SCHEMA_VERSION:
        raise TinyCompressError(
            f"{source}: TFLite schema version {fb.version}, expected {SCHEMA_VERSION}: "
            "re-convert the model with a current TensorFlow")
    subgraphs = fb.subgraphs or []
    if len(subgraphs) != 1:
        raise TinyCompressError(
            f"{source}: {len(subgraphs)} subgraphs, expected exactly 1 "
            "(control flow such as WHILE/IF is not supported on microcontrollers)")
    sg = subgraphs[0]
    buffers = fb.buffers or []
    tensors = [_read_tensor(i, t, buffers, source) for i, t in enumerate(sg.tensors or [])]
    opcodes = fb.operatorCodes or []
    operators = [_read_operator(i, o, opcodes, len(tensors), source)
                 for i, o in enumerate(sg.operators or [])]
    model = TFLiteModel(
        source=source, data=bytes(data), version=fb.version,
        description=_text(fb.description), tensors=tensors, operators=operators,
        inputs=tuple(_ints(sg.inputs)), outputs=tuple(_ints(sg.outputs)))
    _check_graph(model)
    return model


def _float_edges(model: TFLiteModel) -> set:
    """Graph inputs read only by QUANTIZE ops and graph outputs written by DEQUANTIZE ops:
    the float edges the converter adds around an int8 model when its I/O types stay float."""
    readers, writer = {}, {}
    for op in model.operators:
        for i in op.inputs:
            readers.setdefault(i, []).append(op.op)
        for i in op.outputs:
            writer[i] = op.op
    ins = {i for i in model.inputs if readers.get(i) and set(readers[i]) == {"QUANTIZE"}}
    outs = {i for i in model.outputs if writer.get(i) == "DEQUANTIZE"}
    return {i for i in ins | outs if model.tensors[i].type == "FLOAT32"}


def require_full_int8(model: TFLiteModel) -> None:
    """Raise unless every activation and graph input/output is int8 (weights int8, bias int32)."""
    floats = [t for t in model.tensors if t.type in ("FLOAT32", "FLOAT16", "FLOAT64")]
    edges = _float_edges(model)
    if floats and all(t.index in edges for t in floats):
        names = ", ".join(f"'{model.tensors[i].name}'" for i in sorted(edges)[:3])
        raise TinyCompressError(
            f"{model.source}: a full-integer int8 model with float I/O ({names} float, "
            "converted to int8 by QUANTIZE / DEQUANTIZE at the edges); firmware needs int8 input "
            "and output: convert with converter.inference_input_type = tf.int8 and "
            "inference_output_type = tf.int8 (as `tinycompress convert` does)")
    if floats:
        hybrid = any(t.is_const and t.type == "INT8" for t in model.tensors)
        kind = "dynamic-range (hybrid) quantized" if hybrid else "float"
        names = ", ".join(f"'{t.name}'" for t in floats[:3])
        raise TinyCompressError(
            f"{model.source}: a {kind} model ({len(floats)} float tensors, e.g. {names}); "
            "full-integer int8 is required: convert with representative data, "
            "e.g. `tinycompress convert MODEL --data DATA`")
    for t in model.input_tensors + model.output_tensors:
        if t.type != "INT8":
            raise TinyCompressError(
                f"{model.source}: graph input/output '{t.name}' is {t.type}, expected INT8: "
                "convert with int8 input and output (`tinycompress convert` does)")
    for t in model.tensors:
        if not t.is_const and t.type not in ("INT8", "INT32"):
            raise TinyCompressError(
                f"{model.source}: tensor '{t.name}' is {t.type}; only int8 activations are supported")
        if t.type == "INT8" and t.quant is None:
            raise TinyCompressError(
                f"{model.source}: int8 tensor '{t.name}' has no quantization parameters")


# --- reading -----------------------------------------------------------------------------

def _check_container(data: bytes, source: str):
    if len(data) == 0:
        raise TinyCompressError(f"{source}: the file is empty")
    for magic, what in _LOOKALIKES:
        if data.lstrip()[:len(magic)].lower() == magic.lower():
            raise TinyCompressError(f"{source}: this is {what}")
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise TinyCompressError(
            f"{source}: not a TFLite flatbuffer (no 'TFL3' identifier); expected a .tflite "
            "file written by the TFLite converter")


def _text(value) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _ints(values):
    return [] if values is None else [int(v) for v in values]


def _read_tensor(index, t, buffers, source) -> Tensor:
    name = _text(t.name) or f"tensor{index}"
    where = f"{source}: tensor {index} '{name}'"
    type_name = TENSOR_TYPES.get(t.type)
    if type_name is None:
        raise TinyCompressError(f"{where}: unknown tensor type {t.type}")
    shape = tuple(_ints(t.shape))
    if any(d <= 0 for d in shape):
        raise TinyCompressError(f"{where}: dimension of size {min(shape)} in shape {list(shape)}; "
                                "every dimension must be at least 1")
    if type_name not in NUMPY_DTYPES:
        raise TinyCompressError(f"{where}: tensor type {type_name} is not supported "
                                f"(supported: {', '.join(NUMPY_DTYPES)})")
    type_bytes = np.dtype(NUMPY_DTYPES[type_name]).itemsize
    if math.prod(shape) * type_bytes > MAX_TENSOR_BYTES:
        raise TinyCompressError(f"{where}: shape {list(shape)} of {type_name} needs "
                                f"{math.prod(shape) * type_bytes:,} bytes, more than the "
                                f"{MAX_TENSOR_BYTES:,} a TFLite tensor can hold")
    signature = _ints(t.shapeSignature)
    # A free batch dimension is normal for Keras models and runs as batch 1; any other
    # unknown dimension would need shapes resolved at run time, which MCUs cannot do.
    if any(d < 0 for d in signature[1:]) or (signature[:1] == [-1] and shape[:1] != (1,)):
        raise TinyCompressError(f"{where}: dynamic shape {signature}; give the model a fixed "
                                "input shape (batch 1) before converting")
    quant = _read_quantization(t.quantization, shape, type_name, where)
    data = None
    if not 0 <= t.buffer < len(buffers):
        raise TinyCompressError(f"{where}: buffer index {t.buffer} out of range "
                                f"(the model has {len(buffers)} buffers)")
    raw = buffers[t.buffer].data if t.buffer > 0 else None
    if raw is not None and len(raw) > 0:
        dtype = np.dtype(NUMPY_DTYPES[type_name]).newbyteorder("<")
        expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if len(raw) != expected:
            raise TinyCompressError(f"{where}: buffer holds {len(raw)} bytes but shape "
                                    f"{list(shape)} of {type_name} needs {expected}")
        data = np.frombuffer(bytes(raw), dtype=dtype).astype(dtype.newbyteorder("=")).reshape(shape)
    return Tensor(index=index, name=name, type=type_name, shape=shape, quant=quant, data=data)


def _read_quantization(q, shape, type_name, where):
    if q is None or q.scale is None or len(q.scale) == 0:
        return None
    scale = np.asarray(q.scale, dtype=np.float32)
    zero_point = np.asarray(q.zeroPoint if q.zeroPoint is not None else [], dtype=np.int64)
    if not all(math.isfinite(s) and s > 0 for s in scale.tolist()):
        bad = [s for s in scale.tolist() if not (math.isfinite(s) and s > 0)][0]
        raise TinyCompressError(f"{where}: invalid quantization scale {bad}; scales must be "
                                "finite and positive")
    if zero_point.size != scale.size:
        raise TinyCompressError(f"{where}: {scale.size} scales but {zero_point.size} zero points")
    axis = int(q.quantizedDimension)
    if scale.size > 1:
        if not 0 <= axis < len(shape) or shape[axis] != scale.size:
            raise TinyCompressError(
                f"{where}: {scale.size} per-channel scales on axis {axis} of shape {list(shape)}; "
                "the count must equal that dimension")
    lo, hi = ZERO_POINT_RANGE.get(type_name, (-(2 ** 31), 2 ** 31 - 1))
    if zero_point.size and (zero_point.min() < lo or zero_point.max() > hi):
        raise TinyCompressError(f"{where}: zero point {int(zero_point.max() if zero_point.max() > hi else zero_point.min())}"
                                f" out of range [{lo}, {hi}] for {type_name}")
    return Quantization(scale=scale, zero_point=zero_point, axis=axis)


def _read_operator(index, o, opcodes, n_tensors, source) -> Operator:
    where = f"{source}: op {index}"
    if not 0 <= o.opcodeIndex < len(opcodes):
        raise TinyCompressError(f"{where}: operator code index {o.opcodeIndex} out of range")
    code = opcodes[o.opcodeIndex]
    builtin = max(int(code.builtinCode), int(code.deprecatedBuiltinCode))
    name = BUILTIN_OPS.get(builtin, f"UNKNOWN_{builtin}")
    inputs, outputs = tuple(_ints(o.inputs)), tuple(_ints(o.outputs))
    for role, ids in (("input", inputs), ("output", outputs)):
        for t in ids:
            if t == -1 and role == "input":
                continue
            if not 0 <= t < n_tensors:
                raise TinyCompressError(f"{where} {name}: {role} tensor index {t} out of range "
                                        f"(the graph has {n_tensors} tensors)")
    both = set(inputs) & set(outputs)
    if both:
        raise TinyCompressError(f"{where} {name}: tensor {sorted(both)[0]} is both an input and "
                                "an output of the op")
    options, options_type = {}, ""
    if o.builtinOptions is not None:
        options_type = BUILTIN_OPTIONS.get(o.builtinOptionsType, f"options type {o.builtinOptionsType}")
        options = {k: v for k, v in vars(o.builtinOptions).items()}
        for key in POSITIVE_OPTIONS:
            if key in options and options[key] < 1:
                raise TinyCompressError(f"{where} {name}: option {key} = {options[key]}; "
                                        "it must be at least 1")
    custom = _text(code.customCode) if name == "CUSTOM" else None
    return Operator(index=index, op=name, version=int(code.version), inputs=inputs,
                    outputs=outputs, options=options, custom_code=custom,
                    options_type=options_type)


def _check_graph(model: TFLiteModel):
    n = len(model.tensors)
    for role, ids in (("input", model.inputs), ("output", model.outputs)):
        for t in ids:
            if not 0 <= t < n:
                raise TinyCompressError(f"{model.source}: graph {role} tensor index {t} out of range")
    if not model.inputs or not model.outputs:
        raise TinyCompressError(f"{model.source}: the graph has no inputs or no outputs")
    _check_graph_io(model)
    # Every activation an op reads must be a graph input or written by an earlier op:
    # this also rejects cycles, which crash the TFLM interpreter.
    ready = set(model.inputs) | {t.index for t in model.tensors if t.is_const}
    for op in model.operators:
        for t in op.inputs:
            if t != -1 and t not in ready:
                raise TinyCompressError(
                    f"{model.source}: {model.describe(op)} reads tensor {t} "
                    f"'{model.tensors[t].name}' before any op writes it (cycle or bad order)")
        for t in op.outputs:
            if model.tensors[t].is_const:
                raise TinyCompressError(f"{model.source}: {model.describe(op)} writes into "
                                        f"constant tensor {t}")
            if t in ready:
                raise TinyCompressError(f"{model.source}: {model.describe(op)} writes tensor {t} "
                                        "that is already written by another op or is an input")
            ready.add(t)
    for t in model.outputs:
        if t not in ready:
            raise TinyCompressError(f"{model.source}: graph output tensor {t} is never written")


def _check_graph_io(model: TFLiteModel):
    """Graph inputs and outputs are distinct activations: a runtime hands each its own buffer."""
    for role, ids in (("input", model.inputs), ("output", model.outputs)):
        seen = set()
        for t in ids:
            if t in seen:
                raise TinyCompressError(f"{model.source}: graph {role} tensor {t} "
                                        f"'{model.tensors[t].name}' is listed twice")
            seen.add(t)
            if model.tensors[t].is_const:
                raise TinyCompressError(f"{model.source}: graph {role} tensor {t} "
                                        f"'{model.tensors[t].name}' is a constant")
    both = set(model.inputs) & set(model.outputs)
    if both:
        t = sorted(both)[0]
        raise TinyCompressError(f"{model.source}: tensor {t} '{model.tensors[t].name}' is both a "
                                "graph input and a graph output")

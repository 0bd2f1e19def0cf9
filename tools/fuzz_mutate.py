"""Structure-aware mutations of a .tflite model, as data.

A mutation is an `Edit` (kind, target, value): plain data, so a mutant is reproducible from
its seed model and its list of edits alone (tests/fixtures/fuzz/regressions.json keeps the
ones that found bugs). `random_edit(model, rng)` draws one from the parsed flatbuffer
(schema object API); `apply(model, edit)` performs it; `mutant(data, edits)` re-serializes.
Edits never raise on a model they were not drawn for: an edit whose target is gone is a no-op.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from tinycompress.firmware.native.ops import OPS

_OPTION_CLASSES = {name: getattr(schema, name + "T") for name in dir(schema.BuiltinOptions)
                   if not name.startswith("_") and hasattr(schema, name + "T")}
# The options tables the native ops read: the likeliest to be swapped in for one another.
_NATIVE_OPTIONS = sorted({s.options for s in OPS.values() if s.options})
_BUILTIN = {k: v for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
_TYPES = [v for k, v in vars(schema.TensorType).items() if not k.startswith("_")]
_DIMS = [1, 2, 3, 4, 7, 8, 16, 63, 64, 255, 1 << 15, (1 << 31) - 1, 0, -1]
_INTS = [0, 1, 2, 3, -1, 5, 7, 64, 127, 255, 1 << 15, 1 << 30, (1 << 31) - 1, -(1 << 31)]
_SCALES = [0.0, -1.0, math.nan, math.inf, 1e-45, 1e-30, 1e-12, 1e-8, 1 / 256, 0.5, 1.0,
           3.0, 1e8, 1e30]


@dataclass(frozen=True)
class Edit:
    kind: str
    target: tuple     # indices the edit addresses (tensor, operator, dimension, ...)
    value: object     # the new value (JSON-able)

    def to_json(self) -> list:
        return [self.kind, list(self.target), self.value]

    @classmethod
    def from_json(cls, row) -> "Edit":
        kind, target, value = row
        return cls(kind, tuple(target), value)


def unpack(data: bytes):
    return schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(bytearray(data), 0))


def pack(model) -> bytes:
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def mutant(data: bytes, edits) -> bytes:
    model = unpack(data)
    for edit in edits:
        apply(model, edit)
    return pack(model)


# --- drawing an edit -----------------------------------------------------------------------

def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _graph(model):
    return model.subgraphs[0]


def random_edit(model, rng) -> Edit:
    """One edit drawn for `model` (a schema ModelT)."""
    g = _graph(model)
    n_t, n_op = len(g.tensors or []), len(g.operators or [])
    kind = _pick(rng, list(_DRAW))
    return _DRAW[kind](model, g, n_t, n_op, rng)


def _tensor_index(rng, n_t, allow_missing=True):
    if allow_missing and rng.random() < 0.1:
        return -1
    if rng.random() < 0.05:
        return n_t + int(rng.integers(0, 3))       # out of range
    return int(rng.integers(n_t))


def _draw_shape(model, g, n_t, n_op, rng):
    t = int(rng.integers(n_t))
    shape = list(g.tensors[t].shape if g.tensors[t].shape is not None else [])
    r = rng.random()
    if r < 0.5 and shape:
        k = int(rng.integers(len(shape)))
        shape[k] = _pick(rng, _DIMS) if rng.random() < 0.5 else max(1, shape[k] + int(rng.integers(-2, 3)))
    elif r < 0.7 and shape:
        del shape[int(rng.integers(len(shape)))]
    elif r < 0.85:
        shape.insert(int(rng.integers(len(shape) + 1)), int(_pick(rng, [1, 1, 2, 3])))
    else:
        shape = [int(v) for v in rng.permutation(shape)] if shape else [1]
    return Edit("shape", (t,), [int(v) for v in shape])


def _draw_type(model, g, n_t, n_op, rng):
    return Edit("type", (int(rng.integers(n_t)),), int(_pick(rng, _TYPES)))


def _draw_quant(model, g, n_t, n_op, rng):
    t = int(rng.integers(n_t))
    what = _pick(rng, ["scale", "scale", "zero_point", "zero_point", "remove", "axis", "per_channel"])
    if what == "scale":
        value = _pick(rng, _SCALES) if rng.random() < 0.5 else float(10 ** rng.uniform(-6, 3))
    elif what == "zero_point":
        value = int(_pick(rng, [-129, -128, -1, 0, 1, 127, 128, 255, 1 << 20]) if rng.random() < 0.5
                    else rng.integers(-128, 128))
    elif what == "axis":
        value = int(rng.integers(-1, 5))
    elif what == "per_channel":
        value = int(rng.integers(1, 9))
    else:
        value = None
    return Edit("quant", (t, what), value)


def _draw_option(model, g, n_t, n_op, rng):
    i = int(rng.integers(n_op))
    op = g.operators[i]
    r = rng.random()
    if r < 0.15:
        return Edit("options_remove", (i,), None)
    if r < 0.3:
        return Edit("options_swap", (i,), _pick(rng, _NATIVE_OPTIONS))
    fields = sorted(vars(op.builtinOptions)) if op.builtinOptions is not None else []
    if not fields:
        return Edit("options_swap", (i,), _pick(rng, _NATIVE_OPTIONS))
    name = _pick(rng, fields)
    if name == "beta":
        value = _pick(rng, _SCALES)
    else:
        value = int(_pick(rng, _INTS)) if rng.random() < 0.6 else int(rng.integers(0, 4))
    return Edit("option", (i, name), value)


def _draw_operand(model, g, n_t, n_op, rng):
    i = int(rng.integers(n_op))
    op = g.operators[i]
    role = "inputs" if rng.random() < 0.7 else "outputs"
    ids = list(getattr(op, role) if getattr(op, role) is not None else [])
    r = rng.random()
    if r < 0.5 and ids:
        ids[int(rng.integers(len(ids)))] = _tensor_index(rng, n_t, role == "inputs")
    elif r < 0.7 and ids:
        del ids[int(rng.integers(len(ids)))]
    elif r < 0.85:
        ids.append(_tensor_index(rng, n_t, role == "inputs"))
    else:
        ids = [int(v) for v in rng.permutation(ids)]
    return Edit("operands", (i, role), [int(v) for v in ids])


def _draw_buffer(model, g, n_t, n_op, rng):
    t = int(rng.integers(n_t))
    r = rng.random()
    if r < 0.4:
        return Edit("buffer_index", (t,), int(rng.integers(-1, len(model.buffers) + 1)))
    if r < 0.7:
        return Edit("buffer_truncate", (t,), int(rng.integers(0, 64)))
    return Edit("buffer_bytes", (t, int(rng.integers(1 << 30))), int(rng.integers(1, 256)))


def _draw_graph_io(model, g, n_t, n_op, rng):
    role = "inputs" if rng.random() < 0.5 else "outputs"
    ids = list(getattr(g, role) if getattr(g, role) is not None else [])
    r = rng.random()
    if r < 0.4 and ids:
        ids[int(rng.integers(len(ids)))] = _tensor_index(rng, n_t, False)
    elif r < 0.7:
        ids.append(_pick(rng, ids) if ids and rng.random() < 0.5 else _tensor_index(rng, n_t, False))
    elif ids:
        del ids[int(rng.integers(len(ids)))]
    return Edit("graph_io", (role,), [int(v) for v in ids])


def _draw_opcode(model, g, n_t, n_op, rng):
    c = int(rng.integers(len(model.operatorCodes)))
    names = sorted(OPS) if rng.random() < 0.8 else sorted(_BUILTIN)
    return Edit("opcode", (c,), _pick(rng, names))


def _draw_order(model, g, n_t, n_op, rng):
    return Edit("swap_ops", (int(rng.integers(n_op)), int(rng.integers(n_op))), None)


_DRAW = {"shape": _draw_shape, "type": _draw_type, "quant": _draw_quant, "option": _draw_option,
         "operand": _draw_operand, "buffer": _draw_buffer, "graph_io": _draw_graph_io,
         "opcode": _draw_opcode, "order": _draw_order}


# --- applying an edit ------------------------------------------------------------------------

def apply(model, edit: Edit) -> None:
    g = _graph(model)
    k, t, v = edit.kind, edit.target, edit.value
    try:
        _APPLY[k](model, g, t, v)
    except IndexError:      # drawn for another model: nothing to edit
        pass


def _shape(model, g, t, v):
    g.tensors[t[0]].shape = list(v)
    g.tensors[t[0]].shapeSignature = None


def _type(model, g, t, v):
    g.tensors[t[0]].type = v


def _quant(model, g, t, v):
    tensor = g.tensors[t[0]]
    what = t[1]
    if what == "remove":
        tensor.quantization = None
        return
    q = tensor.quantization or schema.QuantizationParametersT()
    tensor.quantization = q
    scales = list(q.scale if q.scale is not None else [1.0])
    zps = list(q.zeroPoint if q.zeroPoint is not None else [0])
    if what == "scale":
        scales = [v] * len(scales)
    elif what == "zero_point":
        zps = [v] * len(zps)
    elif what == "axis":
        q.quantizedDimension = v
    elif what == "per_channel":
        scales, zps = [scales[0] * (1 + 0.1 * k) for k in range(v)], [zps[0]] * v
    q.scale, q.zeroPoint = scales, zps


def _option(model, g, t, v):
    op = g.operators[t[0]]
    if op.builtinOptions is not None and hasattr(op.builtinOptions, t[1]):
        setattr(op.builtinOptions, t[1], v)


def _options_remove(model, g, t, v):
    op = g.operators[t[0]]
    op.builtinOptions, op.builtinOptionsType = None, 0


def _options_swap(model, g, t, v):
    op = g.operators[t[0]]
    op.builtinOptions = _OPTION_CLASSES[v]()
    op.builtinOptionsType = getattr(schema.BuiltinOptions, v)


def _operands(model, g, t, v):
    setattr(g.operators[t[0]], t[1], list(v))


def _buffer_index(model, g, t, v):
    g.tensors[t[0]].buffer = v


def _buffer_truncate(model, g, t, v):
    buf = model.buffers[g.tensors[t[0]].buffer]
    if buf.data is not None:
        buf.data = buf.data[:v]


def _buffer_bytes(model, g, t, v):
    buf = model.buffers[g.tensors[t[0]].buffer]
    if buf.data is not None and len(buf.data):
        data = np.array(buf.data, dtype=np.uint8)
        data[t[1] % len(data)] ^= v
        buf.data = data


def _graph_io(model, g, t, v):
    setattr(g, t[0], list(v))


def _opcode(model, g, t, v):
    code = model.operatorCodes[t[0]]
    code.builtinCode = _BUILTIN[v]
    code.deprecatedBuiltinCode = min(_BUILTIN[v], 127)


def _swap_ops(model, g, t, v):
    ops = g.operators
    ops[t[0]], ops[t[1]] = ops[t[1]], ops[t[0]]


_APPLY = {"shape": _shape, "type": _type, "quant": _quant, "option": _option,
          "options_remove": _options_remove, "options_swap": _options_swap,
          "operands": _operands, "buffer_index": _buffer_index,
          "buffer_truncate": _buffer_truncate, "buffer_bytes": _buffer_bytes,
          "graph_io": _graph_io, "opcode": _opcode, "swap_ops": _swap_ops}


def random_mutant(data: bytes, parsed, rng, max_edits: int = 3):
    """(mutant bytes, edits): 1..max_edits edits drawn one after another on a copy of `parsed`."""
    model = copy.deepcopy(parsed)
    edits = []
    for _ in range(int(rng.integers(1, max_edits + 1))):
        edit = random_edit(model, rng)
        apply(model, edit)
        edits.append(edit)
    return pack(model), edits

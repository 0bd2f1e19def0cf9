"""A read-only view of a .tflite model: ops, tensors, MACs, sizes, TFLM arena and op support.

`inspect_model(path)` returns an InspectReport (dataclasses all the way down), which renders
as text tables (`to_text`) or plain data (`to_dict`, for --json). The arena is measured by
running the model once in the real TFLM host interpreter (in a child process).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np

from . import opinfo, tflm_host, weightstats
from .errors import TinyCompressError
from .tflite_model import read_tflite


@dataclass
class OpUse:
    op: str
    version: int
    count: int
    tflm: bool                 # registered by the TFLite-Micro interpreter
    native: bool | None        # lowered by our native runtime (None: runtime not installed)


@dataclass
class LayerInfo:
    index: int
    op: str
    name: str
    output_shape: list
    macs: int
    param_bytes: int           # constant inputs (weights, bias) this op reads
    native_live_bytes: int | None = None   # native plan: arena bytes live during this op


@dataclass
class TensorInfo:
    index: int
    name: str
    type: str
    shape: list
    bytes: int
    const: bool
    scale: float | None        # first scale (per-channel tensors have one per channel)
    zero_point: int | None
    channels_quantized: int    # 1 per tensor, else the number of per-channel scales
    sparsity: float | None = None       # constants only
    unique_values: int | None = None    # constants only: max per channel when per-channel


@dataclass
class InspectReport:
    source: str
    file_bytes: int
    sha256: str
    schema_version: int
    description: str
    total_macs: int
    weight_bytes: int          # constant tensor data
    metadata_bytes: int        # everything else in the flatbuffer (graph, names, quantization)
    arena_bytes: int | None    # TFLM arena, measured
    tflm_runs: bool
    tflm_error: str | None
    native_problems: list | None  # None: native runtime not available
    native_memory: str | None = None   # the native plan's arena, output and lower bound
    native_arena_bytes: int | None = None
    native_conv: str | None = None     # the CONV_2D weight layout the generator picks
    ops: list = field(default_factory=list)
    layers: list = field(default_factory=list)
    tensors: list = field(default_factory=list)
    weight_formats: list = field(default_factory=list)   # native/compressed.py format_table

    def to_dict(self) -> dict:
        return asdict(self)

    def to_text(self) -> str:
        return _render(self)


def _native(model):
    """(per-op-name support table, problems) from the native runtime, or (None, None)."""
    try:
        from .firmware.native import check_supported
        from .firmware.native.fold import fold_shape_ops
        from .firmware.native.ops import OPS
    except ImportError:
        return None, None
    kept = {op.index for op in fold_shape_ops(model).operators}
    folded = {op.op for op in model.operators if op.index not in kept}   # computed at generation
    return set(OPS) | folded, list(check_supported(model))


def _tensor_info(t) -> TensorInfo:
    q = t.quant
    info = TensorInfo(index=t.index, name=t.name, type=t.type, shape=list(t.shape),
                      bytes=t.nbytes, const=t.is_const,
                      scale=None if q is None else float(q.scale[0]),
                      zero_point=None if q is None else int(q.zero_point[0]),
                      channels_quantized=0 if q is None else int(q.scale.size))
    if t.is_const:
        # per channel for int8 weights; a per-channel bias has one value per channel anyway
        axis = q.axis if q is not None and q.per_channel and t.type == "INT8" else None
        info.sparsity = round(weightstats.sparsity(t.data), 4)
        info.unique_values = weightstats.unique_values(t.data, axis=axis)
    return info


# No microcontroller model needs more; a file that claims it would make the host allocate
# gigabytes for an arena figure nobody can use.
MAX_HOST_ARENA_BYTES = 256 << 20


def _native_plan(model, layers: list):
    """The native runtime's memory plan, without generating anything: fills each layer's
    live activation bytes; returns (summary line, arena bytes) or (None, None)."""
    from .firmware.native.codegen import lower_model
    from .firmware.native.fold import fold_shape_ops
    from .firmware.native.planner import plan_memory, plan_summary
    native = fold_shape_ops(model)        # its layers: the ops left once shapes are constants
    try:
        plan = plan_memory(native, lower_model(native))
    except TinyCompressError:        # e.g. more activation memory than a target addresses
        return None, None
    by_index = {layer.index: layer for layer in layers}
    for op, live in zip(native.operators, plan.live):
        by_index[op.index].native_live_bytes = live
    names = [_short(by_index[op.index].name) for op in native.operators]
    return plan_summary(plan, names), plan.arena_bytes


def _native_conv(model):
    from .firmware.native.codegen import wide_summary
    try:
        return wide_summary(model)
    except TinyCompressError:
        return None


def _arena(model):
    need = tflm_host.estimate_arena(model)
    if need > MAX_HOST_ARENA_BYTES:
        return None, (f"not run: its activations need about {need:,} bytes, more than the "
                      f"{MAX_HOST_ARENA_BYTES:,} inspect gives the host interpreter")
    vectors = [[np.zeros(t.shape, dtype=t.dtype) for t in model.input_tensors]]
    try:
        result = tflm_host.run(model.data, vectors, source=model.source)
    except TinyCompressError as exc:
        return None, str(exc)
    return result.arena_bytes, None


def inspect_model(path, run_tflm: bool = True) -> InspectReport:
    """Ops, layers with MACs, tensors, sizes and op support of a .tflite; with `run_tflm`,
    also the TFLM arena measured in the host interpreter."""
    model = read_tflite(path)
    native_ops, native_problems = _native(model)
    counts = Counter((op.op, op.version) for op in model.operators)
    ops = [OpUse(op=name, version=version, count=n, tflm=name in opinfo.TFLM_BUILTIN_OPS,
                 native=None if native_ops is None else name in native_ops)
           for (name, version), n in sorted(counts.items())]
    layers = [LayerInfo(index=op.index, op=op.op, name=model.layer_name(op),
                        output_shape=list(model.tensors[op.outputs[0]].shape) if op.outputs else [],
                        macs=opinfo.macs(model, op),
                        param_bytes=sum(model.tensors[i].nbytes for i in op.inputs
                                        if i != -1 and model.tensors[i].is_const))
              for op in model.operators]
    weight_bytes = sum(t.nbytes for t in model.tensors if t.is_const)
    memory, native_arena = _native_plan(model, layers) if native_problems == [] else (None, None)
    conv = _native_conv(model) if native_problems == [] else None
    arena, error = _arena(model) if run_tflm else (None, "not run")
    return InspectReport(
        source=model.source, file_bytes=len(model.data),
        sha256=hashlib.sha256(model.data).hexdigest(), schema_version=model.version,
        description=model.description, total_macs=sum(layer.macs for layer in layers),
        weight_bytes=weight_bytes, metadata_bytes=len(model.data) - weight_bytes,
        arena_bytes=arena, tflm_runs=error is None, tflm_error=error,
        native_problems=native_problems, native_memory=memory, native_arena_bytes=native_arena,
        native_conv=conv,
        ops=ops, layers=layers,
        tensors=[_tensor_info(t) for t in model.tensors],
        weight_formats=_weight_formats(model) if native_ops is not None else [])


def _weight_formats(model) -> list:
    from .firmware.native.compressed import format_table
    return format_table(model)


# --- text rendering -----------------------------------------------------------------------

def _table(headers, rows) -> str:
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _short(name: str) -> str:
    """The converter joins fused layers' names with ';': the first one names the layer."""
    return name.split(";")[0]


def _yes(flag) -> str:
    return {True: "yes", False: "NO", None: "-"}[flag]


def _render(r: InspectReport) -> str:
    arena = f"{r.arena_bytes} B" if r.arena_bytes is not None else f"unknown ({r.tflm_error})"
    if r.native_problems is None:
        native = "not available"
    elif not r.native_problems:
        native = "all ops supported"
    else:
        native = f"{len(r.native_problems)} problem(s): " + "; ".join(r.native_problems)
    head = [
        f"model        {r.source}",
        f"size         {r.file_bytes} B = {r.weight_bytes} B weights + {r.metadata_bytes} B metadata",
        f"sha256       {r.sha256}",
        f"schema       version {r.schema_version}" + (f", '{r.description}'" if r.description else ""),
        f"MACs         {r.total_macs}",
        f"TFLM arena   {arena}",
        f"TFLM         {'runs in the host interpreter' if r.tflm_runs else 'does NOT run: ' + str(r.tflm_error)}",
        f"native       {native}",
    ] + ([f"native RAM   {r.native_memory}"] if r.native_memory else []) + (
        [f"native conv  {r.native_conv}"] if r.native_conv else [])
    ops = _table(["op", "version", "count", "TFLM", "native"],
                 [(o.op, o.version, o.count, _yes(o.tflm), _yes(o.native)) for o in r.ops])
    layers = _table(["#", "op", "output", "MACs", "param B", "native live B", "layer"],
                    [(lay.index, lay.op, "x".join(map(str, lay.output_shape)), lay.macs,
                      lay.param_bytes, "-" if lay.native_live_bytes is None else lay.native_live_bytes,
                      _short(lay.name)) for lay in r.layers])
    tensors = _table(["#", "type", "shape", "bytes", "scale", "zp", "sparsity", "unique", "name"],
                     [(t.index, t.type + ("*" if t.const else ""), "x".join(map(str, t.shape)),
                       t.bytes, "-" if t.scale is None else f"{t.scale:.4g}" + (
                           f" (x{t.channels_quantized})" if t.channels_quantized > 1 else ""),
                       "-" if t.zero_point is None else t.zero_point,
                       "-" if t.sparsity is None else f"{100 * t.sparsity:.1f} %",
                       "-" if t.unique_values is None else t.unique_values, _short(t.name))
                      for t in r.tensors])
    parts = ["\n".join(head), "Ops\n" + ops, "Layers\n" + layers,
             "Tensors (* constant; unique values: max per channel when per-channel)\n" + tensors]
    if r.weight_formats:
        names = list(r.weight_formats[0]["formats"])
        parts.append("Weight formats (native runtime, firmware --weights; bytes in flash, - does "
                     "not fit: --json gives the reason)\n" + _table(
                         names + ["auto", "tensor"],
                         [[("-" if isinstance(f, str) else f)
                           for f in row["formats"].values()] + [row["auto"], _short(row["tensor"])]
                          for row in r.weight_formats]))
    return "\n\n".join(parts) + "\n"

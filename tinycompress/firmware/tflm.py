"""The TFLite-Micro runtime of a firmware project: the golden-vector harness over MicroInterpreter.

The project holds no TFLM code. Its glue (src/model.cc, from firmware/tflm/model.cc.tmpl)
implements the harness's model.h API over tflite::MicroInterpreter with a
MicroMutableOpResolver<N> that registers exactly the model's ops, and builds against a
TFLite-Micro tree and library the user supplies (TFLM_DIR, see firmware/tflm/tflm.mk).

The resolver is a table (TFLM builtin op name -> MicroMutableOpResolver method), read from
TFLM's micro_mutable_op_resolver.h; every op in it is one the tflite-micro wheel registers
(opinfo.TFLM_BUILTIN_OPS).
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from ..ctext import c_string, render_to
from ..errors import TinyCompressError

# Builtin op -> the MicroMutableOpResolver method that registers it. Most are the op name in
# CamelCase; the irregular ones (AddBatchMatMul, AddCumSum, AddPadV2, AddL2Pool2D, AddSvdf,
# AddUnidirectionalSequenceLSTM...) are why this is a table and not a rule.
RESOLVER_METHODS = {
    "ABS": "AddAbs",
    "ADD": "AddAdd",
    "ADD_N": "AddAddN",
    "ARG_MAX": "AddArgMax",
    "ARG_MIN": "AddArgMin",
    "ASSIGN_VARIABLE": "AddAssignVariable",
    "AVERAGE_POOL_2D": "AddAveragePool2D",
    "BATCH_MATMUL": "AddBatchMatMul",
    "BATCH_TO_SPACE_ND": "AddBatchToSpaceNd",
    "BROADCAST_ARGS": "AddBroadcastArgs",
    "BROADCAST_TO": "AddBroadcastTo",
    "CALL_ONCE": "AddCallOnce",
    "CAST": "AddCast",
    "CEIL": "AddCeil",
    "CONCATENATION": "AddConcatenation",
    "CONV_2D": "AddConv2D",
    "COS": "AddCos",
    "CUMSUM": "AddCumSum",
    "DEPTH_TO_SPACE": "AddDepthToSpace",
    "DEPTHWISE_CONV_2D": "AddDepthwiseConv2D",
    "DEQUANTIZE": "AddDequantize",
    "DIV": "AddDiv",
    "DYNAMIC_UPDATE_SLICE": "AddDynamicUpdateSlice",
    "ELU": "AddElu",
    "EMBEDDING_LOOKUP": "AddEmbeddingLookup",
    "EQUAL": "AddEqual",
    "EXP": "AddExp",
    "EXPAND_DIMS": "AddExpandDims",
    "FILL": "AddFill",
    "FLOOR": "AddFloor",
    "FLOOR_DIV": "AddFloorDiv",
    "FLOOR_MOD": "AddFloorMod",
    "FULLY_CONNECTED": "AddFullyConnected",
    "GATHER": "AddGather",
    "GATHER_ND": "AddGatherNd",
    "GREATER": "AddGreater",
    "GREATER_EQUAL": "AddGreaterEqual",
    "HARD_SWISH": "AddHardSwish",
    "IF": "AddIf",
    "L2_NORMALIZATION": "AddL2Normalization",
    "L2_POOL_2D": "AddL2Pool2D",
    "LEAKY_RELU": "AddLeakyRelu",
    "LESS": "AddLess",
    "LESS_EQUAL": "AddLessEqual",
    "LOG": "AddLog",
    "LOGICAL_AND": "AddLogicalAnd",
    "LOGICAL_NOT": "AddLogicalNot",
    "LOGICAL_OR": "AddLogicalOr",
    "LOGISTIC": "AddLogistic",
    "LOG_SOFTMAX": "AddLogSoftmax",
    "MAXIMUM": "AddMaximum",
    "MAX_POOL_2D": "AddMaxPool2D",
    "MEAN": "AddMean",
    "MINIMUM": "AddMinimum",
    "MIRROR_PAD": "AddMirrorPad",
    "MUL": "AddMul",
    "NEG": "AddNeg",
    "NOT_EQUAL": "AddNotEqual",
    "PACK": "AddPack",
    "PAD": "AddPad",
    "PADV2": "AddPadV2",
    "PRELU": "AddPrelu",
    "QUANTIZE": "AddQuantize",
    "READ_VARIABLE": "AddReadVariable",
    "REDUCE_ALL": "AddReduceAll",
    "REDUCE_MAX": "AddReduceMax",
    "REDUCE_MIN": "AddReduceMin",
    "RELU": "AddRelu",
    "RELU6": "AddRelu6",
    "RESHAPE": "AddReshape",
    "RESIZE_BILINEAR": "AddResizeBilinear",
    "RESIZE_NEAREST_NEIGHBOR": "AddResizeNearestNeighbor",
    "REVERSE_V2": "AddReverseV2",
    "ROUND": "AddRound",
    "RSQRT": "AddRsqrt",
    "SELECT_V2": "AddSelectV2",
    "SHAPE": "AddShape",
    "SIN": "AddSin",
    "SLICE": "AddSlice",
    "SOFTMAX": "AddSoftmax",
    "SPACE_TO_BATCH_ND": "AddSpaceToBatchNd",
    "SPACE_TO_DEPTH": "AddSpaceToDepth",
    "SPLIT": "AddSplit",
    "SPLIT_V": "AddSplitV",
    "SQRT": "AddSqrt",
    "SQUARE": "AddSquare",
    "SQUARED_DIFFERENCE": "AddSquaredDifference",
    "SQUEEZE": "AddSqueeze",
    "STRIDED_SLICE": "AddStridedSlice",
    "SUB": "AddSub",
    "SUM": "AddSum",
    "SVDF": "AddSvdf",
    "TANH": "AddTanh",
    "TRANSPOSE": "AddTranspose",
    "TRANSPOSE_CONV": "AddTransposeConv",
    "UNIDIRECTIONAL_SEQUENCE_LSTM": "AddUnidirectionalSequenceLSTM",
    "UNPACK": "AddUnpack",
    "VAR_HANDLE": "AddVarHandle",
    "WHILE": "AddWhile",
    "ZEROS_LIKE": "AddZerosLike",
}

LIB_NAME = "libtensorflow-microlite.a"
HEADER = "tensorflow/lite/micro/micro_interpreter.h"
GEN_DIR = "gen"
OLD_GEN_DIR = "tensorflow/lite/micro/tools/make/gen"
# Where a library may sit under TFLM_DIR, in search order ({arch}: the CPU row's tflm_arch): a
# create_tflm_tree.py tree with lib/, then a checkout, where TFLM's Makefile writes
# gen/<target>_<arch>_<build type>[_<kernels>]_<toolchain>/lib/ at its root (older TFLM wrote
# it under OLD_GEN_DIR). tflm.mk searches the same places.
LIB_PATTERNS = (f"lib/{LIB_NAME}", LIB_NAME,
                *(d + "/cortex_m_generic_{arch}_*/lib/" + LIB_NAME for d in (GEN_DIR, OLD_GEN_DIR)))

ARENA_MARGIN_MIN = 1024          # bytes added to the host arena, at least
ARENA_MARGIN_FRACTION = 8        # ... or 1/8 of it, whichever is more
ARENA_ALIGN = 16


def tflm_arch(board) -> str:
    """TARGET_ARCH of TFLM's cortex_m_generic target whose float ABI matches the board's
    compiler flags (a library for another ABI does not link): from the board's CPU row."""
    return board.cpu_row.tflm_arch


def build_hint(arch: str) -> str:
    return ("build TFLite-Micro for this board in a tflite-micro checkout with `make -f "
            "tensorflow/lite/micro/tools/make/Makefile TARGET=cortex_m_generic "
            f"TARGET_ARCH={arch} BUILD_TYPE=release [OPTIMIZED_KERNEL_DIR=cmsis_nn] microlite`, then "
            "set TFLM_DIR to that checkout (or TFLM_LIB to the .a it wrote under "
            f"{GEN_DIR}/ at the checkout root)")


@dataclass(frozen=True)
class ResolverOp:
    op: str             # builtin op name, e.g. CONV_2D
    method: str         # MicroMutableOpResolver method, e.g. AddConv2D
    first_index: int    # index of the first operator that uses it


def resolver_ops(model) -> list:
    """The model's distinct ops in order of first use, each with its resolver method.

    Raises naming every op (with its operator index and layer) that the table lacks."""
    ops, missing = {}, []
    for op in model.operators:
        method = RESOLVER_METHODS.get(op.op)
        if method is None:
            missing.append(f"op {op.index} {op.op} ({model.layer_name(op)!r})")
        elif op.op not in ops:
            ops[op.op] = ResolverOp(op.op, method, op.index)
    if missing:
        raise TinyCompressError(
            f"{model.source}: the TFLite-Micro runtime has no resolver entry for "
            f"{len(missing)} op(s): " + "; ".join(missing) + "; TFLite-Micro cannot run them "
            "(replace those layers, or use --runtime native where it supports them)")
    return list(ops.values())


def arena_bytes(host_arena: int, margin_fraction: float = 1 / ARENA_MARGIN_FRACTION) -> int:
    """The host interpreter's measured arena plus a margin (a fraction of it, at least
    ARENA_MARGIN_MIN), 16-aligned."""
    size = host_arena + max(ARENA_MARGIN_MIN, int(host_arena * margin_fraction))
    return -(-size // ARENA_ALIGN) * ARENA_ALIGN


def device_arena(model, host_arena: int) -> int:
    """The device's tensor arena: the smallest of arena_bytes(host_arena, 1/8, 1/4, ... 4) in
    which the host interpreter's AllocateTensors succeeds. AllocateTensors needs more than the
    arena_used_bytes() it reports afterwards (its planning scratch: the zoo's ad-fc uses
    17,360 B on the host but needs 22,045 B there; on the device 15,636 B used, and 19,536 B
    were too few), and the 64-bit host's needs bound the 32-bit device's from above: on the six
    baseline models the host arena exceeded TFLM's own arena_used_bytes() on mps2-an386 by
    0.9-3 kB."""
    import numpy as np
    from .. import tflm_host
    inputs = [[np.zeros(t.shape, np.int8) for t in model.input_tensors]]
    for fraction in (1 / 8, 1 / 4, 1 / 2, 1, 2, 4):
        size = arena_bytes(host_arena, fraction)
        try:
            tflm_host.run(model.data, inputs, arena_size=size, source=model.source)
            return size
        except TinyCompressError:
            continue
    raise TinyCompressError(f"{model.source}: the TFLM host interpreter could not allocate the model "
                            f"in {size:,} B ({host_arena:,} B used); cannot size the device arena")


def _csrc() -> Path:
    from .. import csrc
    return csrc.ROOT / "tflm"


def check(model):
    resolver_ops(model)


def writer(model, tflite_path, host):
    """write_model(src_dir) -> figures, for project.write_project."""
    from .. import opinfo
    from ..export import export_c

    ops = resolver_ops(model)
    if host.arena_bytes is None:
        raise TinyCompressError(f"{model.source}: the TFLM host interpreter reported no arena "
                                "size; cannot size the device arena")
    arena = device_arena(model, int(host.arena_bytes))
    in_sizes = [t.nbytes for t in model.input_tensors]
    out_sizes = [t.nbytes for t in model.output_tensors]
    op_macs = [int(opinfo.macs(model, op)) for op in model.operators]
    macs = sum(op_macs)
    layers = [{"name": model.layer_name(op), "op": op.op, "macs": m,
               "output_bytes": int(model.tensors[op.outputs[0]].nbytes) if op.outputs else 0}
              for op, m in zip(model.operators, op_macs)]

    def write_model(src: Path) -> dict:
        export_c(tflite_path, src / "model_data.h", name="tc_model_data", source=True)
        values = dict(source=Path(tflite_path).name, num_ops=len(ops), arena_bytes=arena,
                      host_arena=int(host.arena_bytes), input_bytes=sum(in_sizes),
                      output_bytes=sum(out_sizes), macs=macs, num_layers=len(layers),
                      layer_names="\n".join(f"    {c_string(layer['name'])}," for layer in layers),
                      builtin_ops=", ".join(f"tflite::BuiltinOperator_{o.op}" for o in ops),
                      op_names=", ".join(f'"{o.op}"' for o in ops),
                      timed_invokes=", ".join(f"timed_invoke<{i}>" for i in range(len(ops))),
                      num_inputs=len(in_sizes), num_outputs=len(out_sizes),
                      input_sizes=", ".join(f"{n}u" for n in in_sizes),
                      output_sizes=", ".join(f"{n}u" for n in out_sizes),
                      op_list=", ".join(o.op for o in ops),
                      add_ops="\n".join(f"    if (resolver.{o.method}() != kTfLiteOk) {{\n"
                                        f"        return fail(\"{o.method} ({o.op}) failed\", 2);\n"
                                        "    }" for o in ops))
        for name in ("model.h", "model.cc"):
            render_to(_csrc() / f"{name}.tmpl", src / name, **values)
        return {"arena_bytes": arena, "weight_bytes": len(model.data), "macs": int(macs),
                "io_bytes": sum(in_sizes) + sum(out_sizes), "host_arena_bytes": int(host.arena_bytes),
                "tflm_ops": [{"op": o.op, "method": o.method} for o in ops],
                "layers": layers}
    return write_model


def make_values(board) -> dict:
    return {"tflm_arch": tflm_arch(board)}


def find_library(tflm_dir: str, arch: str) -> str:
    """The libtensorflow-microlite.a under `tflm_dir` for `arch` (LIB_PATTERNS order)."""
    for pattern in LIB_PATTERNS:
        found = sorted(glob.glob(os.path.join(glob.escape(tflm_dir), pattern.format(arch=glob.escape(arch)))))
        if len(found) > 1:
            raise TinyCompressError(f"TFLM_DIR={tflm_dir}: {len(found)} TFLite-Micro libraries for "
                                    f"{arch}: {', '.join(found)}; set TFLM_LIB to the one to link")
        if found:
            return found[0]
    return ""


def make_vars(meta: dict, environ=None) -> dict:
    """TFLM_DIR and TFLM_LIB for make, from the environment; raises before any make runs
    when they are missing, with what to set and how to build TFLite-Micro."""
    environ = os.environ if environ is None else environ
    arch = meta.get("tflm_arch") or "cortex-m4+fp"
    tflm_dir = environ.get("TFLM_DIR", "").strip()
    tflm_lib = environ.get("TFLM_LIB", "").strip()
    if not tflm_dir:
        raise TinyCompressError(f"this project uses the TFLite-Micro runtime and TFLM_DIR is not set: "
                                f"set TFLM_DIR to a TFLite-Micro tree with its library; {build_hint(arch)}")
    if not os.path.isfile(os.path.join(tflm_dir, HEADER)):
        raise TinyCompressError(f"TFLM_DIR={tflm_dir}: no {HEADER} there; TFLM_DIR must be the root "
                                f"of a tflite-micro checkout (or exported tree); {build_hint(arch)}")
    if tflm_lib:
        if not os.path.isfile(tflm_lib):
            raise TinyCompressError(f"TFLM_LIB={tflm_lib}: no such file; {build_hint(arch)}")
    else:
        tflm_lib = find_library(tflm_dir, arch)
        if not tflm_lib:
            raise TinyCompressError(f"TFLM_DIR={tflm_dir}: no {LIB_NAME} for {arch} (looked in "
                                    + ", ".join(p.format(arch=arch) for p in LIB_PATTERNS)
                                    + f"); {build_hint(arch)}")
    return {"TFLM_DIR": tflm_dir, "TFLM_LIB": tflm_lib}


def measure_on_device(tflite_path, board: str, timeout: float = 120) -> dict:
    """TFLM's own figures for a model, measured on the device: the TFLM harness generated for
    `board`, built against the tree in TFLM_DIR (TFLM_LIB) and run in QEMU for two vectors.
    Returns arena_used (arena_used_bytes()), the instructions of the second inference (the
    first is the per-op profiled one) and the library used."""
    import tempfile
    from .build import build
    from .project import generate_project, load_project
    from ..simulate.qemu import simulate

    with tempfile.TemporaryDirectory(prefix="tinycompress-tflm-") as tmp:
        project = Path(tmp) / "fw"
        generate_project(tflite_path, board, project, runtime="tflm", vectors=2)
        library = make_vars(load_project(project))["TFLM_LIB"]
        build(project)
        report = simulate(project, timeout=timeout)
    if report.failure or report.tflm_arena_used is None:
        raise TinyCompressError(f"{tflite_path}: the TFLite-Micro harness did not run on {board}: "
                                f"{report.failure or 'no TC:TFLM arena_used line'}")
    return {"arena_used": report.tflm_arena_used, "tflm_lib": library,
            "instructions_per_inference": report.vectors[-1].ticks * report.insns_per_tick}

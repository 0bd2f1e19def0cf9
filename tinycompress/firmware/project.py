"""A buildable firmware project for one board: model code, board code, golden vectors, Makefile.

Layout of a generated project (written whole or not at all):

    README.md           how to build it, with what, and what each file is
    Makefile            plain make + arm-none-eabi-gcc with the board's flags
    project.json        board, model figures, vectors: what `build` and `simulate` read
    model.tflite        the model (simulate --dump-layers re-runs the host interpreter on it)
    golden.npz          the golden inputs and outputs, as the firmware embeds them
    src/                model.c, model.h (native codegen), runtime sources, main.c, golden.h;
                        with --runtime tflm: model.cc (MicroInterpreter glue), model.h, model_data.{h,cc}
    tflm.mk             (tflm runtime) TFLite-Micro include paths and library, from TFLM_DIR
    board/              startup, UART driver, tick counter, linker.ld

Templates and C sources come from firmware/ (installed as tinycompress.csrc).
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..ctext import c_rows, render, render_to
from ..errors import TinyCompressError
from ..fileio import atomic_dir, check_output_dir
from ..deploy import FirmwareSection
from ..metrics import quantize
from .boards import Board, get_board

PROJECT_FILE = "project.json"
BOARD_COMMON_SOURCES = ("tc_board.h", "startup.c", "print.c", "exit.c", "assert.c")


def csrc_root() -> Path:
    from .. import csrc  # firmware/ installed as package data
    return csrc.ROOT


@dataclass
class ProjectInfo:
    path: Path
    board: str
    vectors: int
    layers: int
    arena_bytes: int
    weight_bytes: int
    input_bytes: int
    output_bytes: int


def generate_project(tflite_path, board: str, out_dir, runtime: str = FirmwareSection.runtime,
                     data=None, vectors: int = FirmwareSection.vectors,
                     dump_layers: bool = False, seed: int = 0,
                     opt: str = FirmwareSection.opt, weights: str = "dense",
                     max_slowdown: float | None = None) -> ProjectInfo:
    """Validate `tflite_path`, compute golden vectors on the host TFLM interpreter and write
    a firmware project for `board` into `out_dir`. weights: the weight format policy of the
    native runtime (native/weights.py: dense, lut, sparse, lut_sparse or auto)."""
    from ..tflite_model import read_tflite, require_full_int8
    from .. import tflm_host

    board_row = get_board(board)
    rt = get_runtime(runtime)
    if vectors < 1:
        raise TinyCompressError(f"--vectors must be at least 1 (got {vectors})")
    if dump_layers and not rt.layer_dumps:
        raise TinyCompressError(f"--dump-layers needs per-layer outputs, which the {rt.name} runtime "
                                "does not give (one Invoke per inference); use --runtime native")
    weight_options = _weight_options(rt, weights, max_slowdown)
    rt.make_values(board_row)          # raises when the runtime cannot target this board
    model = read_tflite(tflite_path)
    check_output_dir(out_dir)          # before the host run: refuse a folder that is not ours
    require_full_int8(model)
    rt.check(model)
    io = sum(t.nbytes for t in model.input_tensors + model.output_tensors)
    if io > board_row.ram_size:     # before golden vectors of that size are drawn
        raise TinyCompressError(f"{model.source}: its graph inputs and outputs need {io:,} bytes, "
                                f"more than the {board_row.ram_size:,} B of RAM on {board_row.name}")

    inputs, source = golden_inputs(model, data, vectors, seed)
    host = tflm_host.run(model.data, inputs, source=model.source)
    outputs = [[np.asarray(a, dtype=np.int8) for a in vec] for vec in host.outputs]
    if weight_options:
        weight_options.update(_wide_options(board_row))
    write_model = rt.writer(model, tflite_path, host, **weight_options)
    return write_project(out_dir, board_row, write_model, _concat(inputs), _concat(outputs),
                         model_name=Path(tflite_path).name, model_bytes=model.data,
                         vector_source=source, dump_layers=dump_layers, opt=opt, runtime=rt.name)


def _native_check(model):
    from .native import check_supported
    problems = check_supported(model)
    if problems:
        ops = sum(p.startswith("op ") for p in problems)
        raise TinyCompressError(f"{model.source}: the native runtime cannot run {ops} op(s): "
                                + "; ".join(problems))




def _weight_options(rt, weights: str, max_slowdown) -> dict:
    """The writer's weight format arguments; dense (the default) everywhere."""
    from .native.weights import CHOICES, DEFAULT_MAX_SLOWDOWN
    if weights not in CHOICES:
        raise TinyCompressError(f"--weights {weights!r} is not a weight format; choose one of "
                                f"{', '.join(CHOICES)}")
    if max_slowdown is not None and max_slowdown < 1.0:
        raise TinyCompressError(f"--max-slowdown must be at least 1.0 (got {max_slowdown})")
    if not rt.weight_formats:
        if weights != "dense":
            raise TinyCompressError(f"--weights {weights} needs --runtime native: the {rt.name} "
                                    "runtime keeps its weights dense")
        return {}
    return {"weights": weights, "max_slowdown": max_slowdown or DEFAULT_MAX_SLOWDOWN}


def _wide_options(board) -> dict:
    """int16 pre-extended conv weights only where SMLAD runs them (DSP cores), and for at most
    a quarter of the board's flash, so a model that fits in int8 keeps fitting."""
    from .native.codegen import WIDE_FLASH_BUDGET
    if not board.cpu_row.dsp:
        return {"wide": False}
    return {"wide": None, "wide_budget": min(WIDE_FLASH_BUDGET, board.flash_size // 4)}


def _native_writer(model, tflite_path, host, weights: str = "dense", max_slowdown: float = 1.2,
                   wide: bool | None = None, wide_budget: int | None = None):
    from .native import generate, runtime_sources
    from .native.codegen import WIDE_FLASH_BUDGET

    def write_model(src_dir: Path) -> dict:
        info = generate(model, src_dir, weights=weights, max_slowdown=max_slowdown, wide=wide,
                        wide_budget=WIDE_FLASH_BUDGET if wide_budget is None else wide_budget)
        for path in runtime_sources():
            shutil.copy2(path, src_dir / Path(path).name)
        return {"arena_bytes": int(info.arena_bytes), "weight_bytes": int(info.flash_bytes),
                "io_bytes": int(info.io_bytes), "macs": int(info.macs),
                "host_arena_bytes": host.arena_bytes,
                "weights": weights, "conv_weights": info.conv_weights,
                "layers": [{"name": layer.name, "op": layer.op, "macs": int(layer.macs),
                            "output_bytes": int(layer.output_bytes),
                            **({"weights": layer.weights, "weight_bytes": int(layer.weight_bytes),
                                "dense_weight_bytes": int(layer.dense_weight_bytes),
                                "weight_scratch_bytes": int(layer.weight_scratch_bytes)}
                               if layer.weights else {})} for layer in info.layers]}
    return write_model


def _tflm(name):   # tflm.py functions, imported when first used
    def call(*args):
        from . import tflm
        return getattr(tflm, name)(*args)
    return call


@dataclass(frozen=True)
class Runtime:
    """What a runtime puts in a project and needs to build it."""
    name: str
    description: str
    makefile: str                   # Makefile template, relative to firmware/
    check: Callable                 # (model): raises naming the ops it cannot run
    writer: Callable                # (model, tflite_path, host) -> write_model(src_dir) -> figures
    make_values: Callable = lambda board: {}   # extra Makefile values, kept in project.json too
    make_vars: Callable = lambda meta: {}      # make variables at build time; raises if missing
    project_files: tuple = ()       # copied from firmware/ into the project root
    readme_dir: str = "harness"     # its readme_build.md.tmpl / readme_files.md.tmpl, under firmware/
    layer_dumps: bool = True        # one TC:LAYER per graph op, so --dump-layers works
    weight_formats: bool = False    # the writer takes weights= / max_slowdown= (compressed weights)


RUNTIMES = {
    "native": Runtime("native", "ahead-of-time C, no interpreter", "harness/Makefile.tmpl",
                      _native_check, _native_writer, weight_formats=True),
    "tflm": Runtime("tflm", "TFLite-Micro MicroInterpreter; builds against TFLM_DIR",
                    "tflm/Makefile.tmpl", _tflm("check"), _tflm("writer"),
                    make_values=_tflm("make_values"), make_vars=_tflm("make_vars"),
                    project_files=("tflm/tflm.mk",), layer_dumps=False, readme_dir="tflm"),
}


def get_runtime(name: str) -> Runtime:
    if name not in RUNTIMES:
        raise TinyCompressError(f"runtime {name!r} is not available; choose one of: "
                                f"{', '.join(RUNTIMES)}")
    return RUNTIMES[name]


def golden_inputs(model, data, vectors: int, seed: int = 0):
    """`vectors` input lists (one int8 array per graph input) and a phrase saying where they
    came from: the test split of `data` quantized with the input's scale and zero point, or
    seeded random int8 over the whole range."""
    shapes = [tuple(t.shape) for t in model.input_tensors]
    if data is None:
        rng = np.random.default_rng(seed)
        return ([[rng.integers(-128, 128, size=s, dtype=np.int64).astype(np.int8) for s in shapes]
                 for _ in range(vectors)], f"random int8, seed {seed}")
    if len(shapes) != 1:
        raise TinyCompressError(f"{model.source}: --data feeds single-input models only; this "
                                f"model has {len(shapes)} inputs (leave out --data for random inputs)")
    from ..data import check_samples, load_dataset
    dataset = load_dataset(data)
    label = data if isinstance(data, (str, Path)) else dataset.name   # a Dataset: its name
    x = check_samples(dataset, "x_test" if len(dataset.x_test) else "x_train")
    tensor = model.input_tensors[0]
    per_sample = int(np.prod(shapes[0][1:], dtype=np.int64)) if len(shapes[0]) > 1 else 1
    sample_size = int(np.prod(x.shape[1:], dtype=np.int64))
    if sample_size != per_sample or (len(shapes[0]) and shapes[0][0] != 1):
        raise TinyCompressError(
            f"{label}: samples of shape {tuple(x.shape[1:])} do not fit the input '{tensor.name}' "
            f"of {model.source} (shape {shapes[0]}); use the data set the model was trained on")
    if len(x) < vectors:
        raise TinyCompressError(f"{label}: {len(x)} samples, fewer than the {vectors} vectors asked for")
    scale = float(tensor.quant.scale[0])
    zero_point = int(tensor.quant.zero_point[0])
    q = quantize(x[:vectors], scale, zero_point)   # as the host scoring does (TFLite rounding)
    return ([[q[i].reshape(shapes[0])] for i in range(vectors)],
            f"{vectors} samples of '{label}' quantized with scale {scale:g}, zero point {zero_point}")


def _concat(vectors) -> list:
    """Per vector, the graph's arrays as one byte string in graph order (the model.h layout)."""
    return [b"".join(np.ascontiguousarray(a, dtype=np.int8).tobytes() for a in vec) for vec in vectors]


def write_project(out_dir, board: Board, write_model, inputs: list, outputs: list, *,
                  model_name: str, model_bytes: bytes | None = None, vector_source: str = "",
                  dump_layers: bool = False, opt: str = FirmwareSection.opt,
                  runtime: str = FirmwareSection.runtime) -> ProjectInfo:
    """Write a project whose model sources come from `write_model(src_dir) -> model figures`.

    `inputs`/`outputs` are per-vector byte strings (TC_INPUT_BYTES / TC_OUTPUT_BYTES each).
    Split from generate_project so that tests can drive it with a hand-written model.
    """
    root = csrc_root()
    rt = get_runtime(runtime)
    extra = rt.make_values(board)
    out_dir = Path(out_dir)
    with atomic_dir(out_dir) as tmp:
        src, board_dir = tmp / "src", tmp / "board"
        src.mkdir()
        board_dir.mkdir()
        figures = write_model(src)
        shutil.copy2(root / "harness" / "main.c", src / "main.c")
        render_to(root / "harness" / "golden.h.tmpl", src / "golden.h", model=model_name,
                count=len(inputs), source=vector_source or "given",
                inputs=_c_rows(inputs), outputs=_c_rows(outputs))
        for name in BOARD_COMMON_SOURCES + board.sources:
            shutil.copy2(root / "boards" / name, board_dir / name)
        render_to(root / "boards" / "linker.ld.tmpl", board_dir / "linker.ld", board=board.name,
                flash_origin=f"0x{board.flash_origin:08X}", flash_size=f"0x{board.flash_size:X}",
                ram_origin=f"0x{board.ram_origin:08X}", ram_size=f"0x{board.ram_size:X}",
                stack_size=f"0x{board.stack_size:X}")
        defines = (["-DTC_LAYER_HOOK"] + [f"-D{d}" for d in board.c_defines]
                   + (["-DTC_DUMP_LAYERS"] if dump_layers else []))
        render_to(root / rt.makefile, tmp / "Makefile", model=model_name,
                board=board.name, cpu=board.cpu, opt=opt, semihost=int(board.semihosting),
                cpu_flags=" ".join(board.cflags), uart_base=f"0x{board.uart_base:08X}u",
                defines=" ".join(defines), **extra)
        for rel in rt.project_files:
            shutil.copy2(root / rel, tmp / Path(rel).name)
        from ..simulate.renode import renode_unsupported
        if not renode_unsupported(board):
            _write_renode(root, tmp / "renode", board, model_name, len(inputs))
        _write_readme(root, tmp / "README.md", rt, board, figures, extra, model=model_name,
                      vectors=len(inputs), vector_source=vector_source or "given", opt=opt)
        if model_bytes is not None:
            (tmp / "model.tflite").write_bytes(model_bytes)
        np.savez(tmp / "golden.npz",
                 inputs=np.frombuffer(b"".join(inputs), np.int8).reshape(len(inputs), -1),
                 outputs=np.frombuffer(b"".join(outputs), np.int8).reshape(len(outputs), -1))
        meta = {"board": board.name, "model": model_name, "runtime": rt.name, **extra,
                "vectors": len(inputs), "vector_source": vector_source,
                "dump_layers": bool(dump_layers), "input_bytes": len(inputs[0]),
                "output_bytes": len(outputs[0]), "golden_bytes": sum(map(len, inputs + outputs)),
                **figures}
        (tmp / PROJECT_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    return ProjectInfo(out_dir, board.name, len(inputs), len(figures.get("layers", [])),
                       figures.get("arena_bytes", 0), figures.get("weight_bytes", 0),
                       len(inputs[0]), len(outputs[0]))


def _write_readme(root: Path, out: Path, rt: Runtime, board: Board, figures: dict, extra: dict,
                  **values):
    """README.md: the common template with the runtime's build and file-table fragments."""
    values.update(extra, board=board.name, cpu=board.cpu, runtime=rt.name,
                  runtime_description=rt.description, cpu_flags=" ".join(board.cflags),
                  arena_bytes=figures.get("arena_bytes", 0),
                  op_list=", ".join(o["op"] for o in figures.get("tflm_ops", [])))
    fragment = lambda name: render(root / rt.readme_dir / name, **values)
    renode = (f"- `renode/`: a Renode platform and `test.robot` for this board "
              f"(`tinycompress simulate --engine renode .`, or `renode-test renode/test.robot`).\n"
              if board.renode_platform else "")
    render_to(root / "harness" / "README.md.tmpl", out, build=fragment("readme_build.md.tmpl"),
            runtime_files=fragment("readme_files.md.tmpl"), renode=renode, **values)


def _write_renode(root: Path, out: Path, board: Board, model_name: str, vectors: int):
    """Renode platform and .robot test (renode-test renode/test.robot) for CI."""
    from .boards import RENODE_UARTS
    out.mkdir()
    uart_type, uart_size, uart_options = RENODE_UARTS[board.uart]
    render_to(root / "boards" / "renode" / "platform.repl.tmpl", out / board.renode_platform,
              board=board.name, cpu_type=board.cpu_row.renode_cpu,
              tick_hz=board.tick_hz, flash_origin=f"0x{board.flash_origin:08X}",
              flash_size=f"0x{board.flash_size:X}", ram_origin=f"0x{board.ram_origin:08X}",
              ram_size=f"0x{board.ram_size:X}", uart_type=uart_type,
              uart_base=f"0x{board.uart_base:08X}", uart_size=f"0x{uart_size:X}",
              uart_options=uart_options)
    render_to(root / "boards" / "renode" / "test.robot.tmpl", out / "test.robot", model=model_name,
              board=board.name, vectors=vectors, timeout=FirmwareSection.timeout,
              platform=board.renode_platform)


def load_project(project_dir) -> dict:
    """project.json of a generated project, with a clear error for anything else."""
    path = Path(project_dir) / PROJECT_FILE
    if not path.is_file():
        raise TinyCompressError(f"{project_dir}: not a tinycompress firmware project (no {PROJECT_FILE}); "
                                "create one with `tinycompress firmware MODEL.tflite -o DIR`")
    try:
        meta = json.loads(path.read_text())
        get_board(meta["board"])
    except (ValueError, KeyError) as exc:
        raise TinyCompressError(f"{path}: unreadable project file ({exc}); regenerate the project") from None
    return meta


def _c_rows(rows: list) -> str:
    """Byte strings as C initializer rows of int8 values, 16 per line."""
    lines = []
    for row in rows:
        values = (str(int(v)) for v in np.frombuffer(row, np.int8))
        lines.append("    {\n" + c_rows(values, 16, "        ") + "\n    },")
    return "\n".join(lines)

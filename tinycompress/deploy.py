"""The deployment steps of `tinycompress run`: the recipe's [firmware] section generates a
firmware project from model_int8.tflite, builds it and runs it in QEMU.

Their results land in report.json under extra.firmware and in report.md (report.py).
A build that fails, a golden-vector mismatch, a fault or a hang does not stop the run: the
report is written with the failure, and `run` then exits 1. A missing toolchain or emulator
is found before the run starts (check_tools), so no training is wasted on it.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import TinyCompressError
from .firmware.boards import DEFAULT_BOARD

PROJECT = "firmware"          # the project folder inside the run's output folder
OPT_LEVELS = ("-O0", "-O1", "-O2", "-O3", "-Os", "-Og")


@dataclass
class FirmwareSection:
    """[firmware]: deploy model_int8.tflite to a board, build it, run it in QEMU. Its field
    defaults are those of `tinycompress firmware` / `simulate` and generate_project too."""
    board: str = DEFAULT_BOARD  # see `tinycompress boards`
    runtime: str = "native"     # ahead-of-time C, no interpreter
    vectors: int = 10           # golden vectors (test split of [data]) checked on the device
    opt: str = "-O2"            # compiler optimisation level
    timeout: float = 120.0      # seconds before a firmware that does not finish is stopped
    simulate: bool = True       # run in QEMU (false: generate and build only)
    dump_layers: bool = False   # print every layer's output on the device and diff it
    weights: str = "dense"      # weight format in flash: dense|lut|sparse|lut_sparse|huffman|auto|auto+huffman
    max_slowdown: float = 1.2   # auto: most estimated instructions per tensor relative to dense

    def validate(self):
        from .firmware.boards import get_board
        from .firmware.project import RUNTIMES
        board = get_board(self.board)
        if self.runtime not in RUNTIMES:
            raise TinyCompressError(f"key 'runtime': {self.runtime!r} is not available; choose "
                                    f"one of {', '.join(RUNTIMES)}")
        if self.vectors < 1:
            raise TinyCompressError(f"key 'vectors' must be at least 1 (got {self.vectors})")
        if not self.opt.startswith("-"):
            self.opt = "-" + self.opt
        if self.opt not in OPT_LEVELS:
            raise TinyCompressError(f"key 'opt': {self.opt!r} is not an optimisation level; "
                                    f"choose one of {', '.join(OPT_LEVELS)}")
        from .firmware.native.weights import CHOICES
        if self.weights not in CHOICES:
            raise TinyCompressError(f"key 'weights': {self.weights!r} is not a weight format; "
                                    f"choose one of {', '.join(CHOICES)}")
        if not self.max_slowdown >= 1.0:
            raise TinyCompressError(f"key 'max_slowdown' must be at least 1.0 (got {self.max_slowdown})")
        if not self.timeout > 0:
            raise TinyCompressError(f"key 'timeout' must be positive seconds (got {self.timeout})")
        if self.simulate and board.qemu_machine is None:
            raise TinyCompressError(f"key 'simulate': QEMU has no model of {board.name}; set "
                                    "simulate = false to generate and build only")


def wants_firmware(recipe) -> bool:
    return recipe.firmware is not None


def wants_simulation(recipe) -> bool:
    return recipe.firmware is not None and recipe.firmware.simulate


def check_tools(recipe):
    """Before the run: the cross compiler (and QEMU) must be there, with how to install them."""
    from .firmware.build import INSTALL_HINT, require_tool
    require_tool("arm-none-eabi-gcc", "the Arm cross compiler, needed by [firmware]", INSTALL_HINT)
    require_tool("arm-none-eabi-size", "part of the Arm cross toolchain", INSTALL_HINT)
    require_tool("make", "needed to build firmware", "install it with `sudo apt-get install make`")
    # A runtime that needs outside sources (TFLM_DIR) says so now, not after training.
    from .firmware.boards import get_board
    from .firmware.project import get_runtime
    board = get_board(recipe.firmware.board)
    runtime = get_runtime(recipe.firmware.runtime)
    runtime.make_vars(runtime.make_values(board))
    if recipe.firmware.simulate:
        from .simulate.qemu import INSTALL_HINT as QEMU_HINT
        require_tool("qemu-system-arm", "the Arm system emulator, needed by [firmware] "
                     "simulate = true", QEMU_HINT)


def _state(ctx) -> dict:
    if ctx.firmware is None:
        ctx.firmware = {"project": PROJECT, "failure": None}
    return ctx.firmware


def _fail(ctx, step: str, message: str):
    """Record a failure: later firmware steps are skipped, the report is still written."""
    state = _state(ctx)
    state["failure"] = f"{step}: {message}"
    ctx.failure = f"firmware {step}: {message}"
    ctx.log(f"firmware {step} FAILED: {message}")


def _golden_source(recipe) -> str:
    """The data the golden inputs come from, as a load_dataset source string."""
    if recipe.data.source:
        return recipe.resolve(recipe.data.source)
    return f"zoo:{recipe.model.zoo}"     # the zoo model's synthetic data


def step_firmware(ctx):
    """firmware/: the project for the board, with golden vectors from the recipe's data."""
    from .firmware.boards import get_board
    from .firmware.project import load_project, generate_project
    fw = ctx.recipe.firmware
    board = get_board(fw.board)
    state = _state(ctx)
    state.update(board=board.name, cpu=board.cpu, fpu=board.fpu, runtime=fw.runtime, opt=fw.opt,
                 weights=fw.weights,
                 energy_nj_per_cycle_estimate=board.energy_nj_per_cycle,
                 energy_source=board.energy_source)
    ctx.log(f"firmware: {fw.runtime} runtime for {board.name}, {fw.vectors} golden vectors")
    try:
        generate_project(ctx.out / "model_int8.tflite", board.name, ctx.out / PROJECT,
                         runtime=fw.runtime, data=_golden_source(ctx.recipe), vectors=fw.vectors,
                         dump_layers=fw.dump_layers, seed=ctx.recipe.model.seed, opt=fw.opt,
                         weights=fw.weights, max_slowdown=fw.max_slowdown)
    except TinyCompressError as exc:
        return _fail(ctx, "generate", str(exc))
    meta = load_project(ctx.out / PROJECT)
    state["generate"] = {k: meta.get(k) for k in ("vectors", "vector_source", "input_bytes",
                                                  "output_bytes", "arena_bytes", "host_arena_bytes",
                                                  "weight_bytes", "golden_bytes", "macs")}
    state["layers"] = [dict(layer, index=i, layer=short_name(layer["name"]))
                       for i, layer in enumerate(meta.get("layers", []))]
    ctx.artifacts.append(f"{PROJECT}/")


def step_build(ctx):
    """firmware/build/firmware.elf with arm-none-eabi-gcc; flash and RAM per section."""
    from .firmware.build import build
    state = _state(ctx)
    if state["failure"]:
        return
    ctx.log(f"build: arm-none-eabi-gcc {ctx.recipe.firmware.opt}")
    try:
        report = build(ctx.out / PROJECT)
    except TinyCompressError as exc:
        return _fail(ctx, "build", str(exc).replace(str(ctx.out), "<out>"))
    d = report.as_dict()
    d["project"], d["elf"] = PROJECT, f"{PROJECT}/build/firmware.elf"
    state["build"] = d
    ctx.artifacts.append(f"{PROJECT}/build/firmware.elf")


def step_simulate(ctx):
    """Every golden vector in QEMU (-icount shift=0): PASS count, instructions, per layer."""
    from .simulate.qemu import simulate
    state = _state(ctx)
    if state["failure"]:
        return
    fw = ctx.recipe.firmware
    ctx.log(f"simulate: QEMU {state['board']}, timeout {fw.timeout:g} s")
    try:
        report = simulate(ctx.out / PROJECT, timeout=fw.timeout)
    except TinyCompressError as exc:
        return _fail(ctx, "simulate", str(exc).replace(str(ctx.out), "<out>"))
    (ctx.out / PROJECT / "uart.log").write_text(report.uart)
    ctx.artifacts.append(f"{PROJECT}/uart.log")
    sim = report.as_dict()
    macs = (state.get("generate") or {}).get("macs") or 0
    sim["instructions_per_mac"] = sim["instructions_per_inference"] / macs if macs else None
    state["simulate"] = sim
    _join_layers(state, report)
    if report.failure:
        return _fail(ctx, "simulate", report.failure)
    _tflm_on_device(ctx, state, report)


def _tflm_on_device(ctx, state: dict, report):
    """TFLM's arena for the report, measured on the device where possible: the run's own
    harness when it is the TFLM runtime, else (a TFLM tree in TFLM_DIR) the TFLM harness for
    the same model. Without either, the report says its figure is the host interpreter's."""
    import os
    from .firmware.tflm import measure_on_device
    if state["runtime"] == "tflm":
        state["tflm_device"] = {"arena_used": report.tflm_arena_used, "tflm_lib": "this run's"}
        return
    if not os.environ.get("TFLM_DIR"):
        return
    ctx.log(f"simulate: TFLM harness for the same model (TFLM_DIR={os.environ['TFLM_DIR']})")
    try:
        state["tflm_device"] = measure_on_device(ctx.out / "model_int8.tflite", state["board"],
                                                 ctx.recipe.firmware.timeout)
    except TinyCompressError as exc:     # a comparison figure: its absence is no failure
        ctx.log(f"simulate: TFLM on the device not measured: {exc}")


def _join_layers(state: dict, report):
    """Per layer: the codegen's name, op and MACs with the device's instructions (vector 0)."""
    timed = {t.index: t for t in report.layers}
    for layer in state.get("layers", []):
        t = timed.get(layer["index"])
        layer["instructions"] = t.instructions if t else None
        layer["instructions_per_mac"] = (t.instructions / layer["macs"]
                                         if t and layer.get("macs") else None)


def short_name(tensor_name: str) -> str:
    """The Keras layer behind a TFLite tensor name: 'm/quant_conv1/Relu;m/...' -> 'conv1'.
    The converter names fused tensors '<model>/<layer>/<op>;...'; anything else is kept."""
    parts = tensor_name.split(";")[0].split("/")
    if len(parts) < 2:
        return tensor_name
    layer = parts[-2]
    return layer[len("quant_"):] if layer.startswith("quant_") and len(layer) > 6 else layer

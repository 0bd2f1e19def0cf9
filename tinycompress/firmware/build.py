"""Build a generated firmware project with make + arm-none-eabi-gcc; report flash and RAM.

Checks the board budget twice: before building, from the project's figures (weights and
golden vectors against flash, activation arena + stack + output buffer against RAM), so a
model that cannot fit fails at once naming the bytes; and after linking, from the ELF's
sections (the linker script also refuses an image that overflows a region).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TinyCompressError
from .boards import Board, get_board
from .project import get_runtime, load_project

INSTALL_HINT = ("install it with `sudo apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi` "
                "(Debian/Ubuntu) or `make toolchain`")
FLASH_SECTIONS = (".text", ".ARM.exidx", ".data")    # .data's load image sits in flash
RAM_SECTIONS = (".data", ".bss", ".stack")
_OVERFLOW = re.compile(r"region `(\w+)' overflowed by (\d+) bytes")


@dataclass
class BuildReport:
    project: Path
    elf: Path
    board: str
    sections: dict = field(default_factory=dict)   # section -> bytes
    flash_used: int = 0
    flash_size: int = 0
    ram_used: int = 0
    ram_size: int = 0
    arena_bytes: int = 0
    weight_bytes: int = 0
    weight_layers: list = field(default_factory=list)   # project.json layers with a weight format

    def as_dict(self) -> dict:
        return {"project": str(self.project), "elf": str(self.elf), "board": self.board,
                "sections": self.sections, "flash_used": self.flash_used,
                "flash_size": self.flash_size, "ram_used": self.ram_used,
                "ram_size": self.ram_size, "arena_bytes": self.arena_bytes,
                "weight_bytes": self.weight_bytes, "weight_layers": self.weight_layers}

    def lines(self) -> list:
        out = [f"built {self.elf} for {self.board}"]
        for name, size in self.sections.items():
            region = " + ".join(r for r, names in (("flash", FLASH_SECTIONS), ("RAM", RAM_SECTIONS))
                                if name in names)
            out.append(f"  {name:<12} {size:>9,} B  {region}")
        out.append(f"  flash {self.flash_used:,} / {self.flash_size:,} B "
                   f"({100 * self.flash_used / self.flash_size:.1f}%), weights {self.weight_bytes:,} B")
        out.append(f"  RAM   {self.ram_used:,} / {self.ram_size:,} B "
                   f"({100 * self.ram_used / self.ram_size:.1f}%), activation arena {self.arena_bytes:,} B")
        return out + weight_lines(self.weight_layers)


def weight_lines(layers: list) -> list:
    """Flash per layer and weight format, and the bytes saved against dense weights."""
    if not layers or all(layer["weights"] == "dense" for layer in layers):
        return []
    out = ["  weights per layer (format: flash B / dense B):"]
    for layer in layers:
        scratch = layer.get("weight_scratch_bytes", 0)
        note = f"  (+{scratch:,} B arena: decoder and decoded weights)" if scratch else ""
        out.append(f"    {layer['weights']:<11} {layer['weight_bytes']:>9,} / {layer['dense_weight_bytes']:>9,} B"
                   f"  {layer['name'][:60]}{note}")
    used = sum(layer["weight_bytes"] for layer in layers)
    dense = sum(layer["dense_weight_bytes"] for layer in layers)
    out.append(f"    saved {dense - used:,} B: {used:,} B instead of {dense:,} B "
               f"({used / dense:.3f}x dense)")
    scratch = max((layer.get("weight_scratch_bytes", 0) for layer in layers), default=0)
    if scratch:
        out.append(f"    huffman decoding takes at most {scratch:,} B of arena scratch in one layer "
                   "(in the arena figure)")
    return out


def require_tool(name: str, what: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise TinyCompressError(f"{name} not found ({what}): {hint}")
    return path


def flash_advice(meta: dict, excess: int) -> str:
    """What to do when the flash is `excess` bytes short: fewer golden vectors when dropping
    some is enough, else a smaller model."""
    golden, vectors = int(meta.get("golden_bytes", 0)), int(meta.get("vectors", 0) or 0)
    per_vector = golden // vectors if vectors else 0
    if per_vector and golden - per_vector >= excess:     # keeping one vector or more fits
        keep = vectors - -(-excess // per_vector)
        return (f"the golden vectors take {golden:,} B ({per_vector:,} B each): generate the "
                f"project with --vectors {keep} or fewer, or pick a bigger board")
    return ("the model weights take most of it: compress the model further (prune/cluster, "
            "--weights auto) or pick a bigger board")


def check_fit(meta: dict, board: Board, project_dir="project"):
    """Raise before building when the model's own bytes cannot fit the board."""
    flash_need = int(meta.get("weight_bytes", 0)) + int(meta.get("golden_bytes", 0))
    if flash_need > board.flash_size:
        raise TinyCompressError(
            f"{project_dir}: the model does not fit {board.name}: it needs {flash_need:,} bytes of "
            f"flash (weights {meta.get('weight_bytes', 0):,} + golden vectors "
            f"{meta.get('golden_bytes', 0):,}) before any code, and {board.name} has "
            f"{board.flash_size:,}; {flash_advice(meta, flash_need - board.flash_size)}")
    ram_need = int(meta.get("arena_bytes", 0)) + int(meta.get("output_bytes", 0)) + board.stack_size
    if ram_need > board.ram_size:
        raise TinyCompressError(
            f"{project_dir}: the model does not fit {board.name}: it needs {ram_need:,} bytes of RAM "
            f"(activation arena {meta.get('arena_bytes', 0):,} + output {meta.get('output_bytes', 0):,} "
            f"+ stack {board.stack_size:,}) and {board.name} has {board.ram_size:,}; use a smaller "
            "model (fewer channels, smaller input) or pick a bigger board")


def build(project_dir, extra_cflags: str = "", jobs: int | None = None, timeout: float = 600) -> BuildReport:
    """Run make in `project_dir` and report the image's flash and RAM against the board."""
    project_dir = Path(project_dir)
    meta = load_project(project_dir)
    board = get_board(meta["board"])
    check_fit(meta, board, project_dir)
    make_vars = get_runtime(meta.get("runtime", "native")).make_vars(meta)   # e.g. TFLM_DIR/TFLM_LIB
    require_tool("arm-none-eabi-gcc", "the Arm cross compiler", INSTALL_HINT)
    require_tool("make", "needed to build firmware", "install it with `sudo apt-get install make`")
    size_tool = require_tool("arm-none-eabi-size", "part of the Arm cross toolchain", INSTALL_HINT)

    cmd = ["make", "-C", str(project_dir), f"-j{jobs or min(4, os.cpu_count() or 1)}"]
    if extra_cflags:
        cmd.append(f"EXTRA_CFLAGS={extra_cflags}")
    cmd += [f"{key}={value}" for key, value in make_vars.items()]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise TinyCompressError(f"{project_dir}: make did not finish in {timeout:.0f} s") from None
    if proc.returncode != 0:
        log = proc.stderr + proc.stdout
        overflow = _OVERFLOW.findall(log)
        if overflow:
            raise TinyCompressError(f"{project_dir}: the image does not fit {board.name}: " + "; ".join(
                _overflow_message(region, int(extra), board, meta) for region, extra in overflow))
        errors = [line for line in proc.stderr.splitlines() if "error" in line.lower()]
        tail = " | ".join((errors or proc.stderr.strip().splitlines() or log.strip().splitlines())[-6:])
        raise TinyCompressError(f"{project_dir}: the firmware build failed (make exit "
                                f"{proc.returncode}): {tail}")

    elf = project_dir / "build" / "firmware.elf"
    sections = section_sizes(size_tool, elf)
    report = BuildReport(project_dir, elf, board.name, sections,
                         flash_used=sum(sections.get(s, 0) for s in FLASH_SECTIONS),
                         flash_size=board.flash_size,
                         ram_used=sum(sections.get(s, 0) for s in RAM_SECTIONS),
                         ram_size=board.ram_size, arena_bytes=int(meta.get("arena_bytes", 0)),
                         weight_bytes=int(meta.get("weight_bytes", 0)),
                         weight_layers=[layer for layer in meta.get("layers", []) if "weights" in layer])
    for region, used, size in (("flash", report.flash_used, board.flash_size),
                               ("RAM", report.ram_used, board.ram_size)):
        if used > size:
            raise TinyCompressError(f"{elf}: the image needs {used:,} bytes of {region} and "
                                    f"{board.name} has {size:,}")
    return report


def _overflow_message(region: str, extra: int, board: Board, meta: dict) -> str:
    size = board.flash_size if region == "FLASH" else board.ram_size
    text = (f"it needs {size + extra:,} bytes of {region.lower() if region == 'FLASH' else region} "
            f"and {board.name} has {size:,} ({extra:,} too many)")
    if region != "FLASH":
        return text
    weights, golden = int(meta.get("weight_bytes", 0)), int(meta.get("golden_bytes", 0))
    code = max(0, size + extra - weights - golden)
    return (f"{text}: weights {weights:,} B, golden vectors {golden:,} B, code and constants "
            f"{code:,} B; {flash_advice(meta, extra)}")


def section_sizes(size_tool: str, elf: Path) -> dict:
    """Allocated sections of the ELF with their sizes (arm-none-eabi-size -A)."""
    out = subprocess.run([size_tool, "-A", "-d", str(elf)], capture_output=True, text=True, check=True).stdout
    sections = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(".") and parts[1].isdigit():
            name, size, addr = parts[0], int(parts[1]), int(parts[2])
            if addr != 0 or name in (".text",):   # debug/comment sections have address 0
                sections[name] = size
    return sections

"""Shared machinery for the tests of the native kernels' Cortex-M paths: cross-compiling one
runtime source per CPU and listing the instructions it uses, and running a model's native
firmware in QEMU on mps2-an386 (Cortex-M4) against TFLM's golden vectors."""
from __future__ import annotations

import subprocess

from tinycompress.csrc import ROOT
from tinycompress.firmware.boards import CPU_LIST

# (cpu flags, has the DSP extension), from the boards' CPU table
CPUS = [(list(cpu.cflags), cpu.dsp) for cpu in CPU_LIST]
CPU_IDS = [cpu.name for cpu in CPU_LIST]


def cross_compile_mnemonics(tmp_path, name: str, flags) -> set:
    """Compile firmware/runtime/<name> warning-free (-Werror) for one CPU; the set of
    instruction mnemonics in its disassembly."""
    obj = tmp_path / (name + ".o")
    subprocess.run(["arm-none-eabi-gcc", *flags, "-mthumb", "-O2", "-std=c99", "-Wall", "-Wextra",
                    "-Werror", "-I", str(ROOT / "runtime"), "-c", str(ROOT / "runtime" / name),
                    "-o", str(obj)], check=True)
    asm = subprocess.run(["arm-none-eabi-objdump", "-d", str(obj)], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return {line.split("\t")[2].split()[0] for line in asm.splitlines()
            if line.count("\t") >= 2 and line.split("\t")[2].strip()}


def assert_native_matches_tflm_in_qemu(tmp_path, model_bytes: bytes, vectors: int = 3):
    """Native firmware for the model on mps2-an386: every golden vector byte for byte."""
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project
    from tinycompress.simulate.qemu import simulate

    path = tmp_path / "model.tflite"
    path.write_bytes(model_bytes)
    generate_project(path, "mps2-an386", tmp_path / "fw", runtime="native", vectors=vectors)
    build(tmp_path / "fw")
    report = simulate(tmp_path / "fw", timeout=300)
    assert report.failure is None, report.failure
    assert report.passed == vectors

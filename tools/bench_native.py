#!/usr/bin/env python3
"""Benchmark the native runtime on the six baseline models in QEMU mps2-an386 (Cortex-M4).

For each model in ../shared/baselines/tflm-qemu-mps2-an386/models/ (or --models DIR):
generate a native firmware project with golden vectors, build it with arm-none-eabi-gcc,
run it in `qemu-system-arm -icount shift=0` and print

  - instructions per inference (SysTick ticks x 40, the same measure as the baseline),
  - instructions per MAC (the baseline's MAC count) and the ratio to TFLM's reference
    kernels and to TFLM + CMSIS-NN from tflm.json (ratio < 1: we execute fewer),
  - peak activation RAM of our static plan (arena + caller's input/output buffers)
    next to TFLM's arena_used on the device and the host interpreter's arena,
  - flash of model + runtime: the bytes the linker kept from model.o and the tc_*.o
    kernels (arm-none-eabi-gcc map file), next to TFLM's .tflite + library bytes,
  - whether every golden vector matched TFLM byte for byte.

Usage: .venv/bin/python tools/bench_native.py [--models DIR] [--only NAME ...] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from tinycompress.shared import BASELINE as SHARED_BASELINE, shared_root

BASELINE = shared_root() / SHARED_BASELINE
BOARD = "mps2-an386"
_SECTION = re.compile(r"^ (\.\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+\.o)\s*$")


def flash_from_map(map_path: Path) -> dict:
    """Bytes kept in flash (.text and .data load image) per object file, from a GNU ld map."""
    sizes, in_flash, started = {}, False, False
    for line in map_path.read_text().splitlines():
        if line.startswith("Linker script and memory map"):
            started = True
            continue
        if not started:
            continue
        if line and not line[0].isspace():              # an output section header
            name = line.split()[0]
            in_flash = name in (".text", ".data", ".rodata")
            continue
        m = _SECTION.match(line)
        if in_flash and m:
            obj = Path(m.group(4)).name
            sizes[obj] = sizes.get(obj, 0) + int(m.group(3), 16)
    return sizes


def baseline_rows(path: Path) -> dict:
    rows = json.loads(path.read_text())
    return {(r["variant"], r["model"]): r for r in rows}


def bench_one(tflite: Path, work: Path, vectors: int) -> dict:
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project
    from tinycompress.simulate.qemu import simulate

    project = work / tflite.stem
    info = generate_project(tflite, BOARD, project, runtime="native", vectors=vectors)
    report = build(project)
    sim = simulate(project, timeout=600)
    meta = json.loads((project / "project.json").read_text())
    per_obj = flash_from_map(project / "build" / "firmware.map")
    model_flash = per_obj.get("model.o", 0)
    runtime_flash = sum(v for k, v in per_obj.items() if k.startswith("tc_"))
    return dict(insns=sim.instructions_per_inference, passed=sim.passed, vectors=len(sim.vectors),
                failure=getattr(sim, "failure", None), arena=info.arena_bytes,
                io=meta.get("io_bytes", 0), host_arena=meta.get("host_arena_bytes"),
                model_flash=model_flash, runtime_flash=runtime_flash,
                elf_flash=report.flash_used, weights=meta.get("weight_bytes", 0))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=BASELINE / "models")
    ap.add_argument("--baseline", type=Path, default=BASELINE / "tflm.json")
    ap.add_argument("--only", nargs="*", help="model names (file stems) to run")
    ap.add_argument("--vectors", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="keep the generated projects here")
    args = ap.parse_args(argv)

    base = baseline_rows(args.baseline)
    models = sorted(args.models.glob("*.tflite"))
    if args.only:
        models = [m for m in models if m.stem in args.only]
    work_ctx = tempfile.TemporaryDirectory(prefix="tc-bench-") if args.keep is None else None
    work = Path(work_ctx.name) if work_ctx else args.keep
    work.mkdir(parents=True, exist_ok=True)

    head = (f"{'model':<14}{'MACs':>11}{'insns/inf':>12}{'insn/MAC':>9}{'TFLM ref':>9}{'x ref':>7}"
            f"{'CMSIS-NN':>9}{'x cmsis':>8}  {'RAM ours':>9}{'(arena+io)':>11}{'TFLM arena':>11}"
            f"{'host':>9}  {'flash ours':>10}{'(model+rt)':>11}{'TFLM .tflite+lib':>17}  golden")
    print(f"native runtime on QEMU {BOARD} (Cortex-M4, DSP path), -icount shift=0, 40 insns/tick")
    print(head)
    print("-" * len(head))
    failures = 0
    for tflite in models:
        ref, cm = base.get(("ref", tflite.stem)), base.get(("cmsis_nn", tflite.stem))
        r = bench_one(tflite, work, args.vectors)
        macs = ref["macs"] if ref else None
        ipm = r["insns"] / macs if macs else float("nan")
        ram = r["arena"] + r["io"]
        ours_flash = r["model_flash"] + r["runtime_flash"]
        tflm_flash = (f"{tflite.stat().st_size:,}+{ref['tflm_lib_bytes']:,}" if ref else "-")
        ok = r["passed"] == r["vectors"] and r["vectors"] > 0
        failures += not ok
        print(f"{tflite.stem:<14}{macs or 0:>11,}{r['insns']:>12,.0f}{ipm:>9.2f}"
              f"{ref['insns_per_mac'] if ref else float('nan'):>9.1f}"
              f"{ipm / ref['insns_per_mac'] if ref else float('nan'):>7.2f}"
              f"{cm['insns_per_mac'] if cm else float('nan'):>9.1f}"
              f"{ipm / cm['insns_per_mac'] if cm else float('nan'):>8.2f}  "
              f"{ram:>9,}{'(' + format(r['arena'], ',') + '+' + str(r['io']) + ')':>11}"
              f"{ref['arena_used'] if ref else 0:>11,}{r['host_arena'] or 0:>9,}  "
              f"{ours_flash:>10,}{'(' + format(r['model_flash'], ',') + '+' + format(r['runtime_flash'], ',') + ')':>11}"
              f"{tflm_flash:>17}  {r['passed']}/{r['vectors']}")
    print("x ref / x cmsis: our instructions per MAC divided by theirs (lower is better).")
    print("RAM ours: static arena (activations + kernel scratch) + the caller's input/output buffers;"
          " TFLM arena: arena_used_bytes() on the device; host: the tflite-micro wheel's arena.")
    print("flash ours: model.o + tc_*.o bytes kept by the linker (weights, parameters, kernels, "
          "tc_invoke); TFLM: the .tflite flatbuffer + libtensorflow-microlite bytes (ref build).")
    if work_ctx:
        work_ctx.cleanup()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

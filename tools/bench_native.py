#!/usr/bin/env python3
"""Benchmark the native runtime on the six baseline models in QEMU mps2-an386 (Cortex-M4).

For each model in ../shared/baselines/tflm-qemu-mps2-an386/models/ (or --models DIR), and
with --zoo the zoo's four MLPerf Tiny architectures (kws-dscnn, vww-mbv1 96x96x3, resnet8,
ad-fc; untrained, converted with seeded representative data):
generate a native firmware project with golden vectors, build it with arm-none-eabi-gcc,
run it in `qemu-system-arm -icount shift=0` and print

  - instructions per inference (SysTick ticks x 40, the same measure as the baseline),
  - instructions per MAC (the baseline's MAC count) and the ratio to TFLM's reference
    kernels and to TFLM + CMSIS-NN from tflm.json (ratio < 1: we execute fewer),
  - peak activation RAM of our static plan (arena, the input included, + caller's output)
    next to TFLM's arena_used on the device and the host interpreter's arena,
  - flash of model + runtime: the bytes the linker kept from model.o and the tc_*.o
    kernels (arm-none-eabi-gcc map file), next to TFLM's .tflite + library bytes,
  - whether every golden vector matched TFLM byte for byte.

With --cycles, also ESTIMATED Cortex-M4/M7/M33 cycles per MAC (tinycompress.simulate.cycles:
the executed instruction mix from QEMU's block log priced with the cores' TRM timings),
and TFLM + CMSIS-NN (../shared/tflm) built, run and estimated the same way in the same run,
with the ratios to it and to ST X-CUBE-AI's published MLPerf Tiny cycles per MAC, and the
estimate's error against TFLM + CMSIS-NN's published latency on the NUCLEO-L4R5ZI.
--layers prints the per-layer estimate of our firmware.

With --tflm, also runs tinycompress's own TFLite-Micro harness (--runtime tflm) built against
the shared TFLM trees (reference and CMSIS-NN kernels) and prints its instructions and
on-device arena next to tflm.json's: the harness reproduces TFLM's own figures.

Usage: .venv/bin/python tools/bench_native.py [--zoo] [--cycles] [--memory ROW] [--layers] [--tflm]
       [--only NAME ...] [--models DIR] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from tinycompress.shared import BASELINE as SHARED_BASELINE, require, shared_root

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


# Published MLPerf Tiny figures on a Cortex-M4 (NUCLEO-L4R5ZI, 120 MHz), closed division;
# cycles per MAC = clock / throughput / MACs of the benchmark model.
PUBLISHED = {   # benchmark -> (X-CUBE-AI cycles/MAC, best other engine or None)
    "KWS": (1.95, None), "VWW": (1.42, None), "IC": (1.58, None), "AD": (2.39, ("Plumerai", 1.84)),
}
PUBLISHED_SOURCE = ("ST X-CUBE-AI 9.0 (MLPerf Tiny v1.2), Plumerai (v1.1), NUCLEO-L4R5ZI at 120 MHz")
# Published latency of CMSIS-NN kernels on the same board (120 MHz), median throughput in
# inferences/s, to calibrate the estimate against. No MLPerf Tiny v1.x round has a TFLM
# reference submission on the L4R5ZI (tiny_results_v1.0..v1.3 searched: closed/ holds no
# reference/ folder); the CMSIS-NN submissions on it are, newest kernels first:
# microTVM + CMSIS-NN (mlcommons/tiny_results_v1.1 closed/Krai/results/
# NUCLEO-L4R5ZI_MICROTVM-CMSIS-NN/*/performance/results.txt, Zephyr 2.7.3, 120 MHz),
# ONNC + CMSIS_5 (v1.1 closed/Skymizer/results/NUCLEO_L4R5ZI-mbed_os/*, Mbed OS 5.15.6) and
# the v0.5 reference (tiny_results_v0.5 closed/reference/results/Nucleo-L4R5ZI/*/performance/
# results.txt: TFLM of TF 2.3.1 with TAGS=cmsis-nn, Mbed OS). The first is the calibration
# target (CALIBRATION_SOURCE): the same kernel library doing the work, the framework thin.
REFERENCE_THROUGHPUT = {
    "microTVM + CMSIS-NN, MLPerf Tiny v1.1 (Krai)":
        {"KWS": 10.019, "VWW": 3.324, "IC": 2.567, "AD": 116.212},
    "ONNC + CMSIS_5 kernels, MLPerf Tiny v1.1 (Skymizer)":
        {"KWS": 12.195, "VWW": 5.808, "IC": 3.348, "AD": 123.875},
    "TFLM (TF 2.3.1) + CMSIS-NN, MLPerf Tiny v0.5 reference":
        {"KWS": 5.497, "VWW": 1.665, "IC": 1.420, "AD": 99.487},
}
CALIBRATION_SOURCE = "microTVM + CMSIS-NN, MLPerf Tiny v1.1 (Krai)"
REFERENCE_HZ = 120e6
BENCHMARK_OF = {"kws_dscnn": "KWS", "kws-dscnn": "KWS", "vww_mbv1_rgb": "VWW", "vww-mbv1": "VWW",
                "resnet8": "IC", "ad_fc": "AD", "ad-fc": "AD"}
ZOO_MODELS = ("kws-dscnn", "vww-mbv1", "resnet8", "ad-fc")
CORES = ("cortex-m4", "cortex-m7", "cortex-m33")


# Brief seeded training (samples, epochs) before conversion, as tests/test_zoo_firmware.py
# does: untrained, BatchNorm-heavy models collapse their logits below what TFLM's int8
# SOFTMAX accepts. Speed does not depend on the weights' values.
ZOO_TRAINING = {"kws-dscnn": (1200, 3), "vww-mbv1": (400, 6), "resnet8": (300, 1), "ad-fc": (300, 1)}


def zoo_tflite(name: str, work: Path) -> Path:
    """The zoo model, briefly trained (seeded), converted to int8 with its data set."""
    from tinycompress.convert import convert_to_int8
    from tinycompress.zoo import ZOO, train

    out = work / f"{name}.tflite"
    if not out.exists():
        samples, epochs = ZOO_TRAINING[name]
        model, data, _ = train(name, epochs=epochs, data=ZOO[name].dataset(0).subset(samples), seed=0)
        convert_to_int8(model, data, out, representative_samples=50, task=ZOO[name].task, seed=0)
    return out


def bench_one(tflite: Path, work: Path, vectors: int, runtime: str = "native",
              cycles: bool = False, memory: str | None = None) -> dict:
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project
    from tinycompress.simulate.qemu import simulate

    project = work / f"{tflite.stem}-{runtime}"
    info = generate_project(tflite, BOARD, project, runtime=runtime, vectors=vectors)
    report = build(project)
    sim = simulate(project, timeout=600)
    meta = json.loads((project / "project.json").read_text())
    per_obj = flash_from_map(project / "build" / "firmware.map")
    model_flash = per_obj.get("model.o", 0)
    runtime_flash = sum(v for k, v in per_obj.items() if k.startswith("tc_"))
    row = dict(insns=sim.instructions_per_inference, passed=sim.passed, vectors=len(sim.vectors),
               failure=getattr(sim, "failure", None), arena=info.arena_bytes,
               io=meta.get("io_bytes", 0), host_arena=meta.get("host_arena_bytes"),
               model_flash=model_flash, runtime_flash=runtime_flash,
               elf_flash=report.flash_used, weights=meta.get("weight_bytes", 0),
               macs=meta.get("macs") or sum(l.get("macs", 0) for l in meta.get("layers", [])),
               layers=meta.get("layers", []), estimate=None)
    if cycles:
        from tinycompress.simulate.cycles import estimate_project
        row["estimate"] = estimate_project(project, timeout=900, memory=memory)
    return row


def tflm_row(tflite: Path, work: Path, vectors: int, cycles: bool, note: list,
             memory: str | None = None) -> dict | None:
    """TFLM + CMSIS-NN on the same board in the same run, or None (reason added to `note`)."""
    import os
    from tinycompress.errors import TinyCompressError
    from tinycompress.shared import TFLM_TREES, missing_reason, shared_path

    tree = shared_path(TFLM_TREES["cmsis_nn"])
    if tree is None:
        note.append(f"TFLM + CMSIS-NN not run: {missing_reason(TFLM_TREES['cmsis_nn'])}")
        return None
    os.environ["TFLM_DIR"] = str(tree)
    try:
        return bench_one(tflite, work, vectors, runtime="tflm", cycles=cycles, memory=memory)
    except TinyCompressError as exc:
        note.append(f"TFLM + CMSIS-NN on {tflite.stem} not run: {exc}")
        return None


def _f(x, fmt=".2f"):
    return "-" if x is None else format(x, fmt)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=None,
                    help=f"folder of .tflite models (default {BASELINE / 'models'})")
    ap.add_argument("--baseline", type=Path, default=None,
                    help=f"TFLM figures (default {BASELINE / 'tflm.json'})")
    ap.add_argument("--only", nargs="*", help="model names (file stems or zoo names) to run")
    ap.add_argument("--zoo", action="store_true", help="also the zoo's MLPerf Tiny architectures")
    ap.add_argument("--cycles", action="store_true",
                    help="estimated M4/M7/M33 cycles, and TFLM + CMSIS-NN measured in the same run")
    ap.add_argument("--memory", default="stm32l4r5-120mhz",
                    help="flash timing row added to the M4 estimate (tinycompress.simulate.cycles."
                         "MEMORIES), or 'none' for zero wait states (default %(default)s)")
    ap.add_argument("--layers", action="store_true", help="per-layer estimate (with --cycles)")
    ap.add_argument("--vectors", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="keep the generated projects here")
    ap.add_argument("--tflm", action="store_true", help="also run our TFLM harness on the shared TFLM trees")
    args = ap.parse_args(argv)
    memory = None if args.memory == "none" else args.memory
    if memory:
        from tinycompress.simulate.cycles import memory_timing
        memory_timing(memory)                   # an unknown row: one line, before any work

    # Given folders and files must exist; the shared defaults may be missing on a --zoo run.
    optional = args.zoo
    if args.baseline is None and (not optional or (BASELINE / "tflm.json").is_file()):
        args.baseline = BASELINE / "tflm.json"
    if args.models is None and (not optional or (BASELINE / "models").is_dir()):
        args.models = BASELINE / "models"
    base = (baseline_rows(require(args.baseline, "TFLM baseline figures", "--baseline"))
            if args.baseline else {})
    models = ([(m.stem, m) for m in sorted(require(args.models, "the models folder",
                                                   "--models").glob("*.tflite"))]
              if args.models else [])
    if args.zoo:
        models += [(name, None) for name in ZOO_MODELS]
    if args.only:
        unknown = sorted(set(args.only) - {m[0] for m in models})
        if unknown:
            raise SystemExit(f"error: --only {' '.join(unknown)}: no such model in {args.models}"
                             f"{' or the zoo' if args.zoo else ''}; choose from "
                             f"{', '.join(m[0] for m in models)}")
        models = [m for m in models if m[0] in args.only]
    if not models:
        raise SystemExit(f"error: {args.models}: no .tflite models in it; give --models DIR or --zoo")
    work_ctx = tempfile.TemporaryDirectory(prefix="tc-bench-") if args.keep is None else None
    work = Path(work_ctx.name) if work_ctx else args.keep
    work.mkdir(parents=True, exist_ok=True)

    print(f"native runtime on QEMU {BOARD} (Cortex-M4, DSP path), -icount shift=0, 40 insns/tick")
    head = (f"{'model':<14}{'MACs':>11}{'insns/inf':>12}{'insn/MAC':>9}{'TFLM ref':>9}{'x ref':>7}"
            f"{'CMSIS-NN':>9}{'x cmsis':>8}  {'RAM ours':>9}{'(arena+io)':>11}{'TFLM arena':>11}"
            f"{'host':>9}  {'flash ours':>10}{'(model+rt)':>11}{'TFLM .tflite+lib':>17}  golden")
    print(head)
    print("-" * len(head))
    failures, results, notes = 0, [], []
    from tinycompress.errors import TinyCompressError
    for name, tflite in models:
        try:
            if tflite is None:
                tflite = zoo_tflite(name, work)
            r = bench_one(tflite, work, args.vectors, cycles=args.cycles, memory=memory)
        except TinyCompressError as exc:        # one model's failure: say so, go on
            failures += 1
            notes.append(f"{name} not run: {exc}")
            print(f"{name:<14} not run (see the notes at the end)", flush=True)
            continue
        ref, cm = base.get(("ref", name)), base.get(("cmsis_nn", name))
        macs = ref["macs"] if ref else r["macs"]
        ipm = r["insns"] / macs if macs else float("nan")
        ram = r["arena"] + r["io"]
        ours_flash = r["model_flash"] + r["runtime_flash"]
        tflm_flash = (f"{tflite.stat().st_size:,}+{ref['tflm_lib_bytes']:,}" if ref else "-")
        ok = r["passed"] == r["vectors"] and r["vectors"] > 0
        failures += not ok
        print(f"{name:<14}{macs or 0:>11,}{r['insns']:>12,.0f}{ipm:>9.2f}"
              f"{ref['insns_per_mac'] if ref else float('nan'):>9.1f}"
              f"{ipm / ref['insns_per_mac'] if ref else float('nan'):>7.2f}"
              f"{cm['insns_per_mac'] if cm else float('nan'):>9.1f}"
              f"{ipm / cm['insns_per_mac'] if cm else float('nan'):>8.2f}  "
              f"{ram:>9,}{'(' + format(r['arena'], ',') + '+' + str(r['io']) + ')':>11}"
              f"{ref['arena_used'] if ref else 0:>11,}{r['host_arena'] or 0:>9,}  "
              f"{ours_flash:>10,}{'(' + format(r['model_flash'], ',') + '+' + format(r['runtime_flash'], ',') + ')':>11}"
              f"{tflm_flash:>17}  {r['passed']}/{r['vectors']}", flush=True)
        tflm = tflm_row(tflite, work, 1, True, notes, memory) if args.cycles else None
        results.append((name, macs, r, tflm))
    print("x ref / x cmsis: our instructions per MAC divided by theirs (lower is better).")
    print("RAM ours: static arena (activations, the graph input included, + kernel scratch) + the "
          "caller's output buffer;"
          " TFLM arena: arena_used_bytes() on the device; host: the tflite-micro wheel's arena.")
    print("flash ours: model.o + tc_*.o bytes kept by the linker (weights, parameters, kernels, "
          "tc_invoke); TFLM: the .tflite flatbuffer + libtensorflow-microlite bytes (ref build).")
    if args.cycles:
        print_cycles(results, notes, args.layers, memory)
    else:
        for n in notes:
            print("note:", n)
    if args.tflm:
        failures += print_tflm_harness([m for m in models if m[1] is not None], base)
    if work_ctx:
        work_ctx.cleanup()
    return 1 if failures else 0


def print_cycles(results, notes, layers: bool, memory: str | None):
    """One table per model: instructions, ESTIMATED cycles per MAC (M4 on the memory row's
    flash, M4/M7/M33 at zero wait states), RAM, flash, and the ratios to TFLM + CMSIS-NN
    (same run, same estimate) and to X-CUBE-AI's published L4R5ZI figures; then the
    calibration against published CMSIS-NN latency."""
    board = memory or "zero wait states"
    print()
    print(f"ESTIMATED cycles per MAC (QEMU block log x Cortex-M TRM instruction timings; 'M4 board': "
          f"+ flash wait states of {board}; an estimate, not a measurement)")
    head = (f"{'model':<14}{'bench':>6}{'insn/MAC':>9}{'M4 board':>9}{'M4 0ws':>7}{'M7':>6}{'M33':>6}"
            f"{'RAM':>8}{'flash':>9}  {'TFLM+CMSIS-NN insn/MAC':>22}{'M4 board':>9}{'x TFLM':>7}"
            f"  {'X-CUBE-AI':>9}{'x X-CUBE':>9}{'best other':>15}")
    print(head)
    print("-" * len(head))
    for name, macs, r, tflm in results:
        est = r["estimate"]
        bench = BENCHMARK_OF.get(name)
        m4 = est.cycles_on_board("cortex-m4") / macs
        t_ipm = t_cpm = None
        if tflm and tflm["estimate"]:
            t_ipm = tflm["insns"] / macs
            t_cpm = tflm["estimate"].cycles_on_board("cortex-m4") / macs
        xcube, other = PUBLISHED.get(bench, (None, None))
        print(f"{name:<14}{bench or '-':>6}{r['insns'] / macs:>9.2f}{m4:>9.2f}"
              f"{est.cycles('cortex-m4') / macs:>7.2f}"
              f"{est.cycles('cortex-m7') / macs:>6.2f}{est.cycles('cortex-m33') / macs:>6.2f}"
              f"{r['arena'] + r['io']:>8,}{r['model_flash'] + r['runtime_flash']:>9,}  "
              f"{_f(t_ipm):>22}{_f(t_cpm):>9}{_f(m4 / t_cpm if t_cpm else None):>7}  "
              f"{_f(xcube):>9}{_f(m4 / xcube if xcube else None):>9}"
              f"{(f'{other[0]} {other[1]:.2f}' if other else '-'):>15}")
    print(f"M4 board: M4 cycles + the flash wait cycles of {board} (the board X-CUBE-AI's figures "
          "come from); M4 0ws, M7, M33: zero wait states. RAM: arena (input included) + output "
          "buffer, bytes; flash: model.o + tc_*.o bytes. x TFLM / x X-CUBE: our M4 board cycles "
          f"per MAC divided by theirs (< 1: faster). Published: {PUBLISHED_SOURCE}.")
    calib = [(name, tflm["estimate"]) for name, macs, r, tflm in results
             if tflm and tflm["estimate"] and BENCHMARK_OF.get(name)]
    if calib:
        print()
        print("Calibration: the estimate for TFLM + CMSIS-NN here (TFLM 90b983c, CMSIS-NN 4ab83cc) "
              "vs published CMSIS-NN latency on the NUCLEO-L4R5ZI (cycles = 120 MHz / throughput); "
              f"error = estimate / published - 1; target source: {CALIBRATION_SOURCE}")
        for source, rows in REFERENCE_THROUGHPUT.items():
            print(f"  {source}")
            print(f"  {'model':<14}{'bench':>6}{'est. M4 board':>15}{'(0 ws)':>12}"
                  f"{'published cycles':>18}{'error':>8}{'0 ws':>7}")
            for name, est in calib:
                bench = BENCHMARK_OF[name]
                pub = REFERENCE_HZ / rows[bench]
                on_board, zero = est.cycles_on_board("cortex-m4"), est.cycles("cortex-m4")
                print(f"  {name:<14}{bench:>6}{on_board:>15,.0f}{zero:>12,.0f}{pub:>18,.0f}"
                      f"{(on_board - pub) / pub:>+8.0%}{(zero - pub) / pub:>+7.0%}")
    for n in notes:
        print("note:", n)
    if layers:
        for name, macs, r, _ in results:
            print()
            print(f"{name}: per layer, ESTIMATED Cortex-M4 cycles (zero wait states, and + flash "
                  f"wait of {memory or '-'})")
            print(f"{'#':>3} {'op':<18}{'MACs':>11}{'insns':>11}{'M4 cycles':>12}{'cyc/MAC':>8}"
                  f"{'flash wait':>11}  mix")
            for le in r["estimate"].layers:
                info = r["layers"][le.index] if le.index < len(r["layers"]) else {}
                lm = info.get("macs", 0)
                mix = ", ".join(f"{k} {v / max(le.instructions, 1):.0%}"
                                for k, v in le.mix.most_common(4))
                print(f"{le.index:>3} {info.get('op', '?'):<18}{lm:>11,}{le.instructions:>11,}"
                      f"{le.cycles['cortex-m4']:>12,.0f}{_f(le.cycles['cortex-m4'] / lm if lm else None):>8}"
                      f"{le.stall:>11,.0f}  {mix}")


def print_tflm_harness(models, base) -> int:
    """Our TFLM harness against ../shared/tflm: instructions per Invoke and arena vs tflm.json."""
    import os
    from tinycompress.errors import TinyCompressError
    from tinycompress.firmware.tflm import measure_on_device
    from tinycompress.shared import TFLM_TREES, shared_path
    print("\ntinycompress --runtime tflm harness (2nd vector: not profiled) vs tflm.json")
    print(f"{'model':<14}{'kernels':<9}{'insns/inf':>12}{'tflm.json':>12}{'ratio':>8}  arena used on device")
    failures = 0
    for _, tflite in models:
        for kernels, tree in TFLM_TREES.items():
            row, path = base.get((kernels, tflite.stem)), shared_path(tree)
            if path is None:
                print(f"{tflite.stem:<14}{kernels:<9} no TFLM tree {tree}")
                continue
            os.environ["TFLM_DIR"] = str(path)
            try:
                got = measure_on_device(tflite, BOARD)
            except TinyCompressError as exc:
                failures += 1
                print(f"{tflite.stem:<14}{kernels:<9} FAILED: {exc}")
                continue
            ref = f"{row['est_insns']:>12,.0f}{got['instructions_per_inference'] / row['est_insns']:>8.4f}" \
                if row else f"{'-':>12}{'-':>8}"
            print(f"{tflite.stem:<14}{kernels:<9}{got['instructions_per_inference']:>12,.0f}{ref}"
                  f"  arena {got['arena_used']:,} B (tflm.json {format(row['arena_used'], ',') if row else '-'})")
    return failures


if __name__ == "__main__":
    sys.exit(main())

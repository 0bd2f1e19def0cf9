"""Print the native runtime's static memory plan next to TFLM's arena for .tflite models.

    .venv/bin/python tools/plan_report.py [MODEL.tflite ...] [--check]

Default models: the six baseline models in ../shared/baselines/tflm-qemu-mps2-an386/models.
"arena" is our planned activation arena (the graph input included: tc_invoke copies it in
unless the caller wrote it at tc_input_buffer()); "io" is the caller's output buffer;
"arena+io" is the like-for-like figure against TFLM's arena (it holds inputs, outputs,
tensor metadata and per-op data). Under each model: the plan's lower bound and where. --check also runs every model through the host build and TFLM and compares
the outputs byte for byte on 5 random inputs.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tinycompress import tflm_host
from tinycompress.firmware.native import check_supported
from tinycompress.firmware.native.codegen import render
from tinycompress.firmware.project import golden_inputs
from tinycompress.errors import TinyCompressError
from tinycompress.shared import BASELINE_MODELS, require, shared_root
from tinycompress.tflite_model import read_tflite

BASELINES = shared_root() / BASELINE_MODELS


def plan_line(model) -> str:
    from tinycompress.firmware.native.codegen import lower_model
    from tinycompress.firmware.native.fold import fold_shape_ops
    from tinycompress.firmware.native.planner import plan_memory, plan_summary
    model = fold_shape_ops(model)        # the layers the native runtime generates
    plan = plan_memory(model, lower_model(model))
    return plan_summary(plan, [model.layer_name(op).split(";")[0] for op in model.operators])


def main(argv):
    check = "--check" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")]
    if not paths:
        paths = sorted(require(BASELINES, "the baseline models folder",
                               "MODEL.tflite arguments").glob("*.tflite"))
        if not paths:
            raise SystemExit(f"error: {BASELINES}: no .tflite models in it; give MODEL.tflite arguments")
    models = [read_tflite(path) for path in paths]     # every one readable before the table
    print(f"{'model':<22}{'ops':>5}{'arena':>9}{'io':>8}{'arena+io':>10}{'TFLM arena':>12}"
          f"{'ratio':>7}{'flash':>9}  {'check' if check else ''}")
    for path, model in zip(paths, models):
        problems = check_supported(model)
        if problems:
            print(f"{path.stem:<22} unsupported: {problems[0]}")
            continue
        _, _, info = render(model)
        vectors, _ = golden_inputs(model, None, 5 if check else 1, seed=0)   # seeded random int8
        ref = tflm_host.run(model.data, vectors, source=str(path))
        total = info.arena_bytes + info.io_bytes
        status = ""
        if check:
            from tinycompress.firmware.native.hostbuild import HostModel
            ours = HostModel(model).run(vectors)
            same = all(np.array_equal(a, b) for o, r in zip(ours, ref.outputs) for a, b in zip(o, r))
            status = "bit-exact" if same else "MISMATCH"
        print(f"{path.stem:<22}{len(model.operators):>5}{info.arena_bytes:>9}{info.io_bytes:>8}"
              f"{total:>10}{ref.arena_bytes:>12}{total / ref.arena_bytes:>7.2f}"
              f"{info.flash_bytes:>9}  {status}")
        print(f"    {plan_line(model)}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except TinyCompressError as exc:     # a model that cannot be read: one line
        sys.exit(f"error: {exc}")

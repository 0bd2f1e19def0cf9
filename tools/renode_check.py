"""Run a model's firmware in Renode on every board Renode can run, next to QEMU, and print:
golden vectors passed, instructions per inference in Renode and in QEMU (SysTick ticks x
instructions per tick; PerformanceInMips 1000 in the platform = QEMU's -icount shift=0), and
the wall seconds of `simulate --engine renode` and of the generated .robot (renode-test),
passing and on the same firmware with one golden output altered (which must fail).

    export PATH="$(bash ../shared/renode/install.sh):$PATH"
    .venv/bin/python tools/renode_check.py [MODEL.tflite] [--boards a,b] [--vectors N]

Default model: digits_cnn.tflite of the shared baseline models (../shared or
$TINYCOMPRESS_SHARED). Wall seconds include Renode's start-up (mono), which dominates.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import run_renode_test                  # noqa: E402  (process-group handling)
from fwtiny import alter_golden_output                # noqa: E402

from tinycompress.firmware.boards import BOARDS_LIST  # noqa: E402
from tinycompress.firmware.build import build         # noqa: E402
from tinycompress.firmware.project import generate_project  # noqa: E402
from tinycompress.shared import BASELINE_MODELS, require, shared_root  # noqa: E402
from tinycompress.simulate import qemu, renode        # noqa: E402


def timed(fn):
    start = time.monotonic()
    result = fn()
    return result, time.monotonic() - start


def check(model: Path, board, vectors: int, work: Path) -> str:
    good, bad = work / board.name / "good", work / board.name / "altered"
    generate_project(model, board.name, good, vectors=vectors)
    shutil.copytree(good, bad)
    alter_golden_output(bad, vector=min(1, vectors - 1))
    build(good)
    build(bad)
    ours, sim_s = timed(lambda: renode.simulate(good))
    theirs = qemu.simulate(good) if board.qemu_machine else None
    failed, sim_fail_s = timed(lambda: renode.simulate(bad))
    (robot_rc, _), robot_s = timed(lambda: run_renode_test(["renode/test.robot"], good))
    (robot_fail_rc, _), robot_fail_s = timed(lambda: run_renode_test(["renode/test.robot"], bad))
    r = ours.instructions_per_inference
    if theirs:   # QEMU models the board: compare the instruction counts
        q = theirs.instructions_per_inference
        qemu_cols = f"{q:>12,.0f} {(r - q) / q * 100:>+7.3f}%"
    else:        # a real board QEMU does not model
        qemu_cols = f"{'-':>12} {'-':>8}"
    return (f"{board.name:<14} {ours.passed:>2}/{vectors:<2} {r:>12,.0f} {qemu_cols} "
            f"{sim_s:>6.1f} {'FAIL' if failed.failure else 'pass?!'} {sim_fail_s:>5.1f} "
            f"{'pass' if robot_rc == 0 else 'FAIL?!'} {robot_s:>5.1f} "
            f"{'FAIL' if robot_fail_rc else 'pass?!'} {robot_fail_s:>5.1f}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?")
    parser.add_argument("--boards", default=None, help="comma-separated (default: every Renode board)")
    parser.add_argument("--vectors", type=int, default=4)
    args = parser.parse_args(argv)
    model = Path(args.model) if args.model else require(
        shared_root() / BASELINE_MODELS, "the baseline models folder", "a MODEL.tflite argument") / "digits_cnn.tflite"
    boards = [b for b in BOARDS_LIST if not renode.renode_unsupported(b)]
    if args.boards:
        boards = [b for b in boards if b.name in args.boards.split(",")]
    print(f"{model.name}, {args.vectors} golden vectors; seconds are wall time, Renode start-up included")
    print(f"{'board':<14} {'pass':>5} {'renode insns':>12} {'qemu insns':>12} {'diff':>8} "
          f"{'sim s':>6} {'altered s':>10} {'robot s':>10} {'altered s':>10}")
    with tempfile.TemporaryDirectory() as work:
        for board in boards:
            print(check(model, board, args.vectors, Path(work)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/env python3
"""Search benchmark: `tinycompress search` on the digits CNN for the issue's two cases, the
micro:bit (256 KB flash, 16 KB RAM) and mps2-an386 with a 24 KB flash cap, 20 trials each.
Prints each search's Pareto front, its best configuration that fits, and the wall time.

    nice -n 10 .venv/bin/python tools/bench_search.py [--trials 20] [--epochs 2]
        [--case microbit] [--address 127.0.0.1:6379] [--out out/bench-search]

The output folders (out/bench-search/<case>) hold report.md, front.png, trials.csv and
best.toml; rerunning the same command resumes or, when finished, reprints them.
"""
import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
REPO = Path(__file__).resolve().parents[1]
RECIPE = REPO / "models" / "digits-cnn" / "recipe.toml"
CASES = {   # name -> (board, extra search options)
    "microbit": ("microbit", {}),
    "mps2-an386-24KB": ("mps2-an386", {"max_flash": "24KB"}),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--epochs", type=int, default=2, help="cap on each compression stage's epochs")
    ap.add_argument("--case", choices=list(CASES), action="append",
                    help="run only this case (repeatable; default: both)")
    ap.add_argument("--address", default=None, help="an existing Ray cluster (default: local)")
    ap.add_argument("--out", default="out/bench-search")
    args = ap.parse_args()

    from tinycompress.errors import TinyCompressError
    from tinycompress.search import SearchFailed, search
    status = 0
    for name in args.case or list(CASES):
        board, options = CASES[name]
        started = time.time()
        try:
            result = search(RECIPE, board, Path(args.out) / name, trials=args.trials,
                            epochs=args.epochs, address=args.address,
                            log=lambda m: print(m, file=sys.stderr, flush=True), **options)
        except SearchFailed as exc:
            result, status = exc.result, 1
        except TinyCompressError as exc:
            print(f"{name}: error: {exc}")
            status = 1
            continue
        wall = time.time() - started
        print(f"== {name}: board {board} {options or ''}, {args.trials} trials, compression "
              f"epochs <= {args.epochs}, {os.cpu_count()} cores")
        print(result.text())
        print(f"wall time {wall:.0f} s ({wall / 60:.1f} min)\n", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

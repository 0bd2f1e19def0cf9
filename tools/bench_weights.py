#!/usr/bin/env python3
"""Benchmark the compressed weight formats of the native runtime in QEMU mps2-an386.

For the digits CNN (its recipe's training, 30 epochs on the real 8x8 digits, then prune 75 %
+ 16 clusters (TF-MOT) + snap (compress/snap.py: every kernel, depthwise included, pruned
75 % and clustered to 16 values per tensor after per-channel scaling, one fine-tune epoch);
no QAT, which would undo the snap) and the zoo's DS-CNN and MobileNetV1 (the same compression, briefly trained on
the zoo's synthetic data: --epochs, default 2, and 1 epoch per compression stage), build
one firmware per weight format (dense, lut, sparse, lut_sparse, packed, auto, huffman,
auto+huffman), run it in
`qemu-system-arm -icount shift=0` and print

  - weight bytes: the CONV_2D / FULLY_CONNECTED / DEPTHWISE_CONV_2D weight arrays in flash
    (huffman: codes, code tables and codebooks; dense depthwise: int16), and the ratios to
    the dense build's arrays (x dense) and to the weights as int8, one byte each (x int8);
  - model flash: every constant array of the model (weights, biases, multipliers);
  - image flash: the linked firmware's flash, golden vectors excluded (they are the same
    bytes in every build);
  - instructions per inference and the ratio to dense; activation RAM (the static arena,
    huffman's decoded weights included; `decode B`: the largest such scratch of one layer);
  - whether every golden vector matched TFLM byte for byte.

Usage: .venv/bin/python tools/bench_weights.py [--only digits-cnn ...] [--epochs N]
       [--work DIR] [--formats dense auto ...]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOARD = "mps2-an386"
FORMATS = ["dense", "lut", "sparse", "lut_sparse", "packed", "auto", "huffman", "auto+huffman"]
MODELS = {   # name -> (recipe to start from, brief-training overrides or None)
    "digits-cnn": (ROOT / "models" / "digits-cnn" / "recipe.toml", None),
    "kws-dscnn": (ROOT / "models" / "kws-dscnn" / "recipe.toml", "brief"),
    "vww-mbv1": (ROOT / "models" / "vww-mbv1" / "recipe.toml", "brief"),
}


def compressed_tflite(name: str, work: Path, epochs: int) -> Path:
    """model_int8.tflite after prune 75 % + 16 clusters + snap (the recipe's own training
    for digits; a brief one for the zoo models), cached in `work`."""
    import tomllib
    from tinycompress.recipe import parse_recipe
    from tinycompress.run import run_recipe

    out = work / name
    tflite = out / "model_int8.tflite"
    if tflite.exists():
        return tflite
    path, brief = MODELS[name]
    data = tomllib.loads(path.read_text())
    data.pop("firmware", None)
    data.pop("evaluate", None)
    data.pop("export", None)
    data["compress"] = {"prune": {"target_sparsity": 0.75, **({"epochs": 1} if brief else
                                                               data["compress"]["prune"])},
                        "cluster": {"clusters": 16, "epochs": 1 if brief else 3},
                        # TF-MOT leaves DepthwiseConv2D dense: snap prunes and clusters every
                        # kernel, per-channel ones to one shared int8 codebook (compress/snap.py)
                        # QAT would undo it (TF-MOT's PCQAT keeps neither depthwise zeros nor
                        # per-channel-scaled clusters): the int8 conversion is post-training
                        "snap": {"sparsity": 0.75, "clusters": 16, "epochs": 1}}
    if brief:
        data["model"]["epochs"] = epochs
    run_recipe(parse_recipe(data, path), out, log=lambda m: print(f"  [{name}] {m}", file=sys.stderr))
    return tflite


def int8_weight_bytes(tflite: Path) -> int:
    """The conv/FC/depthwise weights as int8, one byte each (the dense depthwise kernel
    stores them as int16 pairs, so its 'dense' bytes are twice these)."""
    from tinycompress.firmware.native.compressed import weight_matrix
    from tinycompress.tflite_model import parse_tflite
    model = parse_tflite(tflite.read_bytes(), str(tflite))
    found = [weight_matrix(model, op) for op in model.operators]
    return sum(f[0].size for f in found if f is not None)


def bench(tflite: Path, work: Path, fmt: str, vectors: int) -> dict:
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project
    from tinycompress.simulate.qemu import simulate

    project = work / f"{tflite.parent.name}-{fmt}"
    generate_project(tflite, BOARD, project, vectors=vectors, weights=fmt)
    report = build(project)
    sim = simulate(project, timeout=900)
    meta = json.loads((project / "project.json").read_text())
    layers = [layer for layer in meta["layers"] if "weights" in layer]
    return dict(weights=sum(layer["weight_bytes"] for layer in layers),
                dense_weights=sum(layer["dense_weight_bytes"] for layer in layers),
                formats=sorted({layer["weights"] for layer in layers}),
                model_flash=meta["weight_bytes"], image=report.flash_used - meta["golden_bytes"],
                insns=int(round(sim.instructions_per_inference)), arena=meta["arena_bytes"],
                scratch=max(layer.get("weight_scratch_bytes", 0) for layer in layers),
                passed=sim.passed, vectors=len(sim.vectors))


def entropy_floor(tflite: Path) -> int:
    """Bytes no memoryless code of huffman's symbols can go below: per weight tensor, the
    empirical entropy of its zero runs (unbounded) plus that of its values (int8, or indices
    into per-channel codebooks with the codebooks counted, whichever is less); code tables
    free. Shows how far the format is from what its symbol alphabet allows."""
    import numpy as np
    from tinycompress.firmware.native.compressed import weight_matrix
    from tinycompress.firmware.native.weights import _huffman_codebook, _huffman_frequencies
    from tinycompress.tflite_model import read_tflite

    def bits(freqs):
        f = np.asarray(list(freqs.values()), float)
        return float((f * np.log2(f.sum() / f)).sum()) if f.size else 0.0

    model, total = read_tflite(tflite), 0.0
    for op in model.operators:
        found = weight_matrix(model, op)
        if found is None:
            continue
        w = found[0]
        runs, values = _huffman_frequencies(w, w.size + 1, None)     # no escapes: runs as they are
        book = _huffman_codebook(w)
        _, indices = _huffman_frequencies(w, w.size + 1, book)
        total += (bits(runs) + min(bits(values), bits(indices) + 8 * book.size)) / 8
    return int(round(total))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", choices=sorted(MODELS), default=list(MODELS))
    ap.add_argument("--formats", nargs="*", choices=FORMATS, default=FORMATS)
    ap.add_argument("--epochs", type=int, default=2, help="zoo models' training epochs")
    ap.add_argument("--vectors", type=int, default=3)
    ap.add_argument("--work", default=None, help="keep models and projects here (reused)")
    args = ap.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-weights-"))
    work.mkdir(parents=True, exist_ok=True)
    formats = ["dense"] + [f for f in args.formats if f != "dense"]
    failed = False
    for name in args.only:
        tflite = compressed_tflite(name, work, args.epochs)
        rows = {fmt: bench(tflite, work, fmt, args.vectors) for fmt in formats}
        d = rows["dense"]
        int8 = int8_weight_bytes(tflite)
        print(f"\n{name}: prune 75 % + 16 clusters + snap, {BOARD} (QEMU), {d['vectors']} golden vectors")
        print(f"weights as int8: {int8:,} B (x int8 below; x dense: against the dense build's arrays)")
        print(f"{'format':<12} {'weights B':>10} {'x dense':>7} {'x int8':>7} {'model B':>9} {'image B':>9} "
              f"{'x dense':>7} {'instructions':>13} {'x dense':>7} {'arena B':>8} {'decode B':>8}  bit-exact  "
              f"per-tensor formats")
        for fmt, r in rows.items():
            failed |= not r["passed"]
            print(f"{fmt:<12} {r['weights']:>10,} {r['weights'] / d['weights']:>7.3f} "
                  f"{r['weights'] / int8:>7.3f} {r['model_flash']:>9,} "
                  f"{r['image']:>9,} {r['image'] / d['image']:>7.3f} {r['insns']:>13,} "
                  f"{r['insns'] / d['insns']:>7.3f} {r['arena']:>8,} {r['scratch']:>8,}  "
                  f"{'yes' if r['passed'] else 'NO':<9}  {','.join(r['formats'])}")
        floor = entropy_floor(tflite)
        print(f"entropy floor of huffman's symbols (zero runs + values, tables free): {floor:,} B "
              f"({floor / d['weights']:.3f}x dense)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Distillation benchmark: a small student trained alone versus distilled from a larger teacher.

Teacher: the zoo's digits-cnn (38,282 params). Student: an MLP Flatten -> Dense(H, relu) ->
Dense(10, softmax) (610 params for H = 8). Two settings: all of digits' training split, and a
scarce-label one that keeps only its first N samples. In each setting and for each seed the
teacher is trained on exactly the samples the student sees, and the student is trained twice by
the same loop (distill.distill_fit): alone (alpha = 1: labels only, the teacher ignored) and
distilled (temperature T, label weight alpha). Both runs start from the same weights and take
the same optimizer steps over the same batches in the same order; only the loss differs. Step
budgets are fixed, not epochs, so the scarce setting trains as long as the full one. Prints
test accuracy per seed and mean +- std over the seeds.

--sweep never looks at the test split: it holds out the last 20 % of the training split as
validation data and prints validation accuracy over a grid of T and alpha (how the defaults
were chosen).

    .venv/bin/python tools/bench_distill.py [--seeds 0 1 2] [--hidden 8] [--scarce 300]
    .venv/bin/python tools/bench_distill.py --sweep [--seeds 0 1]
"""
import argparse
import math
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

BATCH = 32
TEACHER_STEPS = 1300          # about the zoo's 30 epochs of digits-cnn on the full split
STUDENT_STEPS = 4000          # the 610-param student is still improving at 2,000 steps


def student(hidden, seed):
    from tinycompress import train
    from tinycompress.tfcompat import keras
    train.set_seed(seed)
    inp = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(inp)
    x = keras.layers.Dense(hidden, activation="relu")(x)
    return keras.Model(inp, keras.layers.Dense(10, activation="softmax")(x), name="student")


def epochs_for(steps, n):
    return max(1, math.ceil(steps / math.ceil(n / BATCH)))


def teacher_for(data, seed):
    """digits-cnn trained (seeded) on `data`'s training split only."""
    from tinycompress import train
    from tinycompress.zoo import get
    train.set_seed(seed)
    model = get("digits-cnn").build()
    train.fit(model, data, epochs_for(TEACHER_STEPS, len(data.x_train)), batch_size=BATCH)
    return model


def run_pair(data, teacher, hidden, seed, configs, steps, lr):
    """Student alone and distilled under each (T, alpha) in `configs`; test-split accuracy."""
    from tinycompress import train
    from tinycompress.compress.distill import DistillConfig, _logits_fn, distill_fit
    from tinycompress.evaluate import keras_predict, top1_accuracy
    logits = _logits_fn(teacher)(data.x_train).numpy()
    epochs = epochs_for(steps, len(data.x_train))
    out = []
    for T, alpha in [(1.0, 1.0)] + list(configs):     # alpha = 1 first: the student alone
        s = student(hidden, seed)
        train.set_seed(seed)
        distill_fit(s, logits, data, DistillConfig(temperature=T, alpha=alpha, epochs=epochs,
                                                   batch_size=BATCH, learning_rate=lr, seed=seed))
        out.append(top1_accuracy(keras_predict(s), data.x_test, data.y_test))
    return out


def pm(values):
    v = 100 * np.asarray(values)
    return f"{round(v.mean(), 2) + 0.0:6.2f} ± {v.std():4.2f}"     # + 0.0: no "-0.00"


def benchmark(args, full):
    from tinycompress.evaluate import keras_predict, top1_accuracy
    s_params = student(args.hidden, 0).count_params()
    settings = [("full", full)] + ([("scarce", full.subset(n_train=args.scarce))]
                                   if args.scarce else [])
    print(f"student MLP 64-{args.hidden}-10: {s_params:,} params; teacher digits-cnn: "
          f"{student_teacher_params():,} params; T={args.temperature}, alpha={args.alpha}; "
          f"{args.steps} student steps, batch {BATCH}, Adam lr {args.lr}; test split "
          f"{len(full.x_test)} samples")
    summary = []
    for name, data in settings:
        n = len(data.x_train)
        print(f"\n{name}: {n} training samples (teacher and student), "
              f"{epochs_for(args.steps, n)} student epochs")
        print(f"{'seed':>4}  {'teacher %':>9}  {'alone %':>8}  {'distilled %':>11}  {'gain pp':>7}")
        rows = []
        for seed in args.seeds:
            teacher = teacher_for(data, seed)
            t = top1_accuracy(keras_predict(teacher), data.x_test, data.y_test)
            a, d = run_pair(data, teacher, args.hidden, seed,
                            [(args.temperature, args.alpha)], args.steps, args.lr)
            rows.append((t, a, d))
            print(f"{seed:>4}  {100 * t:>9.2f}  {100 * a:>8.2f}  {100 * d:>11.2f}  "
                  f"{100 * (d - a):>+7.2f}", flush=True)
        t, a, d = map(np.array, zip(*rows))
        summary.append((name, n, t, a, d))
    print(f"\nsummary, test accuracy %, mean ± std over seeds {' '.join(map(str, args.seeds))}")
    print(f"{'setting':<8} {'train n':>7}  {'teacher':>13}  {'student alone':>13}  "
          f"{'distilled':>13}  {'gain pp':>13}")
    for name, n, t, a, d in summary:
        print(f"{name:<8} {n:>7}  {pm(t)}  {pm(a)}  {pm(d)}  {pm(d - a)}")


def student_teacher_params():
    from tinycompress.zoo import get
    return get("digits-cnn").build().count_params()


def sweep(args, full):
    """Validation accuracy over a T x alpha grid; the test split is never used."""
    from dataclasses import replace
    n_val = len(full.x_train) // 5
    tv = replace(full, x_train=full.x_train[:-n_val], y_train=full.y_train[:-n_val],
                 x_test=full.x_train[-n_val:], y_test=full.y_train[-n_val:])
    grid = [(T, a) for T in (1.0, 2.0, 4.0, 8.0) for a in (0.1, 0.5)]
    head = "  ".join(f"T{T:g}/a{a:g}" for T, a in grid)
    for name, data in [("full", tv)] + ([("scarce", tv.subset(n_train=args.scarce))]
                                         if args.scarce else []):
        print(f"\n{name}: {len(data.x_train)} train, {n_val} validation samples; "
              f"validation accuracy %")
        print(f"{'seed':>4}  {'alone':>6}  {head}")
        accs = []
        for seed in args.seeds:
            acc = run_pair(data, teacher_for(data, seed), args.hidden, seed, grid,
                           args.steps, args.lr)
            accs.append(acc)
            print(f"{seed:>4}  " + "  ".join(f"{100 * v:>{w}.2f}" for v, w in
                                            zip(acc, [6] + [len(f"T{T:g}/a{a:g}") for T, a in grid])),
                  flush=True)
        m = 100 * np.mean(accs, axis=0)
        print("mean  " + "  ".join(f"{v:>{w}.2f}" for v, w in
                                   zip(m, [6] + [len(f"T{T:g}/a{a:g}") for T, a in grid])))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--hidden", type=int, default=8)
    ap.add_argument("--steps", type=int, default=STUDENT_STEPS, help="student optimizer steps")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--temperature", type=float, default=None,
                    help="default: DistillConfig's")
    ap.add_argument("--alpha", type=float, default=None, help="default: DistillConfig's")
    ap.add_argument("--scarce", type=int, default=300,
                    help="training samples in the scarce-label setting (0: skip it)")
    ap.add_argument("--sweep", action="store_true",
                    help="choose T/alpha on a validation split instead (no test data)")
    args = ap.parse_args()

    from tinycompress.compress.distill import DistillConfig
    from tinycompress.data import load_digits
    args.temperature = DistillConfig.temperature if args.temperature is None else args.temperature
    args.alpha = DistillConfig.alpha if args.alpha is None else args.alpha
    t0 = time.time()
    (sweep if args.sweep else benchmark)(args, load_digits())
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()

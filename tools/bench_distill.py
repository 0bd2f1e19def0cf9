#!/usr/bin/env python3
"""Distillation benchmark: a small student trained alone versus distilled from a larger teacher.

Teacher: the zoo's digits-cnn trained on scikit-learn's digits. Student: a much smaller MLP
(Flatten -> Dense(H) -> Dense(10)). For each seed the student starts from the same weights
and gets the same number of epochs, alone (cross-entropy on labels) or distilled (teacher's
softened outputs, temperature T, label weight alpha). Prints test accuracy per seed, mean
and standard deviation.

    .venv/bin/python tools/bench_distill.py [--seeds 0 1 2] [--hidden 8] [--epochs 20]
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402


def student(hidden, seed):
    from tinycompress import train
    from tinycompress.tfcompat import keras
    train.set_seed(seed)
    inp = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(inp)
    x = keras.layers.Dense(hidden, activation="relu")(x)
    return keras.Model(inp, keras.layers.Dense(10, activation="softmax")(x), name="student")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--hidden", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--temperature", type=float, default=4.0)
    ap.add_argument("--alpha", type=float, default=0.1)
    ap.add_argument("--train-samples", type=int, default=0,
                    help="use only the first N training samples for the student (0: all)")
    args = ap.parse_args()

    from tinycompress import train
    from tinycompress.compress.distill import DistillConfig, apply as distill
    from tinycompress.evaluate import keras_predict, top1_accuracy
    from tinycompress.zoo import train as zoo_train

    t0 = time.time()
    teacher, data, tm = zoo_train("digits-cnn")
    if args.train_samples:
        data = data.subset(n_train=args.train_samples)
    s_params = student(args.hidden, 0).count_params()
    print(f"teacher digits-cnn: {teacher.count_params():,} params, test accuracy "
          f"{100 * tm['accuracy']:.2f} %")
    print(f"student MLP 64-{args.hidden}-10: {s_params:,} params "
          f"({teacher.count_params() / s_params:.0f}x smaller); {args.epochs} epochs, "
          f"{len(data.x_train)} training samples, T={args.temperature}, alpha={args.alpha}")
    print(f"{'seed':>4}  {'alone %':>8}  {'distilled %':>11}  {'gain pp':>7}")
    alone, dist = [], []
    for seed in args.seeds:
        s = student(args.hidden, seed)
        train.fit(s, data, args.epochs, learning_rate=3e-3)
        a = top1_accuracy(keras_predict(s), data.x_test, data.y_test)
        s = student(args.hidden, seed)
        cfg = DistillConfig(temperature=args.temperature, alpha=args.alpha, epochs=args.epochs,
                            learning_rate=3e-3, seed=seed)
        d_model, _ = distill(s, data, cfg, teacher=teacher)
        d = top1_accuracy(keras_predict(d_model), data.x_test, data.y_test)
        alone.append(a)
        dist.append(d)
        print(f"{seed:>4}  {100 * a:>8.2f}  {100 * d:>11.2f}  {100 * (d - a):>+7.2f}")
    a, d = np.array(alone) * 100, np.array(dist) * 100
    print(f"mean  {a.mean():>8.2f}  {d.mean():>11.2f}  {d.mean() - a.mean():>+7.2f}")
    print(f"std   {a.std():>8.2f}  {d.std():>11.2f}")
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()

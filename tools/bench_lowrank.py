#!/usr/bin/env python3
"""Low-rank benchmark: the MLPerf Tiny FC autoencoder's Dense parameters cut to <= 50 %.

Trains the zoo's ad-fc on its seeded synthetic machine frames, then picks the largest SVD
energy whose factorisation keeps at most --budget of the Dense parameters (kernels and
biases of Dense layers), factors, fine-tunes, and prints the anomaly AUC and reconstruction
error before, right after factoring, and after fine-tuning.

    .venv/bin/python tools/bench_lowrank.py [--budget 0.5] [--epochs 20] [--finetune 10]
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def dense_params(model):
    from tinycompress.tfcompat import keras
    return sum(layer.count_params() for layer in model.layers
               if isinstance(layer, keras.layers.Dense))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=float, default=0.5, help="max share of Dense params kept")
    ap.add_argument("--epochs", type=int, default=20, help="training epochs of the float model")
    ap.add_argument("--finetune", type=int, default=10, help="fine-tuning epochs after factoring")
    args = ap.parse_args()

    from tinycompress.compress.lowrank import LowRankConfig, apply as lowrank, _plan
    from tinycompress.evaluate import keras_predict, metrics
    from tinycompress.zoo import train

    t0 = time.time()
    model, data, before = train("ad-fc", epochs=args.epochs)
    base = dense_params(model)
    print(f"ad-fc float: {model.count_params():,} params, Dense {base:,}; test AUC "
          f"{before['auc']:.4f}, normal reconstruction MSE {before['reconstruction_mse']:.5f}")
    # the largest energy (finest step 0.01) whose plan fits the budget
    chosen = None
    for e100 in range(99, 0, -1):
        plan, _ = _plan(model, LowRankConfig(energy=e100 / 100))
        kept = base
        for name, r in plan.items():
            layer = model.get_layer(name)
            n_in, n_out = layer.get_weights()[0].shape
            kept -= n_in * n_out - r * (n_in + n_out)
        if kept <= args.budget * base:
            chosen = e100 / 100
            break
    print(f"energy chosen: {chosen} (largest keeping <= {100 * args.budget:.0f} % of Dense params)")
    raw, _ = lowrank(model, data, LowRankConfig(energy=chosen, epochs=0))
    tuned, report = lowrank(model, data, LowRankConfig(energy=chosen, epochs=args.finetune))
    after_raw = metrics(keras_predict(raw), data)
    after = report.metrics
    print(f"ranks: {report.details['ranks']}")
    print(f"{'':<22} {'Dense params':>12} {'share':>6} {'AUC':>7} {'MSE normal':>11}")
    print(f"{'float':<22} {base:>12,} {'100%':>6} {before['auc']:>7.4f} "
          f"{before['reconstruction_mse']:>11.5f}")
    print(f"{'factored, no tuning':<22} {dense_params(raw):>12,} "
          f"{100 * dense_params(raw) / base:>5.1f}% {after_raw['auc']:>7.4f} "
          f"{after_raw['reconstruction_mse']:>11.5f}")
    print(f"{f'factored + {args.finetune} epochs':<22} {dense_params(tuned):>12,} "
          f"{100 * dense_params(tuned) / base:>5.1f}% {after['auc']:>7.4f} "
          f"{after['reconstruction_mse']:>11.5f}")
    print(f"metric change: AUC {after['auc'] - before['auc']:+.4f}, MSE "
          f"{after['reconstruction_mse'] - before['reconstruction_mse']:+.5f}")
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()

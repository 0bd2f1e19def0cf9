"""Post-training magnitude pruning and clustering of kernels, DepthwiseConv2D included.

TF-MOT's prune and cluster wrappers leave DepthwiseConv2D dense, so MobileNet- and
DS-CNN-shaped models keep those kernels at 256 possible values per channel. This step snaps
a trained model's kernels in place: the smallest `sparsity` fraction of each kernel set to
zero, the rest replaced by the nearest of `clusters` centroids (1-D k-means, Lloyd's
iterations from evenly spaced quantiles). After per-channel int8 conversion each channel
holds at most clusters + 1 values, which the native runtime stores as lut / lut_sparse.
Without fine-tuning this costs accuracy; follow it with a short fit (or QAT) when it matters.
"""
from __future__ import annotations

import numpy as np

KERNELS = {"Conv2D": "kernel", "Dense": "kernel", "DepthwiseConv2D": "depthwise_kernel"}


def kmeans_1d(values: np.ndarray, clusters: int, iterations: int = 20) -> np.ndarray:
    """Centroids of 1-D k-means on `values`, started at evenly spaced quantiles."""
    values = np.asarray(values, np.float64).ravel()
    cents = np.unique(np.quantile(values, np.linspace(0, 1, min(clusters, values.size))))
    for _ in range(iterations):
        owner = np.argmin(np.abs(values[:, None] - cents[None, :]), axis=1)
        new = np.array([values[owner == i].mean() if np.any(owner == i) else c
                        for i, c in enumerate(cents)])
        if np.allclose(new, cents):
            break
        cents = new
    return cents


def snap_kernel(w: np.ndarray, sparsity: float, clusters: int) -> np.ndarray:
    """w with its smallest `sparsity` fraction zeroed and the rest snapped to k-means centroids."""
    flat = np.asarray(w, np.float64).ravel().copy()
    cut = int(sparsity * flat.size)
    if cut:
        flat[np.argsort(np.abs(flat), kind="stable")[:cut]] = 0.0
    nonzero = flat != 0
    if np.any(nonzero):
        cents = kmeans_1d(flat[nonzero], clusters)
        flat[nonzero] = cents[np.argmin(np.abs(flat[nonzero][:, None] - cents[None, :]), axis=1)]
    return flat.reshape(np.shape(w)).astype(np.asarray(w).dtype)


def snap_model(model, sparsity: float = 0.75, clusters: int = 16, kinds=tuple(KERNELS)) -> list:
    """Snap every kernel of the layers of `kinds` in place; returns the names changed."""
    changed = []
    for layer in model.layers:
        attr = KERNELS.get(type(layer).__name__)
        if attr is None or type(layer).__name__ not in kinds:
            continue
        var = getattr(layer, attr)
        var.assign(snap_kernel(var.numpy(), sparsity, clusters))
        changed.append(layer.name)
    return changed

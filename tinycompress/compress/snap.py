"""Post-training magnitude pruning and clustering of kernels, DepthwiseConv2D included.

TF-MOT's prune and cluster wrappers leave DepthwiseConv2D dense, so MobileNet- and
DS-CNN-shaped models keep those kernels at 256 possible values per channel. This step snaps
a trained model's kernels in place: the smallest `sparsity` fraction of each kernel set to
zero, the rest replaced by the nearest of `clusters` centroids (1-D k-means, Lloyd's
iterations from evenly spaced quantiles).

Per-channel int8 conversion (Conv2D, DepthwiseConv2D) divides each output channel by its
own scale, max |w_c| / 127, so centroids shared in float become a different set of int8
values in every channel: each channel then needs its own codebook in flash. With
`scale_aware` (the default) the kernels the converter quantizes per channel are clustered
as w_c / max |w_c|, with centroids pinned at -1 and +1 so that every channel keeps its own
maximum: after conversion all channels take their values from one set of about `clusters`
int8 values, which the native runtime stores as one per-tensor codebook. Dense kernels are
treated the same: without QAT the converter quantizes them per output channel too (after
QAT, per tensor: each channel then still holds at most `clusters` values).

As a recipe stage ([compress.snap], after cluster, before qat) it can fine-tune: `epochs`
rounds of one epoch of training followed by a new snap, so the last word is the snap.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import TinyCompressError

KERNELS = {"Conv2D": "kernel", "Dense": "kernel", "DepthwiseConv2D": "depthwise_kernel"}
# kernels the int8 converter quantizes per output channel: Conv2D and DepthwiseConv2D always,
# Dense too without QAT (TF 2.21: one scale per output measured on DS-CNN's classifier)
PER_CHANNEL = {"Conv2D", "DepthwiseConv2D", "Dense"}


@dataclass
class SnapConfig:
    sparsity: float = 0.75            # fraction of each kernel set to zero (smallest magnitudes)
    clusters: int = 16                # distinct nonzero values per kernel
    kinds: list = field(default_factory=lambda: list(KERNELS))   # layer classes snapped
    scale_aware: bool = True          # one int8 codebook per tensor after per-channel quantization
    skip_layers: list = field(default_factory=list)
    epochs: int = 0                   # fine-tune rounds: one epoch of training, then snap again
    batch_size: int = 32
    learning_rate: float = 1e-4
    seed: int = 0

    def validate(self):
        if not 0.0 <= self.sparsity < 1.0:
            raise TinyCompressError(f"snap: sparsity {self.sparsity} must be in [0, 1)")
        if not 2 <= int(self.clusters) <= 255:
            raise TinyCompressError(f"snap: clusters {self.clusters} must be in 2..255 (int8 "
                                    "weights cannot hold more distinct nonzero values)")
        unknown = set(self.kinds) - set(KERNELS)
        if unknown:
            raise TinyCompressError(f"snap: kinds {', '.join(sorted(unknown))} unknown; use "
                                    f"{', '.join(KERNELS)}")
        if self.epochs < 0:
            raise TinyCompressError(f"snap: epochs {self.epochs} must be 0 or more")


def kmeans_1d(values: np.ndarray, clusters: int, iterations: int = 20, pinned=()) -> np.ndarray:
    """Centroids of 1-D k-means on `values`, started at evenly spaced quantiles; `pinned`
    centroids stay where they are (they count towards `clusters`)."""
    values = np.asarray(values, np.float64).ravel()
    pinned = np.asarray(pinned, np.float64)
    free = max(0, min(clusters - pinned.size, values.size))
    cents = np.unique(np.concatenate([pinned, np.quantile(values, np.linspace(0, 1, free))
                                      if free else []]))
    fixed = np.isin(cents, pinned)
    for _ in range(iterations):
        owner = np.argmin(np.abs(values[:, None] - cents[None, :]), axis=1)
        new = np.array([c if f or not np.any(owner == i) else values[owner == i].mean()
                        for i, (c, f) in enumerate(zip(cents, fixed))])
        if np.allclose(new, cents):
            break
        cents = new
    return cents


def _nearest(values, cents):
    return cents[np.argmin(np.abs(values[:, None] - cents[None, :]), axis=1)]


def snap_kernel(w: np.ndarray, sparsity: float, clusters: int, channel_axis=None) -> np.ndarray:
    """w with its smallest `sparsity` fraction zeroed and the rest snapped to k-means
    centroids; with `channel_axis`, clustered as w_c / max |w_c| (see the module doc)."""
    w = np.asarray(w)
    flat = w.astype(np.float64).ravel().copy()
    cut = int(sparsity * flat.size)
    if cut:
        flat[np.argsort(np.abs(flat), kind="stable")[:cut]] = 0.0
    if channel_axis is None:
        nonzero = flat != 0
        if np.any(nonzero):
            flat[nonzero] = _nearest(flat[nonzero], kmeans_1d(flat[nonzero], clusters))
        return flat.reshape(w.shape).astype(w.dtype)
    rows = np.moveaxis(flat.reshape(w.shape), channel_axis, -1).reshape(-1, w.shape[channel_axis]).T
    scale = np.abs(rows).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    unit = rows / scale
    nonzero = unit != 0
    if np.any(nonzero):
        cents = kmeans_1d(unit[nonzero], clusters, pinned=(-1.0, 1.0))
        unit[nonzero] = _nearest(unit[nonzero], cents)
    moved = np.moveaxis(flat.reshape(w.shape), channel_axis, -1)
    out = (unit * scale).T.reshape(moved.shape)
    return np.moveaxis(out, -1, channel_axis).astype(w.dtype)


def _channel_axis(kind, var, scale_aware):
    if not scale_aware or kind not in PER_CHANNEL:
        return None
    return len(var.shape) - 1


def _snap_var(kind, var, sparsity, clusters, scale_aware):
    w = var.numpy()
    axis = _channel_axis(kind, var, scale_aware)
    if kind == "DepthwiseConv2D" and axis is not None:   # [h, w, in_c, mult]: channel = in_c x mult
        flat = snap_kernel(w.reshape(w.shape[0], w.shape[1], -1), sparsity, clusters, 2)
        var.assign(flat.reshape(w.shape))
    else:
        var.assign(snap_kernel(w, sparsity, clusters, axis))


def snap_model(model, sparsity: float = 0.75, clusters: int = 16, kinds=tuple(KERNELS),
               scale_aware: bool = True, skip=()) -> list:
    """Snap every kernel of the layers of `kinds` in place; returns the names changed."""
    changed = []
    for layer in model.layers:
        kind = type(layer).__name__
        attr = KERNELS.get(kind)
        if attr is None or kind not in kinds or layer.name in skip:
            continue
        _snap_var(kind, getattr(layer, attr), sparsity, clusters, scale_aware)
        changed.append(layer.name)
    return changed


def apply(model, dataset, config: SnapConfig = None, verbose=0):
    """The recipe stage: snap, then `epochs` rounds of one epoch of training and a new snap."""
    from .. import train
    from .common import evaluate_stage, start_stage
    config, started = start_stage(config, SnapConfig)
    unknown = set(config.skip_layers) - {layer.name for layer in model.layers}
    if unknown:
        raise TinyCompressError(f"snap: skip list names layer(s) {', '.join(sorted(unknown))} that "
                                f"model '{model.name}' does not have")

    def snap():
        return snap_model(model, config.sparsity, config.clusters, tuple(config.kinds),
                          config.scale_aware, config.skip_layers)

    names = snap()
    warnings = [] if names else ["snap: no Conv2D, DepthwiseConv2D or Dense kernel to snap; "
                                 "model unchanged"]
    for _ in range(config.epochs if names else 0):
        train.fit(model, dataset, 1, batch_size=config.batch_size,
                  learning_rate=config.learning_rate, verbose=verbose, label="snap")
        snap()
    details = {"snapped_layers": names, "sparsity": config.sparsity, "clusters": config.clusters,
               "scale_aware": config.scale_aware, "fine_tune_epochs": config.epochs}
    return model, evaluate_stage("snap", model, dataset, warnings, details, started)

"""Weight statistics shared by Keras evaluation and .tflite inspection: sparsity, unique values."""
import numpy as np


def sparsity(array) -> float:
    """Fraction of exactly-zero entries (0.0 for an empty array)."""
    a = np.asarray(array)
    return float(np.count_nonzero(a == 0) / a.size) if a.size else 0.0


def unique_values(array, axis=None) -> int:
    """Number of distinct values; with `axis`, the maximum over the slices along that axis.

    Per-channel counts matter for int8 weights quantized per channel: 16 clusters give at
    most 16 int8 values in each output channel, while the whole tensor may hold more.
    """
    a = np.asarray(array)
    if a.size == 0:
        return 0
    if axis is None:
        return int(np.unique(a).size)
    a = np.moveaxis(a, axis, 0).reshape(a.shape[axis], -1)
    return int(max(np.unique(row).size for row in a))


def weight_kernels(model):
    """(layer name, kernel array, output-channel axis) for every Dense/Conv-like kernel of a Keras model.

    Biases and normalisation parameters are not compressed by pruning or clustering, so
    only kernels are reported. Depthwise kernels have their channels on axis 2.
    """
    out = []
    for layer in _flat_layers(model):
        for w in getattr(layer, "weights", []):
            name = w.name.split("/")[-1].split(":")[0]
            if name == "depthwise_kernel" and len(w.shape) == 4:
                out.append((layer.name, w.numpy(), 2))
            elif name == "kernel" and len(w.shape) >= 2:
                out.append((layer.name, w.numpy(), len(w.shape) - 1))
    return out


def _flat_layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.__class__.__name__ in ("Functional", "Sequential", "Model"):
            yield from _flat_layers(layer)
        else:
            yield layer


def layer_stats(model):
    """{layer: {"params", "sparsity", "unique", "unique_per_channel"}} for every weight kernel."""
    stats = {}
    for name, kernel, axis in weight_kernels(model):
        stats[name] = {
            "params": int(kernel.size),
            "sparsity": round(sparsity(kernel), 4),
            "unique": unique_values(kernel),
            "unique_per_channel": unique_values(kernel, axis=axis),
        }
    return stats


def overall_sparsity(model) -> float:
    """Zero fraction over all weight kernels together."""
    kernels = [k for _, k, _ in weight_kernels(model)]
    total = sum(k.size for k in kernels)
    return float(sum(np.count_nonzero(k == 0) for k in kernels) / total) if total else 0.0

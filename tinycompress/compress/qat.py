"""8-bit quantization-aware training (TF-MOT). After pruning and/or clustering it uses TF-MOT's
collaborative schemes (PQAT, CQAT, PCQAT) so that zeros and clusters survive, and checks,
layer by layer, that they did."""
from dataclasses import dataclass

import numpy as np

from ..errors import TinyCompressError
from .. import train, weightstats
from .cluster import PRUNED_SPARSITY
from .common import evaluate_stage, select_layers, start_stage

PRESERVE = ("auto", "none", "sparsity", "clusters", "both")
CLUSTERED_MAX_UNIQUE = 256   # int8 holds no more values: a "clustered" kernel has fewer
MIN_CLUSTERED_WEIGHTS = 64


@dataclass
class QATConfig:
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 1e-4
    preserve: str = "auto"     # "auto" (detect pruned/clustered) | "none" | "sparsity" | "clusters" | "both"
    check: bool = True         # fail when sparsity or clusters did not survive QAT
    seed: int = 0

    def validate(self):
        if self.preserve not in PRESERVE:
            raise TinyCompressError(f"qat: preserve {self.preserve!r} unknown; use one of "
                                    f"{', '.join(PRESERVE)}")


def is_clustered(kernel, axis) -> bool:
    """True when the kernel's non-zero weights repeat: at most half as many distinct non-zero
    values as non-zero weights, over the whole tensor or summed over output channels (per-
    channel clustering). Trained float weights never repeat; clustered ones take few values."""
    def repeats(rows):
        distinct = sum(np.unique(r[r != 0]).size for r in rows)
        count = sum(np.count_nonzero(r) for r in rows)
        return count > 0 and 2 * distinct <= count
    return repeats([kernel.ravel()]) or repeats(
        np.moveaxis(kernel, axis, 0).reshape(kernel.shape[axis], -1))


def detect(model):
    """(pruned, clustered) as seen in the weights of `model`: clustered when a kernel with at
    least MIN_CLUSTERED_WEIGHTS non-zero weights is (too few weights say nothing; a small
    layer clustered per channel, 8 values among 9 weights, shows no repeats, so one clustered
    layer is enough: the check after QAT covers every layer anyway)."""
    pruned = weightstats.overall_sparsity(model) >= PRUNED_SPARSITY
    big = [(k, axis) for _, k, axis in weightstats.weight_kernels(model)
           if np.count_nonzero(k) >= MIN_CLUSTERED_WEIGHTS]
    clustered = any(is_clustered(k, axis) for k, axis in big)
    return pruned, clustered


def scheme_for(pruned, clustered):
    """TF-MOT scheme and its name: PCQAT, CQAT, PQAT or plain QAT."""
    import tensorflow_model_optimization as tfmot
    combine = tfmot.experimental.combine
    if clustered:
        return (combine.Default8BitClusterPreserveQuantizeScheme(preserve_sparsity=pruned),
                "PCQAT" if pruned else "CQAT")
    if pruned:
        return combine.Default8BitPrunePreserveQuantizeScheme(), "PQAT"
    return tfmot.quantization.keras.default_8bit.Default8BitQuantizeScheme(), "QAT"


def _supports(layer):
    from tensorflow_model_optimization.python.core.quantization.keras.default_8bit import (
        default_8bit_quantize_registry as reg)
    return reg.Default8BitQuantizeRegistry().supports(layer)


def _kernels(model):
    """{layer name: (kernel, channel axis)} of a plain or QAT-wrapped model (wrapper names
    'quant_x' map back to 'x')."""
    out = {}
    for name, kernel, axis in weightstats.weight_kernels(model):
        out[name[len("quant_"):] if name.startswith("quant_") else name] = (kernel, axis)
    return out


def _per_channel_unique(kernel, axis):
    rows = np.moveaxis(kernel, axis, 0).reshape(kernel.shape[axis], -1)
    return np.array([np.unique(r).size for r in rows])


def check_preserved(before, after, sparsity=True, clusters=True, tolerance=0.005):
    """Problems (list of str) where QAT lost zeros or added distinct values, per layer and per
    output channel. Layers that held no repeated values cannot gain any, so checking every
    layer only finds what an earlier stage made and QAT lost."""
    problems = []
    old, new = _kernels(before), _kernels(after)
    for name, (k0, axis) in old.items():
        if name not in new:
            continue
        k1 = new[name][0]
        if sparsity and weightstats.sparsity(k1) < weightstats.sparsity(k0) - tolerance:
            problems.append(f"layer '{name}': sparsity fell from {weightstats.sparsity(k0):.3f} "
                            f"to {weightstats.sparsity(k1):.3f}")
        if not clusters:
            continue
        t0, t1 = weightstats.unique_values(k0), weightstats.unique_values(k1)
        c0, c1 = _per_channel_unique(k0, axis), _per_channel_unique(k1, axis)
        if (c1 > c0).any():
            ch = int(np.argmax(c1 - c0))
            problems.append(f"layer '{name}': distinct values in output channel {ch} rose from "
                            f"{c0[ch]} to {c1[ch]} (at most {c0.max()} per channel before, "
                            f"{c1.max()} after)")
        elif t0 <= CLUSTERED_MAX_UNIQUE and t1 > t0:
            problems.append(f"layer '{name}': distinct values rose from {t0} to {t1}")
    return problems


def apply(model, dataset, config: QATConfig = None, verbose=0):
    """Quantization-aware training; returns (QAT model with fake-quant wrappers, report).

    The quantize wrappers stay: the int8 converter reads their learned ranges. Clustering
    variables that CQAT adds are stripped.
    """
    import tensorflow_model_optimization as tfmot
    from ..tfcompat import keras
    qk = tfmot.quantization.keras
    config, started = start_stage(config, QATConfig)
    seen_pruned, seen_clustered = detect(model)
    pruned, clustered = {"auto": (seen_pruned, seen_clustered), "none": (False, False),
                         "sparsity": (True, False), "clusters": (False, True),
                         "both": (True, True)}[config.preserve]
    scheme, scheme_name = scheme_for(pruned, clustered)
    names, warnings = select_layers(model, "qat", _supports)
    # quantize every supported layer (pooling, BN... included); unsupported ones stay float
    unsupported = {w.split("'")[1] for w in warnings}
    from .common import copy_model

    base = copy_model(model)

    def annotate(layer):
        if layer.name in unsupported or isinstance(layer, keras.layers.InputLayer):
            return layer
        return qk.quantize_annotate_layer(layer)
    try:
        annotated = keras.models.clone_model(base, clone_function=annotate)
        custom = {type(layer).__name__: type(layer) for layer in base.layers}
        with qk.quantize_scope(custom):
            q = qk.quantize_apply(annotated, scheme)
    except (ValueError, RuntimeError) as exc:
        raise TinyCompressError(f"qat: TF-MOT cannot quantize model '{model.name}' ({exc}); skip "
                                "the layer it names or drop --qat") from exc
    train.fit(q, dataset, config.epochs, batch_size=config.batch_size,
              learning_rate=config.learning_rate, verbose=verbose, label="qat")
    if clustered:
        q = tfmot.experimental.combine.strip_clustering_cqat(q)
    # whatever the scheme, every zero and every shared value of every layer must survive
    problems = check_preserved(model, q)
    details = {"scheme": scheme_name, "pruned": pruned, "clustered": clustered,
               "preserved": not problems, "problems": problems}
    if problems and config.check:
        raise TinyCompressError(f"qat ({scheme_name}): compression did not survive QAT: "
                                + "; ".join(problems) + "; skip the layer named in the stage "
                                "before QAT, or set qat.check = false to accept the loss")
    return q, evaluate_stage("qat", q, dataset, warnings, details, started)

"""Low-rank factorisation: a Dense (or 1x1 Conv2D) kernel W (n_in x n_out) becomes two thinner
layers A (n_in x r) and B (r x n_out) from its SVD, when that saves parameters; then fine-tuning.

The rank is given, or the smallest that keeps `energy` of the squared singular values. The
second layer keeps the original name, bias and activation, so later stages, skip lists and
reports still find it; the first is called '<name>_lowrank'.
"""
import copy
from dataclasses import dataclass, field

import numpy as np

from ..errors import TinyCompressError
from .. import train
from .common import evaluate_stage, start_stage


@dataclass
class LowRankConfig:
    energy: float = 0.9               # share of sum(s^2) the kept singular values hold
    rank: int = 0                     # fixed rank for every layer (0: use energy)
    skip_layers: list = field(default_factory=list)
    epochs: int = 5                   # fine-tuning epochs after factorising
    batch_size: int = 32
    learning_rate: float = 5e-4
    seed: int = 0

    def validate(self):
        if not 0.0 < self.energy <= 1.0:
            raise TinyCompressError(f"lowrank: energy {self.energy} must be in (0, 1]")
        if self.rank < 0:
            raise TinyCompressError("lowrank: rank must be >= 0")


def rank_for(singular, energy):
    """Smallest r with sum(s[:r]^2) >= energy * sum(s^2)."""
    e = np.cumsum(singular.astype(np.float64) ** 2)
    return int(min(len(singular), np.searchsorted(e, energy * e[-1] - 1e-12) + 1))


def factorize(kernel, rank):
    """(A, B) with A @ B the best rank-`rank` approximation of `kernel` (2-D), balanced."""
    u, s, vt = np.linalg.svd(kernel.astype(np.float64), full_matrices=False)
    root = np.sqrt(s[:rank])
    return (u[:, :rank] * root).astype(np.float32), (root[:, None] * vt[:rank]).astype(np.float32)


def _candidate(layer):
    """2-D kernel of a Dense or 1x1 Conv2D layer, or None (with why) when it cannot be factored."""
    from ..tfcompat import keras
    t = type(layer)
    if t is keras.layers.Dense:
        return layer.get_weights()[0], None
    if t is keras.layers.Conv2D:
        cfg = layer.get_config()
        if tuple(cfg["kernel_size"]) != (1, 1) or cfg.get("groups", 1) != 1 \
                or tuple(cfg["dilation_rate"]) != (1, 1):
            return None, "only 1x1 convolutions are factored"
        k = layer.get_weights()[0]
        return k.reshape(k.shape[2], k.shape[3]), None
    return None, None


def _plan(model, config):
    plan, warnings = {}, []
    skip = set(config.skip_layers)
    for layer in model.layers:
        if layer.name in skip:
            continue
        kernel, why = _candidate(layer)
        if kernel is None:
            if why is None and layer.weights and type(layer).__name__ not in (
                    "BatchNormalization", "DepthwiseConv2D", "Conv2D"):
                warnings.append(f"lowrank: skipped layer '{layer.name}' "
                                f"({type(layer).__name__}): not a Dense or 1x1 Conv2D layer")
            continue
        if len(getattr(layer, "_inbound_nodes", [])) > 1:
            warnings.append(f"lowrank: skipped layer '{layer.name}': it is shared (called "
                            "more than once)")
            continue
        n_in, n_out = kernel.shape
        s = np.linalg.svd(kernel.astype(np.float64), compute_uv=False)
        r = min(config.rank, len(s)) if config.rank else rank_for(s, config.energy)
        if r * (n_in + n_out) >= n_in * n_out:
            continue  # factoring would not save parameters
        plan[layer.name] = r
    return plan, warnings


def _rebuild_config(model, plan):
    """Model config with '<name>_lowrank' inserted before each planned layer."""
    cfg = copy.deepcopy(model.get_config())
    out = []
    for entry in cfg["layers"]:
        name = entry["config"]["name"]
        if name in plan:
            first = {"class_name": entry["class_name"], "config": copy.deepcopy(entry["config"])}
            c = first["config"]
            c["name"] = f"{name}_lowrank"
            c["use_bias"] = False
            c["activation"] = "linear"
            for k in ("bias_initializer", "bias_regularizer", "bias_constraint",
                      "activity_regularizer"):
                c.pop(k, None)
            if entry["class_name"] == "Dense":
                c["units"] = plan[name]
            else:
                c["filters"] = plan[name]
            second = entry["config"]
            if entry["class_name"] == "Conv2D":  # the first 1x1 conv does the striding
                second["strides"] = (1, 1)
            if "inbound_nodes" in entry:  # functional: rewire name's input through name_lowrank
                first["inbound_nodes"] = entry["inbound_nodes"]
                first["name"] = c["name"]
                entry = dict(entry, inbound_nodes=[[[c["name"], 0, 0, {}]]])
            entry.pop("build_config", None)  # built for the old input width otherwise
            out.append(first)
        out.append(entry)
    cfg["layers"] = out
    return cfg


def apply(model, dataset, config: LowRankConfig = None, verbose=0):
    """Factor every Dense / 1x1 Conv2D layer where it saves parameters; fine-tune; report."""
    from ..tfcompat import keras
    config, started = start_stage(config, LowRankConfig)
    plan, warnings = _plan(model, config)
    if not plan:
        warnings.append("lowrank: no layer where factoring saves parameters; model unchanged")
        return model, evaluate_stage("lowrank", model, dataset, warnings, {"ranks": {}}, started)
    cfg = _rebuild_config(model, plan)
    try:
        # the model's own classes (custom layers too) are what its config names
        custom = {type(layer).__name__: type(layer) for layer in model.layers}
        new = model.__class__.from_config(cfg, custom_objects=custom)
    except Exception as exc:  # noqa: BLE001 - any rebuild failure means we cannot factor
        raise TinyCompressError(f"lowrank: cannot rebuild model '{model.name}' with factored "
                                f"layers ({exc}); skip the layers it names") from exc
    for layer in model.layers:
        target = new.get_layer(layer.name)
        if layer.name not in plan:
            target.set_weights(layer.get_weights())
            continue
        kernel, _ = _candidate(layer)
        a, b = factorize(kernel, plan[layer.name])
        rest = layer.get_weights()[1:]
        first = new.get_layer(f"{layer.name}_lowrank")
        if len(layer.get_weights()[0].shape) == 4:
            a, b = a[None, None], b[None, None]
        first.set_weights([a])
        target.set_weights([b] + rest)
    details = {"ranks": plan, "params_before": int(model.count_params()),
               "params_after": int(new.count_params()), "factored_layers": sorted(plan),
               "energy": config.energy, "rank": config.rank}
    train.fit(new, dataset, config.epochs, batch_size=config.batch_size,
              learning_rate=config.learning_rate, verbose=verbose, label="lowrank")
    return new, evaluate_stage("lowrank", new, dataset, warnings, details, started)

"""Magnitude pruning (TF-MOT prune_low_magnitude): constant or polynomial-decay schedule,
m-by-n structured sparsity (2:4), a per-layer skip list, fine-tuning, per-layer report."""
import math
from dataclasses import dataclass, field

from ..errors import TinyCompressError
from .. import train
from .common import clone_wrapping, evaluate_stage, select_layers, start_stage

SCHEDULES = ("constant", "polynomial")


@dataclass
class PruneConfig:
    target_sparsity: float = 0.75     # fraction of zero weights per pruned kernel
    schedule: str = "polynomial"      # "constant" | "polynomial" (ramps from initial_sparsity)
    initial_sparsity: float = 0.0     # polynomial schedule start
    structured: str = ""              # "2:4": m zeros in every n consecutive weights
    skip_layers: list = field(default_factory=list)   # layer names left dense
    epochs: int = 8                   # fine-tuning epochs while pruning
    batch_size: int = 32
    learning_rate: float = 1e-3
    frequency: int = 10               # steps between mask updates
    seed: int = 0

    def validate(self):
        if not 0.0 <= self.target_sparsity < 1.0:
            raise TinyCompressError(f"prune: target_sparsity {self.target_sparsity} must be in "
                                    "[0, 1)")
        if self.schedule not in SCHEDULES:
            raise TinyCompressError(f"prune: schedule {self.schedule!r} unknown; use one of "
                                    f"{', '.join(SCHEDULES)}")
        if not 0.0 <= self.initial_sparsity <= self.target_sparsity:
            raise TinyCompressError("prune: initial_sparsity must be in [0, target_sparsity]")
        if self.structured:
            m_by_n(self.structured)

    def to_m_by_n(self):
        return m_by_n(self.structured) if self.structured else None


def m_by_n(text):
    """'2:4' -> (2, 4): m zeros in every n consecutive weights."""
    try:
        m, n = (int(v) for v in str(text).split(":"))
    except ValueError:
        m = n = 0
    if not 0 < m < n:
        raise TinyCompressError(f"prune: structured sparsity {text!r} must look like '2:4' "
                                "(m zeros in every n weights, 0 < m < n)")
    return m, n


def _schedule(config, steps):
    import tensorflow_model_optimization as tfmot
    sched = tfmot.sparsity.keras
    freq = max(1, min(config.frequency, steps // 4 or 1))
    if config.structured:  # sparsity comes from m:n; prune from the first step on
        return sched.ConstantSparsity(m_by_n(config.structured)[0] / m_by_n(config.structured)[1],
                                      begin_step=0, frequency=freq)
    if config.schedule == "constant":
        return sched.ConstantSparsity(config.target_sparsity, begin_step=0, frequency=freq)
    # ramp over the first two thirds, then fine-tune at the final sparsity
    end = max(freq, int(steps * 2 / 3))
    return sched.PolynomialDecay(config.initial_sparsity, config.target_sparsity, begin_step=0,
                                 end_step=end, frequency=freq)


def _supports(structured):
    from tensorflow_model_optimization.python.core.sparsity.keras.prune_registry import PruneRegistry
    from ..tfcompat import keras

    def supports(layer):
        if structured:  # TF-MOT's m-by-n pruning handles Conv2D and Dense kernels only
            return type(layer) in (keras.layers.Conv2D, keras.layers.Dense)
        # the registry "supports" some layers (DepthwiseConv2D) without pruning any weight
        return PruneRegistry.supports(layer) and bool(PruneRegistry._weight_names(layer))
    return supports


def apply(model, dataset, config: PruneConfig = None, verbose=0):
    """Prune `model` while fine-tuning on `dataset`; returns (stripped model, StageReport)."""
    import tensorflow_model_optimization as tfmot
    config, started = start_stage(config, PruneConfig)
    names, warnings = select_layers(model, "prune", _supports(config.structured),
                                    config.skip_layers, min_kernel=config.to_m_by_n()[1]
                                    if config.structured else 1)
    if config.target_sparsity == 0 and not config.structured or not names:
        if not names:
            warnings.append("prune: no layer to prune; model unchanged")
        return model, evaluate_stage("prune", model, dataset, warnings, {"pruned_layers": []},
                                     started)
    epochs = max(1, config.epochs)
    steps = epochs * math.ceil(len(dataset.x_train) / config.batch_size)
    schedule = _schedule(config, steps)
    kwargs = {"pruning_schedule": schedule}
    if config.structured:
        kwargs["sparsity_m_by_n"] = config.to_m_by_n()
    wrapped = clone_wrapping(model, names,
                             lambda layer: tfmot.sparsity.keras.prune_low_magnitude(layer, **kwargs))
    train.fit(wrapped, dataset, epochs, batch_size=config.batch_size,
              learning_rate=config.learning_rate, verbose=verbose,
              callbacks=[tfmot.sparsity.keras.UpdatePruningStep()], label="prune")
    pruned = tfmot.sparsity.keras.strip_pruning(wrapped)
    details = {"pruned_layers": names, "schedule": "m_by_n" if config.structured else config.schedule,
               "structured": config.structured, "target_sparsity": config.target_sparsity}
    return pruned, evaluate_stage("prune", pruned, dataset, warnings, details, started)

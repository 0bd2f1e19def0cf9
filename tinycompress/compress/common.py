"""What every compression stage shares: the StageReport, layer selection with warnings for
layers a stage cannot handle, cloning with per-layer wrapping, and the evaluation after a stage."""
import time
from dataclasses import asdict, dataclass, field

from ..errors import TinyCompressError


# Built-in layers that hold nothing a stage compresses and need no warning.
NEUTRAL_LAYERS = {
    "InputLayer", "Flatten", "Reshape", "Dropout", "SpatialDropout2D", "Activation", "ReLU",
    "Softmax", "LeakyReLU", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "Add", "Subtract", "Multiply", "Concatenate", "ZeroPadding2D", "BatchNormalization",
    "Permute", "UpSampling2D",
}
KERNEL_NAMES = ("kernel", "depthwise_kernel")


@dataclass
class StageReport:
    """The evaluation after one stage (or of the input model, stage "float")."""
    stage: str
    metrics: dict                      # {"accuracy"} or {"reconstruction_mse", "auc"}
    params: int
    sparsity: float                    # zeros over all weight kernels
    layers: dict                       # layer -> {params, sparsity, unique, unique_per_channel}
    warnings: list = field(default_factory=list)
    details: dict = field(default_factory=dict)   # stage specifics (schedule, ranks, scheme...)
    seconds: float = 0.0

    @property
    def accuracy(self):
        return self.metrics.get("accuracy")

    @property
    def max_unique(self) -> int:
        return max((s["unique_per_channel"] for s in self.layers.values()), default=0)

    def to_dict(self):
        return asdict(self)


def evaluate_stage(stage, model, dataset, warnings=(), details=None, started=None) -> StageReport:
    from ..evaluate import evaluate_model
    ev = evaluate_model(model, dataset)
    return StageReport(stage=stage, metrics={k: ev[k] for k in ev if k not in
                                             ("params", "sparsity", "layers")},
                       params=ev["params"], sparsity=ev["sparsity"], layers=ev["layers"],
                       warnings=list(warnings), details=details or {},
                       seconds=round(time.time() - started, 2) if started else 0.0)


def start_stage(config, cls):
    """A stage's first lines: its config (the dataclass defaults when None) checked, the
    seed set, the clock started. Returns (config, start time)."""
    from .. import train
    config = config if config is not None else cls()
    config.validate()
    train.set_seed(config.seed)
    return config, time.time()


def kernel_size(layer) -> int:
    return sum(int(w.shape.num_elements()) for w in layer.weights
               if w.name.split("/")[-1].split(":")[0] in KERNEL_NAMES)


def select_layers(model, stage, supports, skip=(), min_kernel=1):
    """Names of the layers `stage` will wrap, and warnings for those it leaves alone.

    A layer is wrapped when it has a weight kernel, `supports(layer)` says TF-MOT handles it,
    it is not in `skip`, and its kernel has at least `min_kernel` elements. Layers of unknown
    or unsupported classes (custom layers, Rescaling, ...) get a warning naming them.
    """
    skip = set(skip)
    unknown = skip - {layer.name for layer in model.layers}
    if unknown:
        raise TinyCompressError(f"{stage}: skip list names layer(s) {', '.join(sorted(unknown))} "
                                f"that model '{model.name}' does not have; layers: "
                                f"{', '.join(layer.name for layer in model.layers)}")
    chosen, warnings = [], []
    for layer in model.layers:
        cls = layer.__class__.__name__
        if layer.name in skip:
            continue
        if cls in NEUTRAL_LAYERS:
            continue
        if not kernel_size(layer) or not supports(layer):
            if cls not in NEUTRAL_LAYERS and (layer.weights or not _is_builtin(layer)
                                              or cls in ("Rescaling", "Normalization")):
                warnings.append(f"{stage}: skipped layer '{layer.name}' ({cls}): not supported "
                                f"by this stage, left unchanged")
            continue
        if kernel_size(layer) < min_kernel:
            warnings.append(f"{stage}: skipped layer '{layer.name}' ({cls}): kernel has "
                            f"{kernel_size(layer)} weights, fewer than {min_kernel}")
            continue
        chosen.append(layer.name)
    return chosen, warnings   # the caller shows them (StageReport.warnings)


def _is_builtin(layer):
    return type(layer).__module__.startswith(("tf_keras.", "keras."))


def copy_model(model):
    """An independent copy of `model` with the same weights (stages never touch their input)."""
    from ..tfcompat import keras
    try:
        new = keras.models.clone_model(model)
    except ValueError as exc:  # subclassed models cannot be rebuilt layer by layer
        raise TinyCompressError(f"model '{model.name}': cannot rebuild it layer by layer ({exc}); "
                                "give a Sequential or functional Keras model") from exc
    new.set_weights(model.get_weights())
    return new


def clone_wrapping(model, names, wrap):
    """A copy of `model` whose layers named in `names` are replaced by `wrap(layer)`."""
    from ..tfcompat import keras
    names = set(names)
    base = copy_model(model)
    return keras.models.clone_model(
        base, clone_function=lambda layer: wrap(layer) if layer.name in names else layer)

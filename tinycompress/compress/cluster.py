"""Weight clustering (TF-MOT cluster_weights): k-means with kmeans++/linear/density/random
centroid initialisation, per-channel option, sparsity preserved when the model was pruned."""
from dataclasses import dataclass, field

from ..errors import TinyCompressError
from .. import train, weightstats
from .common import clone_wrapping, evaluate_stage, select_layers, start_stage

INITS = {"kmeans++": "KMEANS_PLUS_PLUS", "linear": "LINEAR", "density": "DENSITY_BASED",
         "random": "RANDOM"}
PRUNED_SPARSITY = 0.2   # a model with more zeros than this counts as pruned


@dataclass
class ClusterConfig:
    clusters: int = 16                # unique weight values per kernel (per channel if per_channel)
    init: str = "kmeans++"            # "kmeans++" | "linear" | "density" | "random"
    per_channel: bool = False         # one set of centroids per output channel (Conv2D)
    preserve_sparsity: bool = True    # keep pruned zeros at zero (applies when the model is pruned)
    skip_layers: list = field(default_factory=list)
    epochs: int = 3                   # fine-tuning epochs of the centroids
    batch_size: int = 32
    learning_rate: float = 1e-4
    seed: int = 0

    def validate(self):
        if not 2 <= int(self.clusters) <= 256:
            raise TinyCompressError(f"cluster: clusters {self.clusters} must be in 2..256 (int8 "
                                    "weights cannot hold more distinct values)")
        if self.init not in INITS:
            raise TinyCompressError(f"cluster: init {self.init!r} unknown; use one of "
                                    f"{', '.join(INITS)}")


def _supports(per_channel):
    from tensorflow_model_optimization.python.core.clustering.keras.clustering_registry import (
        ClusteringRegistry)
    from ..tfcompat import keras

    def supports(layer):
        if per_channel and type(layer) is not keras.layers.Conv2D:
            return False   # TF-MOT clusters per channel only in Conv2D
        # the registry "supports" some layers (DepthwiseConv2D) without clustering any weight
        return (ClusteringRegistry.supports(layer)
                and bool(ClusteringRegistry._LAYERS_WEIGHTS_MAP.get(type(layer))))
    return supports


def apply(model, dataset, config: ClusterConfig = None, verbose=0):
    """Cluster `model`'s kernels and fine-tune the centroids; returns (stripped model, report)."""
    import tensorflow_model_optimization as tfmot
    ck = tfmot.clustering.keras
    config, started = start_stage(config, ClusterConfig)
    supports = _supports(config.per_channel)
    names, warnings = select_layers(model, "cluster", supports, config.skip_layers,
                                    min_kernel=config.clusters + 1)
    if config.per_channel:  # layers that per-channel clustering cannot take, clustered per tensor
        per_tensor_ok = _supports(False)
        fallback = [layer.name for layer in model.layers
                    if layer.name not in names and layer.name not in config.skip_layers
                    and per_tensor_ok(layer) and weightstats_kernel(layer) > config.clusters]
        names += fallback
        # they are not skipped after all: say how they are clustered instead
        warnings = [w for w in warnings if not any(f"'{n}'" in w for n in fallback)]
        warnings += [f"cluster: layer '{n}' clustered per tensor: TF-MOT clusters per channel "
                     "only Conv2D" for n in fallback]
    else:
        fallback = []
    pruned = weightstats.overall_sparsity(model) >= PRUNED_SPARSITY
    preserve = bool(config.preserve_sparsity and pruned)
    if not names:
        warnings.append("cluster: no layer to cluster; model unchanged")
        return model, evaluate_stage("cluster", model, dataset, warnings, {"clustered_layers": []},
                                     started)
    init = getattr(ck.CentroidInitialization, INITS[config.init])

    def wrap(layer):
        kw = {"number_of_clusters": int(config.clusters), "cluster_centroids_init": init}
        if preserve:
            kw["preserve_sparsity"] = True
        if config.per_channel and layer.name not in fallback:
            kw["cluster_per_channel"] = True
        return ck.cluster_weights(layer, **kw)

    wrapped = clone_wrapping(model, names, wrap)
    train.fit(wrapped, dataset, config.epochs, batch_size=config.batch_size,
              learning_rate=config.learning_rate, verbose=verbose, label="cluster")
    clustered = ck.strip_clustering(wrapped)
    check_clustered(clustered, names, config, fallback, preserve)
    details = {"clustered_layers": names, "clusters": config.clusters, "init": config.init,
               "per_channel": config.per_channel, "per_tensor_fallback": fallback,
               "sparsity_preserving": preserve}
    return clustered, evaluate_stage("cluster", clustered, dataset, warnings, details, started)


def check_clustered(model, names, config, fallback, preserve):
    """Every layer the stage says it clustered holds at most `clusters` values (per channel
    when clustered per channel; pruned zeros kept apart may add one): TF-MOT can leave a
    layer unclustered without a word."""
    limit = int(config.clusters) + (1 if preserve else 0)
    kernels = {name: (k, axis) for name, k, axis in weightstats.weight_kernels(model)}
    for name in names:
        kernel, axis = kernels[name]
        per_channel = config.per_channel and name not in fallback
        found = weightstats.unique_values(kernel, axis if per_channel else None)
        if found > limit:
            raise TinyCompressError(
                f"cluster: layer '{name}' holds {found} distinct values "
                f"{'in a channel' if per_channel else ''} after clustering to {config.clusters}; "
                f"TF-MOT did not cluster it: skip it (--skip {name})"
                + (" or cluster per tensor (no --per-channel)" if per_channel else ""))


def weightstats_kernel(layer):
    from .common import kernel_size
    return kernel_size(layer)

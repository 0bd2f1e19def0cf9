"""Clustering: unique values per layer, inits, per channel, sparsity kept after pruning."""
import numpy as np
import pytest

from _compress_models import digits, small_cnn
from tinycompress import weightstats
from tinycompress.compress import cluster, prune
from tinycompress.compress.cluster import ClusterConfig
from tinycompress.errors import TinyCompressError


@pytest.mark.parametrize("init", ["kmeans++", "linear", "density"])
def test_cluster_leaves_at_most_n_values_per_kernel(init):
    out, report = cluster.apply(small_cnn(), digits(), ClusterConfig(clusters=8, init=init, epochs=1))
    for name in ("conv2", "fc1", "classes"):
        k = out.get_layer(name).get_weights()[0]
        assert weightstats.unique_values(k) <= 8, name
        assert report.layers[name]["unique"] <= 8
    assert not any("Cluster" in type(layer).__name__ for layer in out.layers)  # stripped
    assert report.accuracy > 0.5


def test_per_channel_clustering_bounds_each_channel():
    out, report = cluster.apply(small_cnn(), digits(),
                                ClusterConfig(clusters=4, per_channel=True, epochs=1))
    k = out.get_layer("conv2").get_weights()[0]
    assert weightstats.unique_values(k, axis=3) <= 4
    assert weightstats.unique_values(k) > 4        # channels have their own centroids
    # Dense layers cannot be clustered per channel: clustered per tensor instead
    assert "fc1" in report.details["per_tensor_fallback"]
    assert weightstats.unique_values(out.get_layer("fc1").get_weights()[0]) <= 4


def test_clustering_a_pruned_model_keeps_its_zeros():
    pruned, _ = prune.apply(small_cnn(), digits(), prune.PruneConfig(target_sparsity=0.7, epochs=1))
    out, report = cluster.apply(pruned, digits(), ClusterConfig(clusters=8, epochs=1))
    assert report.details["sparsity_preserving"]
    for name in ("conv2", "fc1"):
        before = pruned.get_layer(name).get_weights()[0] == 0
        after = out.get_layer(name).get_weights()[0] == 0
        assert np.all(after[before]), name          # every pruned weight is still zero
        assert report.layers[name]["unique"] <= 8


@pytest.mark.parametrize("kwargs,match", [({"clusters": 1}, "clusters"),
                                          ({"clusters": 300}, "clusters"),
                                          ({"init": "best"}, "init")])
def test_bad_cluster_config(kwargs, match):
    with pytest.raises(TinyCompressError, match=match):
        ClusterConfig(**kwargs).validate()

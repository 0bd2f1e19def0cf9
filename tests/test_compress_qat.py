"""QAT and its collaborative forms: the scheme follows the model, and compression survives."""
import numpy as np
import pytest

from _compress_models import digits, small_cnn
from tinycompress import weightstats
from tinycompress.compress import cluster, prune, qat
from tinycompress.compress.qat import QATConfig


@pytest.fixture(scope="module")
def pruned():
    return prune.apply(small_cnn(), digits(), prune.PruneConfig(target_sparsity=0.7, epochs=2))[0]


@pytest.fixture(scope="module")
def pruned_clustered(pruned):
    return cluster.apply(pruned, digits(), cluster.ClusterConfig(clusters=8, epochs=1))[0]


def test_plain_qat_on_float_model():
    out, report = qat.apply(small_cnn(), digits(), QATConfig(epochs=1))
    assert report.details["scheme"] == "QAT"
    assert any(type(layer).__name__.startswith("QuantizeWrapper") for layer in out.layers)
    assert report.accuracy > 0.5


def test_pqat_keeps_sparsity(pruned):
    out, report = qat.apply(pruned, digits(), QATConfig(epochs=1))
    assert report.details["scheme"] == "PQAT" and report.details["preserved"]
    for name in ("conv2", "fc1"):
        assert report.layers[f"quant_{name}"]["sparsity"] >= 0.69


def test_pcqat_keeps_sparsity_and_clusters(pruned_clustered):
    out, report = qat.apply(pruned_clustered, digits(), QATConfig(epochs=1))
    assert report.details["scheme"] == "PCQAT" and report.details["preserved"]
    for name in ("conv2", "fc1", "classes"):
        stats = report.layers[f"quant_{name}"]
        assert stats["sparsity"] >= 0.69 and stats["unique"] <= 8, name


def test_detect_tells_pruned_and_clustered(pruned, pruned_clustered):
    assert qat.detect(small_cnn()) == (False, False)
    assert qat.detect(pruned) == (True, False)
    assert qat.detect(pruned_clustered) == (True, True)


def test_check_preserved_reports_lost_sparsity_and_new_values(pruned_clustered):
    from tinycompress.compress.common import copy_model
    damaged = copy_model(pruned_clustered)
    layer = damaged.get_layer("fc1")
    k, b = layer.get_weights()
    layer.set_weights([k + np.random.default_rng(0).normal(0, 0.01, k.shape).astype(k.dtype), b])
    problems = qat.check_preserved(pruned_clustered, damaged)
    assert any("'fc1': sparsity fell" in p for p in problems)
    assert any("'fc1': distinct values" in p for p in problems)
    assert qat.check_preserved(pruned_clustered, pruned_clustered) == []


def test_weightstats_counts_per_channel():
    k = np.zeros((3, 3, 2, 4))
    k[..., 0] = np.arange(18).reshape(3, 3, 2)
    assert weightstats.unique_values(k) == 18
    assert weightstats.unique_values(k, axis=3) == 18
    assert weightstats.unique_values(k[..., 1:], axis=3) == 1
    assert weightstats.sparsity(k) == pytest.approx((72 - 17) / 72)

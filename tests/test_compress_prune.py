"""Pruning: schedules, 2:4 structure, skip list, unsupported layers."""
import numpy as np
import pytest

from _compress_models import digits, small_cnn
from tinycompress.compress import prune
from tinycompress.compress.prune import PruneConfig
from tinycompress.errors import TinyCompressError


def _kernel(model, name):
    return model.get_layer(name).get_weights()[0]


def test_prune_zero_sparsity_is_noop():
    model = small_cnn()
    out, report = prune.apply(model, digits(), PruneConfig(target_sparsity=0.0))
    for a, b in zip(model.get_weights(), out.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert report.sparsity == 0.0


@pytest.mark.parametrize("schedule", ["constant", "polynomial"])
def test_prune_reaches_target_in_every_layer(schedule):
    out, report = prune.apply(small_cnn(), digits(),
                              PruneConfig(target_sparsity=0.6, schedule=schedule, epochs=2))
    for name in ("conv1", "conv2", "fc1", "classes"):
        assert report.layers[name]["sparsity"] == pytest.approx(0.6, abs=0.02), name
        assert np.mean(_kernel(out, name) == 0) == pytest.approx(0.6, abs=0.02)
    assert not any("Prune" in type(layer).__name__ for layer in out.layers)  # stripped
    assert report.accuracy > 0.5


def test_structured_2_4_has_two_zeros_in_every_four_inputs():
    out, report = prune.apply(small_cnn(), digits(), PruneConfig(structured="2:4", epochs=1))
    k = _kernel(out, "fc1")                        # (inputs, outputs)
    groups = (k.T.reshape(k.shape[1], -1, 4) == 0).sum(axis=-1)
    assert groups.min() >= 2
    assert report.layers["fc1"]["sparsity"] == pytest.approx(0.5, abs=0.01)


def test_skip_list_leaves_layer_dense():
    out, report = prune.apply(small_cnn(), digits(),
                              PruneConfig(target_sparsity=0.5, skip_layers=["classes"], epochs=1))
    assert report.layers["classes"]["sparsity"] == 0.0
    assert report.layers["fc1"]["sparsity"] > 0.45
    assert "classes" not in report.details["pruned_layers"]


def test_skip_list_with_unknown_layer_is_an_error():
    with pytest.raises(TinyCompressError, match="skip list names layer.*nope"):
        prune.apply(small_cnn(), digits(), PruneConfig(skip_layers=["nope"]))


@pytest.mark.parametrize("kwargs,match", [
    ({"target_sparsity": 1.0}, "target_sparsity"), ({"schedule": "cubic"}, "schedule"),
    ({"structured": "4:2"}, "2:4"), ({"structured": "two"}, "2:4"),
])
def test_bad_prune_config_names_the_key(kwargs, match):
    with pytest.raises(TinyCompressError, match=match):
        PruneConfig(**kwargs).validate()

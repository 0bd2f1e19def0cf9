"""Evaluation metrics, fed by Keras models or by any predict function (int8 runs too)."""
import numpy as np
import pytest

from tinycompress.data import Dataset
from tinycompress.evaluate import robustness
from tinycompress.metrics import auc, metrics, top1_accuracy


def test_auc_extremes_and_ties():
    assert auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    assert auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]) == 0.5
    assert np.isnan(auc([1.0, 2.0], [0, 0]))


def test_auc_matches_pairwise_definition():
    rng = np.random.default_rng(0)
    s, y = rng.integers(0, 5, 60).astype(float), rng.integers(0, 2, 60)
    pos, neg = s[y == 1], s[y == 0]
    pairs = (pos[:, None] > neg[None]).mean() + 0.5 * (pos[:, None] == neg[None]).mean()
    assert auc(s, y) == pytest.approx(pairs)


def _oracle_dataset():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(200, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32)
    return Dataset("toy", x, y, x, y, 2)


def _oracle(x):  # a "model" given as a plain function, as an int8 runner would be
    return np.stack([-x[:, 0], x[:, 0]], axis=1)


def test_metrics_take_any_predict_function():
    d = _oracle_dataset()
    assert metrics(_oracle, d) == {"accuracy": 1.0}
    assert top1_accuracy(lambda x: -_oracle(x), d.x_test, d.y_test) == 0.0


def test_robustness_falls_with_noise_and_is_shared_between_models():
    d = _oracle_dataset()
    result = robustness({"float": _oracle, "copy": lambda x: _oracle(x).copy()}, d,
                        sigmas=(0.0, 0.5, 2.0))
    assert result["float"] == result["copy"]          # same noisy inputs for every model
    r = result["float"]
    assert r[0.0] == 1.0 and r[2.0] < r[0.5] < 1.0


def test_autoencoder_metrics():
    x = np.random.default_rng(0).normal(size=(40, 6)).astype(np.float32)
    y = np.r_[np.zeros(20), np.ones(20)].astype(np.int32)
    x[20:] *= 3                                       # anomalies: larger
    d = Dataset("ae", x, np.zeros(40, np.int32), x, y, 2, task="autoencode")
    shrink = lambda v: v * 0.5                        # error grows with magnitude
    m = metrics(shrink, d)
    assert m["auc"] > 0.9 and m["reconstruction_mse"] > 0

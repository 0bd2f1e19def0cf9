"""Low-rank factorisation of Dense and 1x1 Conv2D layers."""
import numpy as np
import pytest

from _compress_models import digits
from tinycompress.compress import lowrank
from tinycompress.compress.lowrank import LowRankConfig, factorize, rank_for


def test_rank_for_energy():
    s = np.array([3.0, 2.0, 1.0, 0.0])       # energies 9, 4, 1 of 14
    assert rank_for(s, 9 / 14) == 1
    assert rank_for(s, 0.9) == 2
    assert rank_for(s, 1.0) == 3


def test_full_rank_factorisation_reconstructs():
    k = np.random.default_rng(0).normal(size=(12, 7)).astype(np.float32)
    a, b = factorize(k, 7)
    assert a.shape == (12, 7) and b.shape == (7, 7)
    np.testing.assert_allclose(a @ b, k, atol=1e-5)


@pytest.fixture(scope="module")
def wide_model():
    from tinycompress import train
    from tinycompress.tfcompat import keras
    train.set_seed(0)
    L = keras.layers
    inp = keras.Input((8, 8, 1))
    x = L.Conv2D(32, 3, padding="same", activation="relu", name="conv")(inp)
    x = L.Conv2D(32, 1, activation="relu", name="pw")(x)
    x = L.Flatten()(x)
    x = L.Dense(64, activation="relu", name="fc1")(x)
    x = L.Dense(10, activation="softmax", name="out")(x)
    model = keras.Model(inp, x)
    train.fit(model, digits(), 2)
    return model


def test_exact_rank_keeps_outputs_before_finetuning(wide_model):
    out, report = lowrank.apply(wide_model, digits(), LowRankConfig(rank=10, epochs=0))
    assert report.details["ranks"] == {"pw": 10, "fc1": 10}  # 'out' (64x10) would not shrink
    assert out.get_layer("fc1_lowrank").get_weights()[0].shape == (2048, 10)
    assert out.get_layer("pw_lowrank").get_weights()[0].shape == (1, 1, 32, 10)
    # the kept layer names still work and the model runs
    x = digits().x_test[:20]
    assert out.predict(x, verbose=0).shape == (20, 10)
    assert report.params < wide_model.count_params() / 5


def test_energy_one_reproduces_the_model(wide_model):
    out, report = lowrank.apply(wide_model, digits(), LowRankConfig(energy=1.0, epochs=0))
    x = digits().x_test[:20]
    if report.details["ranks"]:
        np.testing.assert_allclose(out.predict(x, verbose=0), wide_model.predict(x, verbose=0),
                                   atol=1e-4)


def test_lowrank_then_finetune_keeps_accuracy(wide_model):
    before = np.mean(np.argmax(wide_model.predict(digits().x_test, verbose=0), 1) == digits().y_test)
    _, report = lowrank.apply(wide_model, digits(), LowRankConfig(energy=0.8, epochs=2))
    assert report.accuracy > before - 0.05
    assert report.details["params_after"] < report.details["params_before"]

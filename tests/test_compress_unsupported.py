"""Layers a stage cannot handle (custom layers, Rescaling) are skipped with a warning."""
import numpy as np
import pytest

from _compress_models import digits
from tinycompress.compress import STAGES, make_config


@pytest.fixture(scope="module")
def odd_model():
    from tinycompress import train
    from tinycompress.tfcompat import keras, tf

    class Scale(keras.layers.Layer):  # a custom layer with a weight
        def build(self, shape):
            self.kernel = self.add_weight(name="kernel", shape=(shape[-1], shape[-1]),
                                          initializer="identity")

        def call(self, x):
            return tf.matmul(x, self.kernel)

    train.set_seed(0)
    inp = keras.Input((8, 8, 1))
    x = keras.layers.Rescaling(2.0, offset=-1.0, name="rescale")(inp)
    x = keras.layers.Flatten(name="flat")(x)
    x = keras.layers.Dense(32, activation="relu", name="fc1")(x)
    x = Scale(name="custom_scale")(x)
    model = keras.Model(inp, keras.layers.Dense(10, activation="softmax", name="out")(x))
    train.fit(model, digits(), 2)
    return model


@pytest.mark.parametrize("stage,values", [
    ("prune", {"target_sparsity": 0.5, "epochs": 1}),
    ("cluster", {"clusters": 8, "epochs": 1}),
    ("qat", {"epochs": 1}),
    ("lowrank", {"energy": 0.5, "epochs": 1}),
])
def test_stage_skips_unsupported_layers_with_warning(odd_model, stage, values):
    _, fn = STAGES[stage]
    out, report = fn(odd_model, digits(), make_config(stage, values))
    text = " ".join(report.warnings)
    assert "custom_scale" in text
    if stage != "lowrank":
        assert "rescale" in text
    x = digits().x_test[:5]
    assert np.all(np.isfinite(out.predict(x, verbose=0)))

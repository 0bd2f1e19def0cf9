"""Keras 3 models in: a CNN and an MLP built in Keras 3 (saved to .keras by a child process
that runs Keras 3 alone, and built in memory in this process) are rebuilt in tf_keras with
their weights and give the same outputs as the same models built in tf_keras with those
weights; their int8 conversion has Keras 3's Flatten as one RESHAPE; a layer tf_keras lacks is
named in a one-line error. Under -m slow: five Keras 3 models (CNN, DS-CNN, Conv1D, MLP,
residual) through compress (prune), convert and native firmware in QEMU, bit-exact."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import requires_arm_gcc, requires_qemu
from tinycompress.errors import TinyCompressError

keras3 = pytest.importorskip("keras")
if not keras3.__version__.startswith("3"):
    pytest.skip("Keras 3 is not installed", allow_module_level=True)

# The same architectures in either Keras, given its module (`keras` or `tf_keras`).
BUILD = textwrap.dedent("""
    def cnn(keras):
        L = keras.layers
        inp = keras.Input((12, 12, 1))
        x = L.Rescaling(1 / 4.0)(inp)
        x = L.Conv2D(6, 3, activation="relu")(x)
        y = L.DepthwiseConv2D(3, padding="same")(x)
        y = L.BatchNormalization()(y)
        x = L.Add()([x, y])
        x = L.MaxPooling2D(2)(x)
        x = L.SeparableConv2D(8, 3)(L.ZeroPadding2D(1)(x))
        x = L.LeakyReLU(0.2)(x)
        x = L.Dropout(0.2)(L.Flatten()(x))
        return keras.Model(inp, L.Dense(4, activation="softmax")(x))

    def mlp(keras):
        L = keras.layers
        return keras.Sequential([keras.Input((20,)), L.Dense(16, activation="relu"),
                                 L.Dense(8), L.ReLU(6.0), L.Dense(3), L.Softmax()])
""")
exec(BUILD)  # defines cnn and mlp here, as the child process does
SHAPES = {"cnn": (12, 12, 1), "mlp": (20,)}


def _randomize(model, seed):
    """Non-trivial weights everywhere (BN statistics included), so equal outputs mean something."""
    rng = np.random.default_rng(seed)
    positive = ("variance", "gamma")
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(np.float32)
                       if any(p in v.path for p in positive) else rng.normal(0, 0.4, w.shape).astype(np.float32)
                       for v, w in zip(model.weights, model.get_weights())])


@pytest.fixture(scope="module")
def keras3_files(tmp_path_factory):
    """name -> (.keras path saved by Keras 3, its weights as saved)."""
    folder = tmp_path_factory.mktemp("keras3")
    code = BUILD + textwrap.dedent(f"""
        import numpy as np, keras
        for name, build in (("cnn", cnn), ("mlp", mlp)):
            keras.utils.set_random_seed(1)
            model = build(keras)
            rng = np.random.default_rng(2)
            model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(np.float32)
                               if "variance" in v.path else rng.normal(0, 0.4, w.shape).astype(np.float32)
                               for v, w in zip(model.weights, model.get_weights())])
            model.save({str(folder)!r} + f"/{{name}}.keras")
            np.savez({str(folder)!r} + f"/{{name}}.npz", *model.get_weights())
    """)
    env = dict(os.environ, TF_USE_LEGACY_KERAS="0", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    out = {}
    for name in SHAPES:
        with np.load(folder / f"{name}.npz") as f:
            out[name] = (folder / f"{name}.keras", [f[k] for k in f.files])
    return out


def _same_in_tf_keras(name, weights):
    import tf_keras
    model = globals()[name](tf_keras)
    model.set_weights(weights)
    return model


def _inputs(name, n=8):
    return np.random.default_rng(3).normal(0, 2, (n, *SHAPES[name])).astype(np.float32)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_keras3_file_loads_as_the_same_tf_keras_model(name, keras3_files):
    from tinycompress.keras_io import load_model
    path, weights = keras3_files[name]
    model = load_model(path)
    assert type(model).__module__.startswith("tf_keras.")
    x = _inputs(name)
    np.testing.assert_allclose(model(x).numpy(), _same_in_tf_keras(name, weights)(x).numpy(),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_keras3_model_in_memory_converts_like_tf_keras(name, tmp_path):
    from tinycompress.convert import convert_to_int8
    from tinycompress.data import Dataset
    from tinycompress.keras3 import as_tf_keras
    from tinycompress.tflite_model import read_tflite

    keras3.utils.set_random_seed(1)
    model = globals()[name](keras3)
    _randomize(model, 2)
    rebuilt = as_tf_keras(model)
    x = _inputs(name, 40)
    np.testing.assert_allclose(rebuilt(x).numpy(), np.asarray(model(x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rebuilt(x).numpy(),
                               _same_in_tf_keras(name, model.get_weights())(x).numpy(),
                               rtol=1e-5, atol=1e-6)
    y = np.zeros(len(x), np.int64)
    convert_to_int8(model, Dataset(name, x, y, x[:4], y[:4], 4), tmp_path / "m.tflite",
                    representative_samples=32)
    ops = [op.op for op in read_tflite(tmp_path / "m.tflite").operators]
    assert not {"SHAPE", "STRIDED_SLICE", "PACK"} & set(ops), ops
    if name == "cnn":
        assert "RESHAPE" in ops and "LEAKY_RELU" in ops


def test_keras3_layer_without_tf_keras_counterpart_is_named():
    from tinycompress.keras3 import as_tf_keras
    L = keras3.layers
    model = keras3.Sequential([keras3.Input((6, 4)), L.GroupNormalization(2, name="gn"), L.Dense(2)])
    with pytest.raises(TinyCompressError, match=r"layer 'gn' \(GroupNormalization\)") as info:
        as_tf_keras(model)
    assert len(str(info.value).splitlines()) == 1


# --- Keras 3 models through compress, convert and native firmware ---------------------------

def _k3_models():
    """name -> (Keras 3 model builder, input shape): the model families users bring."""
    L = keras3.layers

    def ds_cnn():
        inp = keras3.Input((16, 12, 1))
        x = L.Conv2D(8, 3, strides=2, padding="same", use_bias=False)(inp)
        x = L.ReLU()(L.BatchNormalization()(x))
        for _ in range(2):
            x = L.ReLU()(L.BatchNormalization()(L.DepthwiseConv2D(3, padding="same")(x)))
            x = L.ReLU()(L.BatchNormalization()(L.Conv2D(8, 1)(x)))
        x = L.GlobalAveragePooling2D()(x)
        return keras3.Model(inp, L.Dense(4, activation="softmax")(x))

    def conv1d():
        return keras3.Sequential([keras3.Input((48, 3)), L.Conv1D(8, 5, activation="relu"),
                                  L.MaxPooling1D(2), L.Conv1D(8, 3, padding="same"),
                                  L.LeakyReLU(0.1), L.GlobalAveragePooling1D(),
                                  L.Dense(4, activation="softmax")])

    def residual():
        inp = keras3.Input((12, 12, 3))
        x = L.Conv2D(8, 3, padding="same", activation="relu")(inp)
        y = L.Conv2D(8, 3, padding="same")(x)
        y = L.BatchNormalization()(y)
        x = L.ReLU()(L.Add()([x, y]))
        x = L.AveragePooling2D(2)(x)
        x = L.Flatten()(x)
        return keras3.Model(inp, L.Dense(4, activation="softmax")(x))

    # (builder, input shape, random weights): the residual net keeps Keras 3's seeded
    # initialisation, with which its int8 outputs still tell the test inputs apart
    return {"cnn": (lambda: globals()["cnn"](keras3), (12, 12, 1), True),
            "ds-cnn": (ds_cnn, (16, 12, 1), True), "conv1d": (conv1d, (48, 3), True),
            "mlp": (lambda: globals()["mlp"](keras3), (20,), True),
            "residual": (residual, (12, 12, 3), False)}


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@pytest.mark.parametrize("name", ["cnn", "ds-cnn", "conv1d", "mlp", "residual"])
def test_keras3_model_compresses_converts_and_runs_bit_exact_in_qemu(name, tmp_path):
    """Each Keras 3 model, pruned to 50 % (one epoch) by api.compress, converted to int8 and
    run as native firmware in QEMU: golden vectors byte for byte equal to TFLM's."""
    from test_native_byom_models import assert_native_bit_exact_in_qemu

    from tinycompress.api import compress
    from tinycompress.convert import convert_to_int8
    from tinycompress.data import Dataset

    build, shape, randomize = _k3_models()[name]
    keras3.utils.set_random_seed(0)
    model = build()
    if randomize:
        _randomize(model, 1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, *shape)).astype(np.float32)
    classes = model.output_shape[-1]
    y = rng.integers(0, classes, len(x))
    data = Dataset(name, x[:80], y[:80], x[80:], y[80:], classes)
    compressed, _ = compress(model, data, {"prune": {"target_sparsity": 0.5, "epochs": 1}})
    assert type(compressed).__module__.startswith("tf_keras.")
    tflite = tmp_path / "model_int8.tflite"
    convert_to_int8(compressed, data, tflite, representative_samples=64)
    assert_native_bit_exact_in_qemu(tflite, data, tmp_path / "fw")

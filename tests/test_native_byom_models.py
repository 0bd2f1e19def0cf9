"""Models a user brings, built in tf_keras with the layers real TinyML nets use, converted to
int8 by `convert` and run as native firmware in QEMU (mps2-an386): every golden vector byte
for byte equal to the TFLM host interpreter's output. A Conv1D time-series net converts to
EXPAND_DIMS + CONV_2D + RESHAPE (and MAX_POOL_2D between EXPAND_DIMS and RESHAPE); a CNN with
LeakyReLU keeps LEAKY_RELU as its own op; the activations net has TANH, HARD_SWISH, RELU6,
SUB and MAXIMUM; MobileNetV3-Small has HARD_SWISH and squeeze-excite MULs. Weights are
seeded, not trained: what is tested is the arithmetic."""
import numpy as np
import pytest

from conftest import requires_arm_gcc, requires_qemu
from test_zoo_firmware import VECTORS, _assert_bit_exact


def _conv1d_net(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input((64, 3)), layers.Conv1D(8, 5, activation="relu"), layers.MaxPooling1D(2),
        layers.Conv1D(12, 3, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.GlobalAveragePooling1D(), layers.Dense(4), layers.Softmax()])


def _leaky_relu_cnn(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input((16, 16, 1)), layers.Conv2D(8, 3), layers.LeakyReLU(0.1),
        layers.Conv2D(8, 3, strides=2), layers.LeakyReLU(0.3), layers.Flatten(),
        layers.Dense(4), layers.Softmax()])


def _activations_net(keras):
    from tinycompress.tfcompat import tf
    layers = keras.layers
    inp = keras.Input((12, 12, 2))
    x = layers.Conv2D(8, 3)(inp)
    x = layers.Lambda(lambda t: t * tf.nn.relu6(t + 3.0) / 6.0)(x)          # HARD_SWISH
    y = layers.Conv2D(8, 3, padding="same")(x)
    x = layers.Lambda(lambda ab: tf.maximum(ab[0], ab[1]))([x, y])           # MAXIMUM
    x = layers.ReLU(6.0)(x)                                                  # RELU6 (unfused)
    x = layers.Activation("tanh")(layers.Conv2D(8, 3, strides=2)(x))         # TANH
    x = layers.Lambda(lambda t: t - tf.reduce_mean(t, axis=[1, 2], keepdims=True))(x)   # SUB
    x = layers.Dense(4)(layers.Flatten()(x))
    return keras.Model(inp, layers.Softmax()(x))


MODELS = {"conv1d": (_conv1d_net, (64, 3), {"EXPAND_DIMS", "CONV_2D", "MAX_POOL_2D", "LEAKY_RELU"}),
          "leaky-relu-cnn": (_leaky_relu_cnn, (16, 16, 1), {"CONV_2D", "LEAKY_RELU"}),
          "activations": (_activations_net, (12, 12, 2),
                          {"HARD_SWISH", "MAXIMUM", "TANH", "SUB", "RELU6"})}


def convert_model(name, folder, seed=0):
    """The seeded tf_keras model converted to int8: (tflite path, data set)."""
    build, shape, _ = MODELS[name]
    return convert_keras(name, build, shape, folder, seed)


def convert_keras(name, build, shape, folder, seed=0, classes=4):
    """build(tf_keras) seeded, converted to int8 with normal random data of `shape` (48
    training samples, 16 test): (folder/model_int8.tflite, data set)."""
    import tf_keras as keras

    from tinycompress.convert import convert_to_int8
    from tinycompress.data import Dataset

    keras.utils.set_random_seed(seed)
    model = build(keras)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, *shape)).astype(np.float32)
    y = rng.integers(0, classes, len(x))
    data = Dataset(name, x[:48], y[:48], x[48:], y[48:], classes)
    tflite = folder / "model_int8.tflite"
    convert_to_int8(model, data, tflite, representative_samples=48, seed=seed)
    return tflite, data


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@pytest.mark.parametrize("name", sorted(MODELS))
def test_user_model_runs_bit_exact_in_qemu(name, tmp_path):
    from tinycompress.tflite_model import read_tflite

    tflite, data = convert_model(name, tmp_path)
    ops = {op.op for op in read_tflite(tflite).operators}
    assert MODELS[name][2] <= ops, sorted(ops)
    assert_native_bit_exact_in_qemu(tflite, data, tmp_path / "fw")


def assert_native_bit_exact_in_qemu(tflite, data, project):
    """Native firmware with golden vectors from data's test split, built and run in QEMU."""
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project, load_project
    from tinycompress.simulate.qemu import simulate

    generate_project(tflite, "mps2-an386", project, runtime="native", data=data, vectors=VECTORS)
    build(project)
    report = simulate(project, timeout=300)
    _assert_bit_exact(report, load_project(project), np.load(project / "golden.npz")["outputs"],
                      tflite)


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
def test_mobilenet_v3_small_runs_bit_exact_in_qemu(tmp_path):
    """tf_keras's MobileNetV3-Small (minimalistic=False: HARD_SWISH, squeeze-excite MULs; alpha
    0.75, 64x64x3, untrained) with its BatchNormalization statistics calibrated on the data."""
    import tf_keras as keras

    from tinycompress.convert import convert_to_int8
    from tinycompress.data import Dataset
    from tinycompress.tflite_model import read_tflite

    keras.utils.set_random_seed(0)
    model = keras.applications.MobileNetV3Small(
        input_shape=(64, 64, 3), alpha=0.75, minimalistic=False, weights=None, classes=4,
        include_preprocessing=False, dropout_rate=0.0)
    x = np.random.default_rng(0).uniform(-1, 1, (56, 64, 64, 3)).astype(np.float32)
    for layer in model.layers:       # one training-mode pass sets the statistics to the data's
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.0
    model(x[:48], training=True)
    y = np.zeros(len(x), np.int64)
    data = Dataset("mnv3", x[:48], y[:48], x[48:], y[48:], 4)
    tflite = tmp_path / "model_int8.tflite"
    convert_to_int8(model, data, tflite, representative_samples=48)
    assert {"HARD_SWISH", "MUL", "DEPTHWISE_CONV_2D"} <= {op.op for op in read_tflite(tflite).operators}
    assert_native_bit_exact_in_qemu(tflite, data, tmp_path / "fw")

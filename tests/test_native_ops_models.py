"""Small Keras models built around the native runtime's newer ops, taken the way a user takes
them: converted to int8, then `tinycompress firmware` (golden vectors from an .npz data set),
`build` and `simulate` in QEMU (mps2-an386), every golden vector byte for byte equal to the
TFLM host interpreter's output. Weights are seeded, not trained: what is tested is the
arithmetic of the whole graph on the device."""
import json

import numpy as np
import pytest

from conftest import requires_arm_gcc, requires_qemu
from test_native_byom_models import convert_keras

VECTORS = 3


def _upsampling_net(keras):
    """UpSampling2D (nearest: RESIZE_NEAREST_NEIGHBOR with half_pixel_centers) and an odd
    resize with align_corners between convolutions."""
    from tinycompress.tfcompat import tf
    layers = keras.layers
    inp = keras.Input((6, 5, 2))
    x = layers.Conv2D(6, 3, padding="same", activation="relu")(inp)
    x = layers.UpSampling2D((2, 3))(x)
    x = layers.Conv2D(4, 3, strides=2)(x)
    x = layers.Lambda(lambda t: tf.compat.v1.image.resize_nearest_neighbor(
        t, (9, 4), align_corners=True))(x)
    x = layers.Dense(3)(layers.Flatten()(x))
    return keras.Model(inp, layers.Softmax()(x))


def _slicing_net(keras):
    """A slicing Lambda (STRIDED_SLICE on int8: crop, stride, a reversed axis) and a Keras
    Reshape, whose free batch converts to SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE (folded
    at generation time)."""
    layers = keras.layers
    inp = keras.Input((9, 8, 3))
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = layers.Lambda(lambda t: t[:, 1:-1, ::-2, 2:])(x)                 # (7, 4, 6)
    x = layers.Reshape((14, 12))(x)
    x = layers.Conv1D(6, 3, strides=2)(x)
    x = layers.Dense(3)(layers.Flatten()(x))
    return keras.Model(inp, layers.Softmax()(x))


def _decoder_net(keras):
    """Conv2DTranspose: stride 2 SAME with bias and ReLU, stride 2 VALID without bias."""
    layers = keras.layers
    inp = keras.Input((5, 4, 3))
    x = layers.Conv2D(6, 3, padding="same", activation="relu")(inp)
    x = layers.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(2, 2, strides=2, padding="valid", use_bias=False)(x)
    x = layers.Dense(3)(layers.Flatten()(x))
    return keras.Model(inp, layers.Softmax()(x))


MODELS = {"upsampling": (_upsampling_net, (6, 5, 2), {"RESIZE_NEAREST_NEIGHBOR"}),
          "decoder": (_decoder_net, (5, 4, 3), {"TRANSPOSE_CONV"}),
          "slicing": (_slicing_net, (9, 8, 3), {"STRIDED_SLICE", "SHAPE", "PACK"})}


def _convert(name, folder, seed=0):
    """The seeded tf_keras model converted to int8 and its data as an .npz: (tflite, npz)."""
    build, shape, _ = MODELS[name]
    tflite, data = convert_keras(name, build, shape, folder, seed, classes=3)
    npz = folder / "data.npz"
    np.savez(npz, x_train=data.x_train, y_train=data.y_train, x_test=data.x_test,
             y_test=data.y_test)
    return tflite, npz


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_with_the_op_runs_bit_exact_through_the_cli(name, run_cli, tmp_path):
    from tinycompress.firmware.native.fold import fold_shape_ops
    from tinycompress.tflite_model import read_tflite

    tflite, npz = _convert(name, tmp_path)
    model = read_tflite(tflite)
    assert MODELS[name][2] <= {op.op for op in model.operators}, model.operators
    ops = fold_shape_ops(model).operators            # the layers the device runs
    project = tmp_path / "fw"
    result = run_cli("firmware", tflite, "--board", "mps2-an386", "--data", npz,
                     "--vectors", VECTORS, "--dump-layers", "-o", project)
    assert result.exit_code == 0, result.output
    assert run_cli("build", project).exit_code == 0
    result = run_cli("--json", "simulate", project)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["passed"] == report["total"] == VECTORS, report["failure"]
    assert report["layer_diff"] is None        # every layer equals the host TFLM tensor
    assert len(report["layers"]) == len(ops)          # every op ran on the device
    golden = np.load(project / "golden.npz")["outputs"]
    assert len({row.tobytes() for row in golden}) > 1  # outputs tell the inputs apart

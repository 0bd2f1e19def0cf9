"""Five Keras 3 models (CNN, DS-CNN, Conv1D, MLP, residual; saved by Keras 3 in a child
process, tests/_keras3_models.py) rebuilt in tf_keras give Keras 3's outputs and go through
compress, convert, native firmware and QEMU bit-exact; a custom Keras 3 layer is a one-line
exit 1 of the CLI. (test_keras3.py: against the same models built in tf_keras.)"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import requires_arm_gcc, requires_qemu
from tinycompress.keras_io import load_model

MODELS = ["cnn", "ds_cnn", "conv1d", "mlp", "residual"]


@pytest.fixture(scope="module")
def keras3_models(tmp_path_factory):
    """Folder of <name>.keras + <name>.npz (inputs, Keras 3 outputs) and custom.keras."""
    pytest.importorskip("keras", minversion="3")
    out = tmp_path_factory.mktemp("keras3")
    script = Path(__file__).with_name("_keras3_models.py")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, str(script), str(out)], env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.mark.parametrize("name", MODELS)
def test_keras3_file_gives_keras3_outputs_in_tf_keras(keras3_models, name):
    from tinycompress.tfcompat import keras
    model = load_model(keras3_models / f"{name}.keras")
    assert isinstance(model, keras.Model)
    saved = np.load(keras3_models / f"{name}.npz")
    np.testing.assert_allclose(model.predict(saved["x"], verbose=0), saved["y"],
                               rtol=1e-5, atol=1e-6)


def test_keras3_layer_tf_keras_lacks_is_one_line_exit_1(run_cli, keras3_models, tmp_path):
    path = keras3_models / "custom.keras"
    result = run_cli("convert", path, "--data", "digits", "-o", tmp_path / "m.tflite")
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output
    assert str(path) in lines[0] and "'twice' (Scale)" in lines[0]
    assert not list(tmp_path.iterdir())


def _deploy(run_cli, model_path, folder, data="digits"):
    """compress (1 epoch of pruning), convert, native firmware, build, QEMU golden vectors."""
    for args in (["compress", model_path, "--data", data, "--prune", "0.5",
                  "--set", "prune.epochs=1", "-o", folder / "c"],
                 ["convert", folder / "c" / "compressed.keras", "--data", data,
                  "--samples", "50", "-o", folder / "m.tflite"],
                 ["firmware", folder / "m.tflite", "--board", "mps2-an386", "--data", data,
                  "--vectors", "4", "-o", folder / "fw"],
                 ["build", folder / "fw"],
                 ["simulate", folder / "fw"]):
        result = run_cli(*args)
        assert result.exit_code == 0, (args[0], result.output, result.stderr)
    return result.output


@requires_arm_gcc
@requires_qemu
def test_keras3_cnn_compress_convert_firmware_bit_exact_in_qemu(run_cli, keras3_models, tmp_path):
    out = _deploy(run_cli, keras3_models / "cnn.keras", tmp_path)
    assert "4/4 golden vectors bit-exact" in out, out


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@pytest.mark.parametrize("name", [m for m in MODELS if m != "cnn"])
def test_keras3_models_compress_convert_firmware_bit_exact_in_qemu(run_cli, keras3_models,
                                                                   tmp_path, name, digits_data):
    data = "digits"
    if name == "conv1d":   # its input is (8, 8): digits' rows as 8 steps of 8 features
        d = digits_data
        data = tmp_path / "rows.npz"
        np.savez(data, x_train=d.x_train[..., 0], y_train=d.y_train, x_test=d.x_test[..., 0],
                 y_test=d.y_test)
    out = _deploy(run_cli, keras3_models / f"{name}.keras", tmp_path, data)
    assert "4/4 golden vectors bit-exact" in out, out

"""Keras model files: round trips, and one clear error per kind of bad file."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tinycompress.errors import TinyCompressError
from tinycompress.keras_io import load_model, save_model


@pytest.fixture(scope="module")
def small_model():
    from tinycompress.tfcompat import keras
    keras.utils.set_random_seed(0)
    inp = keras.Input((4,))
    out = keras.layers.Dense(3, activation="softmax", name="dense")(keras.layers.Dense(5, name="hidden")(inp))
    return keras.Model(inp, out, name="small")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_save_load_round_trip_keeps_outputs(small_model, tmp_path, suffix):
    path = save_model(small_model, tmp_path / f"m{suffix}")
    loaded = load_model(path)
    x = np.random.default_rng(0).normal(size=(7, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), small_model.predict(x, verbose=0))
    assert [p.name for p in tmp_path.iterdir()] == [f"m{suffix}"]  # no temporary left


def test_qat_model_round_trips_through_keras_name(small_model, tmp_path):
    import tensorflow_model_optimization as tfmot
    q = tfmot.quantization.keras.quantize_model(small_model)
    path = save_model(q, tmp_path / "q.keras")
    loaded = load_model(path)
    x = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), q.predict(x, verbose=0), atol=1e-6)


def test_save_rejects_unknown_suffix(small_model, tmp_path):
    with pytest.raises(TinyCompressError, match="model.tflite.*.keras or .h5"):
        save_model(small_model, tmp_path / "model.tflite")
    assert not list(tmp_path.iterdir())


def _write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("name,data,match", [
    ("empty.keras", b"", "empty"),
    ("random.keras", bytes(range(256)) * 4, "not a Keras model"),
    ("page.h5", b"<!DOCTYPE html><html>404</html>", "not a Keras model"),
    ("lfs.keras", b"version https://git-lfs.github.com/spec/v1\noid sha256:00\n", "git lfs pull"),
    ("model.keras", b"\x1c\x00\x00\x00TFL3" + bytes(64), "TFLite flatbuffer"),
])
def test_bad_files_give_one_line_error_naming_file(tmp_path, name, data, match):
    path = _write(tmp_path, name, data)
    with pytest.raises(TinyCompressError, match=match) as info:
        load_model(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(TinyCompressError, match="nope.keras: no such file"):
        load_model(tmp_path / "nope.keras")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_truncated_file_says_truncated(small_model, tmp_path, suffix):
    good = save_model(small_model, tmp_path / f"good{suffix}").read_bytes()
    path = _write(tmp_path, f"cut{suffix}", good[: len(good) // 2])
    with pytest.raises(TinyCompressError, match="truncated or corrupt") as info:
        load_model(path)
    assert str(path) in str(info.value)


def test_weights_only_h5_is_not_a_model(small_model, tmp_path):
    path = tmp_path / "w.weights.h5"
    small_model.save_weights(path)
    with pytest.raises(TinyCompressError, match="weights only"):
        load_model(path)


def test_cli_compress_missing_model_exits_1_one_line(run_cli, tmp_path):
    from click.testing import CliRunner
    from tinycompress.cli import cli
    result = CliRunner().invoke(cli, ["compress", str(tmp_path / "none.keras"), "--data", "digits",
                                      "--prune", "0.5", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "none.keras" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()

"""Every bad input of issue 2 through the CLI: one line naming the file/key/layer/op, exit 1,
and no output file left behind (not even a temporary one)."""
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest


def _fails(result, *needles):
    """Exit 1, one line on stderr starting with 'error:', naming every needle."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert str(needle) in lines[0], (needle, lines[0])
    assert "Traceback" not in result.output
    return lines[0]


def _nothing_written(folder: Path, before=()):
    left = sorted(p.name for p in folder.iterdir() if p.name not in before)
    assert left == [], left


# --- model files --------------------------------------------------------------------------

LOOKALIKES = {
    "random.tflite": bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)),
    "lfs.tflite": b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1234\n",
    "page.tflite": b"<!DOCTYPE html>\n<html><body>404</body></html>\n",
    "renamed.tflite": b"\x89HDF\r\n\x1a\n" + bytes(64),
    "empty.tflite": b"",
}
LOOKALIKE_WORDS = {"random.tflite": "not a TFLite flatbuffer", "lfs.tflite": "Git LFS",
                   "page.tflite": "HTML", "renamed.tflite": ".h5", "empty.tflite": "empty"}


@pytest.mark.parametrize("name", sorted(LOOKALIKES))
@pytest.mark.parametrize("command", ["inspect", "export"])
def test_tflite_lookalikes_are_named(run_cli, tmp_path, name, command):
    path = tmp_path / name
    path.write_bytes(LOOKALIKES[name])
    args = [command, path] + (["-o", tmp_path / "out.h"] if command == "export" else [])
    _fails(run_cli(*args), path, LOOKALIKE_WORDS[name])
    _nothing_written(tmp_path, before={name})


def test_truncated_tflite_is_named(run_cli, tiny_int8, tmp_path):
    path = tmp_path / "cut.tflite"
    path.write_bytes(tiny_int8[0].read_bytes()[:1000])
    _fails(run_cli("export", path, "-o", tmp_path / "m.h"), path)
    _nothing_written(tmp_path, before={"cut.tflite"})


def _schema_version_offset(data: bytes) -> int:
    """Byte offset of Model.version (field 0 of the root table) in a flatbuffer."""
    table = struct.unpack_from("<I", data, 0)[0]
    vtable = table - struct.unpack_from("<i", data, table)[0]
    return table + struct.unpack_from("<H", data, vtable + 4)[0]


@pytest.mark.parametrize("version", [2, 4])
def test_other_schema_version_is_rejected(run_cli, tiny_int8, tmp_path, version):
    data = bytearray(tiny_int8[0].read_bytes())
    offset = _schema_version_offset(bytes(data))
    assert struct.unpack_from("<I", data, offset)[0] == 3
    struct.pack_into("<I", data, offset, version)
    path = tmp_path / "v.tflite"
    path.write_bytes(bytes(data))
    _fails(run_cli("inspect", path), path, f"schema version {version}")
    _fails(run_cli("export", path, "-o", tmp_path / "m.h"), path, f"schema version {version}")
    _nothing_written(tmp_path, before={"v.tflite"})


def test_missing_tflite_is_named(run_cli, tmp_path):
    _fails(run_cli("inspect", tmp_path / "nope.tflite"), "nope.tflite", "no such file")


def test_float_tflite_where_int8_is_required(run_cli, tiny_int8, tmp_path):
    line = _fails(run_cli("export", tiny_int8[1], "-o", tmp_path / "m.h"), tiny_int8[1], "float")
    assert "representative data" in line
    _nothing_written(tmp_path)


@pytest.fixture(scope="module")
def hybrid_tflite(tmp_path_factory):
    from tinycompress.tfcompat import keras, tf
    # weights of >= 1024 values: smaller ones the converter leaves in float
    model = keras.Sequential([keras.layers.Input((64,)), keras.layers.Dense(64),
                              keras.layers.Dense(10)])
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]   # no representative data: hybrid
    path = tmp_path_factory.mktemp("hybrid") / "hybrid.tflite"
    path.write_bytes(converter.convert())
    return path


def test_dynamic_range_tflite_where_int8_is_required(run_cli, hybrid_tflite, tmp_path):
    line = _fails(run_cli("export", hybrid_tflite, "-o", tmp_path / "m.h"), hybrid_tflite,
                  "dynamic-range")
    assert "representative data" in line
    _nothing_written(tmp_path)


def test_invalid_c_name_writes_nothing(run_cli, tiny_int8, tmp_path):
    _fails(run_cli("export", tiny_int8[0], "-o", tmp_path / "m.h", "--name", "my-model"),
           "--name", "my-model")
    _nothing_written(tmp_path)


# --- Keras model files (convert) ---------------------------------------------------------

def _convert(run_cli, model, data, out):
    return run_cli("convert", model, "--data", data, "-o", out, "--samples", "20")


@pytest.mark.parametrize("name, content, word", [
    ("empty.keras", b"", "empty"),
    ("notes.keras", b"just some text, not a model\n", "not a Keras model"),
    ("lfs.h5", b"version https://git-lfs.github.com/spec/v1\n", "Git LFS|not a Keras model"),
])
def test_bad_keras_files_are_named(run_cli, tmp_path, name, content, word):
    path = tmp_path / name
    path.write_bytes(content)
    line = _fails(_convert(run_cli, path, "digits", tmp_path / "m.tflite"), path)
    assert any(w in line for w in word.split("|")), line
    _nothing_written(tmp_path, before={name})


def test_missing_keras_file_is_named(run_cli, tmp_path):
    _fails(_convert(run_cli, tmp_path / "none.keras", "digits", tmp_path / "m.tflite"),
           "none.keras")
    _nothing_written(tmp_path)


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_truncated_keras_file_is_named(run_cli, tiny_classifier, tmp_path, suffix):
    full = tmp_path / f"full{suffix}"
    tiny_classifier[0].save(full)
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    _fails(_convert(run_cli, cut, "digits", tmp_path / "m.tflite"), cut)
    _nothing_written(tmp_path, before={full.name, cut.name})


def test_tflite_given_as_keras_model_is_named(run_cli, tiny_int8, tmp_path):
    _fails(_convert(run_cli, tiny_int8[0], "digits", tmp_path / "m.tflite"), tiny_int8[0])
    _nothing_written(tmp_path)


@pytest.fixture(scope="module")
def keras3_file(tmp_path_factory):
    """A real Keras 3 .keras file, saved by Keras 3 in a child process."""
    pytest.importorskip("keras")
    path = tmp_path_factory.mktemp("k3") / "k3.keras"
    code = textwrap.dedent(f"""
        import keras
        if not keras.__version__.startswith("3"):
            raise SystemExit(3)
        m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
        m.save({str(path)!r})
    """)
    env = dict(os.environ, TF_USE_LEGACY_KERAS="0", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    if proc.returncode == 3:
        pytest.skip("Keras 3 is not installed")
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return path


def test_keras3_model_file_says_what_to_do(run_cli, keras3_file, tmp_path):
    result = _convert(run_cli, keras3_file, "digits", tmp_path / "m.tflite")
    if result.exit_code == 0:  # loaded through tf_keras: a valid outcome
        assert (tmp_path / "m.tflite").exists()
        return
    line = _fails(result, keras3_file, "Keras 3")
    assert "tf_keras" in line
    _nothing_written(tmp_path)


def test_keras3_environment_is_a_one_line_error(tiny_classifier, tmp_path):
    env = dict(os.environ, TF_USE_LEGACY_KERAS="0")
    out = tmp_path / "m.tflite"
    proc = subprocess.run([sys.executable, "-m", "tinycompress.cli", "convert", str(tiny_classifier[1]),
                           "--data", "digits", "-o", str(out)], env=env, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "TF_USE_LEGACY_KERAS" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


# --- data (convert) ----------------------------------------------------------------------

def _npz(tmp_path, digits, **changes):
    arrays = dict(x_train=digits.x_train, y_train=digits.y_train, x_test=digits.x_test,
                  y_test=digits.y_test)
    arrays.update(changes)
    path = tmp_path / "data.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("change, needles", [
    (lambda d: {"x_train": d.x_train[:, :6, :6]}, ["x_train", "shape"]),
    (lambda d: {"x_test": d.x_test[:0], "y_test": d.y_test[:0]}, ["x_test", "empty"]),
    (lambda d: {"y_train": np.where(d.y_train == 3, 10, d.y_train)}, ["y_train", "label 10"]),
    (lambda d: {"y_test": -np.ones_like(d.y_test)}, ["y_test", "label -1"]),
    (lambda d: {"x_train": d.x_train.astype(str)}, ["x_train", "dtype"]),
])
def test_bad_data_is_named(run_cli, tiny_classifier, digits_data, tmp_path, change, needles):
    data = _npz(tmp_path, digits_data, **change(digits_data))
    _fails(_convert(run_cli, tiny_classifier[1], data, tmp_path / "m.tflite"), data, *needles)
    _nothing_written(tmp_path, before={"data.npz"})


def test_float64_data_is_converted_not_rejected(run_cli, tiny_classifier, digits_data, tmp_path):
    data = _npz(tmp_path, digits_data, x_train=digits_data.x_train.astype(np.float64),
                x_test=digits_data.x_test.astype(np.float64))
    result = _convert(run_cli, tiny_classifier[1], data, tmp_path / "m.tflite")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m.tflite").stat().st_size > 0


def test_missing_data_file_is_named(run_cli, tiny_classifier, tmp_path):
    _fails(_convert(run_cli, tiny_classifier[1], tmp_path / "none.npz", tmp_path / "m.tflite"),
           "none.npz")
    _nothing_written(tmp_path)


# --- recipes (run) -----------------------------------------------------------------------

@pytest.mark.parametrize("text, needles", [
    ('name = "x"\n[model]\nzoo = "digits-cnn"\nepoch = 3\n', ["unknown key 'epoch'"]),
    ('name = "x"\n[model]\nzoo = "digits-cnn"\nepochs = "3"\n', ["key 'epochs' must be int"]),
    ('name = "x"\n[model]\nzoo = "digits-cnn"\n[compress.prune]\ntarget_sparsity = "high"\n',
     ["key 'target_sparsity' must be float"]),
    ('name = "x"\nmodle = 1\n', ["unknown key 'modle'"]),
])
def test_bad_recipe_is_named(run_cli, tmp_path, text, needles):
    recipe = tmp_path / "r.toml"
    recipe.write_text(text)
    _fails(run_cli("run", recipe, "-o", tmp_path / "out"), recipe, *needles)
    _nothing_written(tmp_path, before={"r.toml"})


def test_missing_recipe_is_named(run_cli, tmp_path):
    _fails(run_cli("run", tmp_path / "none.toml"), "none.toml")

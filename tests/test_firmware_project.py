"""`firmware`: project generation from an int8 .tflite, golden vectors, whole-or-nothing output."""
import json

import numpy as np
import pytest

from conftest import shared_or_skip
from tinycompress.errors import TinyCompressError
from tinycompress.shared import BASELINE_MODELS, shared_root
from tinycompress.firmware.project import generate_project, golden_inputs
from tinycompress.metrics import quantize

AD_FC = shared_root() / BASELINE_MODELS / "ad_fc.tflite"


def test_project_has_sources_golden_vectors_and_figures(tiny_int8, tmp_path, run_cli):
    out = tmp_path / "fw"
    result = run_cli("firmware", tiny_int8[0], "--board", "netduinoplus2", "--data", "digits",
                     "--vectors", "3", "-o", out)
    assert result.exit_code == 0, result.output
    for rel in ("Makefile", "src/model.c", "src/model.h", "src/main.c", "src/golden.h",
                "board/linker.ld", "board/startup.c", "board/uart_stm32.c", "model.tflite"):
        assert (out / rel).is_file(), rel
    meta = json.loads((out / "project.json").read_text())
    assert meta["board"] == "netduinoplus2" and meta["vectors"] == 3
    assert meta["arena_bytes"] > 0 and meta["weight_bytes"] > 0 and meta["layers"]
    golden = np.load(out / "golden.npz")
    assert golden["inputs"].shape[0] == 3 and golden["outputs"].shape[0] == 3
    assert "TC_NUM_VECTORS 3" in (out / "src" / "golden.h").read_text()


def test_golden_inputs_from_data_are_quantized_with_the_input_parameters(tiny_int8, digits_data):
    from tinycompress.tflite_model import read_tflite
    model = read_tflite(tiny_int8[0])
    inputs, source = golden_inputs(model, "digits", 5)
    q = model.input_tensors[0].quant
    expected = quantize(digits_data.x_test[:5], q.scale[0], q.zero_point[0])
    got = np.stack([v[0] for v in inputs]).reshape(expected.shape)
    np.testing.assert_array_equal(got, expected)
    assert "digits" in source


def test_golden_inputs_round_half_away_from_zero_as_the_host_scoring(tiny_int8, digits_data):
    """x / scale on .5 exactly: TFLite (and the host scoring) round away from zero, where
    np.round would give the even neighbour; the device must see the same int8 input."""
    from dataclasses import replace
    from tinycompress.tflite_model import read_tflite
    model = read_tflite(tiny_int8[0])
    q = model.input_tensors[0].quant
    q.scale[0] = 2.0 ** -6      # a power of two: k.5 * scale is exact in the float32 samples
    halves = np.arange(64) % 8 + 10.5         # 10.5 ... 17.5: inside int8 for any zero point
    assert -128 + 18 <= int(q.zero_point[0]) + 18 <= 127
    x = (halves * 2.0 ** -6).astype(np.float32).reshape(1, 8, 8, 1)
    data = replace(digits_data, x_test=x, y_test=digits_data.y_test[:1])
    inputs, _ = golden_inputs(model, data, 1)
    got = inputs[0][0].reshape(-1).astype(int) - int(q.zero_point[0])
    away = np.ceil(halves)                                          # 11, 12, ..., 18
    np.testing.assert_array_equal(got, away.astype(int))
    assert not np.array_equal(got, np.round(halves).astype(int))   # np.round disagrees


def test_random_golden_inputs_are_seeded_and_cover_the_int8_range(tiny_int8):
    from tinycompress.tflite_model import read_tflite
    model = read_tflite(tiny_int8[0])
    a, _ = golden_inputs(model, None, 20, seed=3)
    b, _ = golden_inputs(model, None, 20, seed=3)
    assert all(np.array_equal(x[0], y[0]) for x, y in zip(a, b))
    values = np.concatenate([v[0].ravel() for v in a])
    assert values.min() < -100 and values.max() > 100


def test_float_model_is_rejected_and_nothing_is_written(tiny_int8, tmp_path):
    with pytest.raises(TinyCompressError, match="full-integer int8 is required"):
        generate_project(tiny_int8[1], "mps2-an386", tmp_path / "fw")
    assert not (tmp_path / "fw").exists()


def test_unsupported_ops_are_all_listed_and_nothing_is_written(tiny_int8, tmp_path, monkeypatch):
    from tinycompress.firmware import native
    monkeypatch.setattr(native, "check_supported",
                        lambda model: ["op 0 FOO ('a'): not supported", "op 2 BAR ('b'): not supported"])
    with pytest.raises(TinyCompressError, match=r"2 op\(s\).*op 0 FOO.*op 2 BAR"):
        generate_project(tiny_int8[0], "mps2-an386", tmp_path / "fw")
    assert not (tmp_path / "fw").exists()


def test_unknown_board_and_bad_vector_count_are_errors(tiny_int8, tmp_path, run_cli):
    result = run_cli("firmware", tiny_int8[0], "--board", "esp32", "-o", tmp_path / "fw")
    assert result.exit_code == 1 and "unknown board 'esp32'" in result.output
    with pytest.raises(TinyCompressError, match="at least 1"):
        generate_project(tiny_int8[0], "mps2-an386", tmp_path / "fw", vectors=0)
    assert not (tmp_path / "fw").exists()


def test_data_that_does_not_fit_the_input_is_an_error(tmp_path):
    shared_or_skip(BASELINE_MODELS, "ad_fc.tflite")
    with pytest.raises(TinyCompressError, match="do not fit the input"):
        generate_project(AD_FC, "mps2-an386", tmp_path / "fw", data="digits")
    assert not (tmp_path / "fw").exists()

"""The Python API: `import tinycompress` is fast and its names are the real stage functions."""
import subprocess
import sys

import numpy as np
import pytest


def test_import_does_not_load_tensorflow():
    code = ("import sys, tinycompress; "
            "print(sorted(m for m in ('tensorflow', 'tf_keras', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_names_are_the_stage_functions_even_after_their_modules_load():
    import tinycompress
    from tinycompress.convert import convert_to_int8   # loads the tinycompress.convert module
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project
    from tinycompress.inspect import inspect_model
    assert tinycompress.convert is convert_to_int8
    assert tinycompress.inspect is inspect_model
    assert tinycompress.firmware is generate_project
    assert tinycompress.build is build
    for name in tinycompress.__all__:
        assert callable(getattr(tinycompress, name)) and getattr(tinycompress, name).__doc__


def test_api_runs_convert_inspect_export_on_the_tiny_model(tiny_classifier, digits_data, tmp_path):
    import tinycompress
    model, path = tiny_classifier
    report = tinycompress.convert(path, digits_data, tmp_path / "m.tflite", representative_samples=50)
    assert report.int8_accuracy > 0.5
    info = tinycompress.inspect(tmp_path / "m.tflite", run_tflm=False)
    assert "CONV_2D" in str(info.to_dict()) and info.total_macs > 0
    header = tinycompress.export(tmp_path / "m.tflite", tmp_path / "m.h")
    assert header.model_bytes == (tmp_path / "m.tflite").stat().st_size


def test_api_compress_saves_the_compressed_model(tiny_classifier, digits_data, tmp_path):
    import tinycompress
    model, _ = tiny_classifier
    out, reports = tinycompress.compress(model, digits_data, {"prune": {"target_sparsity": 0.5, "epochs": 1}},
                                         output=tmp_path / "c.keras")
    assert [r.stage for r in reports] == ["float", "prune"]
    assert reports[-1].sparsity >= 0.45
    loaded = tinycompress.load_model(tmp_path / "c.keras")
    x = digits_data.x_test[:5]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), out.predict(x, verbose=0), atol=1e-6)


def test_simulate_names_an_unknown_engine():
    import tinycompress
    from tinycompress.errors import TinyCompressError
    with pytest.raises(TinyCompressError, match="unknown engine 'gem5'"):
        tinycompress.simulate("project", engine="gem5")

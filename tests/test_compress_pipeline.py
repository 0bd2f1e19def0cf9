"""The pipeline on real data (digits): the accuracy acceptance of issue 2, in Keras and in the
int8 .tflite itself, plus the STAGES table and the `compress` command."""
import json

import numpy as np
import pytest

from tinycompress import weightstats
from tinycompress.compress import STAGES, make_config, run_pipeline
from tinycompress.errors import TinyCompressError


@pytest.fixture(scope="module")
def digits_pcqat():
    """digits-cnn trained on digits, then prune 75 % + 16 clusters + PCQAT (about 25 s)."""
    from tinycompress.zoo import train
    model, dataset, metrics = train("digits-cnn")
    final, reports = run_pipeline(model, dataset, {"prune": {"target_sparsity": 0.75},
                                                   "cluster": {"clusters": 16}, "qat": {}})
    return model, final, dataset, reports


def test_stages_table_is_in_pipeline_order():
    assert list(STAGES) == ["distill", "lowrank", "prune", "cluster", "snap", "qat"]


def test_stage_config_unknown_key_is_named():
    with pytest.raises(TinyCompressError, match=r"\[compress.prune\]: unknown key 'sparsity'"):
        make_config("prune", {"sparsity": 0.5})


def test_digits_float_reaches_95_percent(digits_pcqat):
    assert digits_pcqat[3][0].accuracy >= 0.95


def test_digits_prune_cluster_pcqat_within_1_5_pp(digits_pcqat):
    _, final, _, reports = digits_pcqat
    assert [r.stage for r in reports] == ["float", "prune", "cluster", "qat"]
    qat = reports[-1]
    assert qat.details["scheme"] == "PCQAT" and qat.details["preserved"]
    assert qat.accuracy >= reports[0].accuracy - 0.015
    assert qat.sparsity >= 0.74
    for name, stats in qat.layers.items():
        assert stats["unique"] <= 16, name


def test_digits_int8_tflite_keeps_sparsity_and_clusters(digits_pcqat, tmp_path):
    """Checked in the int8 weights of the .tflite, per channel where quantized per channel."""
    from tinycompress.convert import convert_to_int8
    from tinycompress.tflite_model import read_tflite
    _, final, dataset, reports = digits_pcqat
    report = convert_to_int8(final, dataset, tmp_path / "digits_int8.tflite")
    assert report.int8_accuracy >= reports[0].accuracy - 0.015
    model = read_tflite(tmp_path / "digits_int8.tflite")
    weights = [model.tensors[op.inputs[1]] for op in model.operators
               if op.op in ("CONV_2D", "FULLY_CONNECTED", "DEPTHWISE_CONV_2D")]
    assert len(weights) == 4
    zeros = total = 0
    for t in weights:
        assert t.type == "INT8" and t.data is not None
        per_channel = t.quant is not None and len(np.atleast_1d(t.quant.scale)) > 1
        unique = weightstats.unique_values(t.data, axis=t.quant.axis if per_channel else None)
        assert unique <= 16, (t.name, unique)
        assert weightstats.sparsity(t.data) >= 0.74, t.name
        zeros += np.count_nonzero(t.data == 0)
        total += t.data.size
    assert zeros / total >= 0.74


def test_compress_command_writes_model_and_report(tmp_path, run_cli):
    from _compress_models import small_cnn
    from tinycompress.keras_io import load_model, save_model
    src = save_model(small_cnn(), tmp_path / "small.keras")
    out = tmp_path / "out"
    result = run_cli("compress", src, "--data", "digits", "--prune", "0.5", "--cluster", "8",
                     "--set", "prune.epochs=1", "--set", "cluster.epochs=1", "-o", out)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "compress_report.json").read_text())
    assert [s["stage"] for s in report["stages"]] == ["float", "prune", "cluster"]
    model = load_model(out / "compressed.keras")
    assert weightstats.unique_values(model.get_layer("fc1").get_weights()[0]) <= 8
    assert sorted(p.name for p in out.iterdir()) == [".tinycompress", "compress_report.json",
                                                     "compressed.keras"]


def test_compress_command_bad_set_key_exits_1(tmp_path, run_cli):
    from _compress_models import small_cnn
    from tinycompress.keras_io import save_model
    src = save_model(small_cnn(), tmp_path / "small.keras")
    result = run_cli("compress", src, "--data", "digits", "--set", "prune.bogus=1",
                     "-o", tmp_path / "out")
    assert result.exit_code == 1 and "unknown key 'bogus'" in result.output
    assert not (tmp_path / "out").exists()

"""The structure-aware fuzzer (tools/fuzz_models.py): a short fixed-seed campaign finds
nothing, and its oracle does catch generated C that computes something else.
The long campaign runs by hand (see the tool's docstring)."""
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import fuzz_models  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="host gcc not installed")


@pytest.fixture(scope="module")
def seeds():
    return fuzz_models.load_seeds(sorted(fuzz_models.SEEDS.glob("*.tflite")))


def test_seed_models_are_the_three_zoo_families(seeds):
    ops = {name: {op.op for op in fuzz_models.parse_tflite(data).operators}
           for name, (data, _) in seeds.items()}
    assert "DEPTHWISE_CONV_2D" in ops["kws_dscnn"] and "CONV_2D" in ops["digits_cnn"]
    assert ops["ad_fc"] == {"FULLY_CONNECTED"}


def test_short_campaign_finds_nothing_and_compares_accepted_mutants_with_tflm(seeds, tmp_path):
    summary = fuzz_models.run_campaign(seeds, mutants=150, compare=12, seed=20261202,
                                       seconds=None, timeout=60, out=tmp_path, log=lambda m: None)
    stats = summary["stats"]
    assert summary["findings"] == [], fuzz_models.summary_text(summary)
    assert stats["mutants"] >= 120
    assert stats.get("compared: identical", 0) + stats.get("compared: TFLM refuses", 0) >= 1, stats
    assert stats.get("compared: identical", 0) >= 1, stats


def test_oracle_reports_generated_c_that_differs_from_tflm(seeds, tmp_path):
    from tinycompress.firmware.native import codegen, hostbuild
    data, _ = seeds["ad_fc"]
    model = fuzz_models.parse_tflite(data, "ad_fc.tflite")
    model_c, model_h, _ = codegen.render(model)
    wrong = model_c.replace(".rq.output_zp = -128,", ".rq.output_zp = -120,", 1)
    assert wrong != model_c
    items = [(model, model_c, model_h), (model, wrong, model_h)]
    meta = [dict(seed="ad_fc", edits=[], index=k, data=data) for k in range(2)]
    stats, findings = Counter(), []
    tflm = fuzz_models.TFLMWorker()
    try:
        fuzz_models.compare_batch(items, meta, tmp_path, hostbuild.runtime_library(fuzz_models.SANITIZE),
                                  tflm, stats, findings)
    finally:
        tflm.close()
    assert stats["compared: identical"] == 1
    assert [(f["index"], f["outcome"]) for f in findings] == [(1, "mismatch")]

"""Robustness under Gaussian input noise (float, compressed and int8 models on the same noisy
inputs), the [evaluate] recipe step, and `tinycompress evaluate` on .keras and int8 .tflite."""
import json

import numpy as np
import pytest

from tinycompress import tflite_eval
from tinycompress.errors import TinyCompressError
from tinycompress.evaluate import (EvaluateSection, keras_predict, metrics, robustness_table,
                                   tflite_predict)


@pytest.fixture(scope="module")
def predicts(tiny_classifier, tiny_int8):
    blob = tiny_int8[0].read_bytes()
    return {"float": keras_predict(tiny_classifier[0]), "int8": tflite_predict(blob, "tiny")}


def test_noise_zero_equals_the_clean_metric(predicts, digits_data, tiny_int8):
    table = robustness_table(predicts, digits_data, sigmas=[0.0])
    (row,) = table["rows"]
    assert row["sigma"] == 0.0 and table["metric"] == "accuracy"
    assert row["float"] == metrics(predicts["float"], digits_data)["accuracy"]
    # the int8 column agrees with the converter's own TFLM scoring of the clean test set
    assert row["int8"] == tiny_int8[2].int8_accuracy


def test_accuracy_falls_as_noise_grows(predicts, digits_data):
    rows = robustness_table(predicts, digits_data, sigmas=[0.3, 1.0])["rows"]
    assert [r["sigma"] for r in rows] == [0.0, 0.3, 1.0]     # the clean baseline is added
    for name in predicts:
        clean, mid, loud = (r[name] for r in rows)
        assert clean > mid > loud, (name, clean, mid, loud)


def test_int8_and_float_are_scored_on_the_same_seeded_noise(predicts, digits_data, tiny_int8):
    seen = {"float": [], "int8": []}

    def spy(name):
        def predict(x):
            seen[name].append(np.array(x))
            return predicts[name](x)
        return predict

    sigma, seed = 0.2, 99
    table = robustness_table({n: spy(n) for n in seen}, digits_data, [sigma], seed=seed)
    for a, b in zip(seen["float"], seen["int8"], strict=True):
        np.testing.assert_array_equal(a, b)
    # the noisy set is reproducible from the seed alone: rebuild it and score it independently
    x = digits_data.x_test
    noisy = x + np.random.default_rng(seed).normal(0, sigma, size=x.shape).astype(np.float32)
    np.testing.assert_array_equal(seen["int8"][-1], noisy)
    direct = tflite_eval.score(tiny_int8[0].read_bytes(), noisy, digits_data.y_test)
    assert table["rows"][-1]["int8"] == direct.accuracy


def test_int8_inputs_saturate_instead_of_wrapping(tiny_int8, digits_data):
    from tinycompress.tflite_model import read_tflite
    model = read_tflite(tiny_int8[0])
    q = model.input_tensors[0].quant
    scale, zp = float(q.scale[0]), int(q.zero_point[0])
    lo, hi = (-128 - zp) * scale, (127 - zp) * scale
    x = digits_data.x_test[:40]
    far = (x - 0.5) * 40                       # far outside the calibrated input range
    assert far.min() < lo - 1 and far.max() > hi + 1
    predict = tflite_predict(tiny_int8[0].read_bytes(), "tiny")
    np.testing.assert_array_equal(predict(far), predict(np.clip(far, lo, hi)))


def test_evaluate_section_defaults_and_checks():
    section = EvaluateSection()
    section.validate()
    assert section.noise[0] == 0.0 and len(section.noise) > 1
    with pytest.raises(TinyCompressError, match="noise"):
        EvaluateSection(noise=[0.1, -0.2]).validate()


def test_recipe_evaluate_section_is_parsed_and_checked(tmp_path):
    from tinycompress.recipe import load_recipe
    base = '[model]\nzoo = "digits-cnn"\n[data]\nsource = "digits"\n'
    good = tmp_path / "good.toml"
    good.write_text(base + "[evaluate]\nnoise = [0.2, 0.1]\nseed = 5\n")
    r = load_recipe(good)
    assert r.evaluate.noise == [0.0, 0.1, 0.2] and r.evaluate.seed == 5
    plain = tmp_path / "plain.toml"
    plain.write_text(base)
    assert load_recipe(plain).evaluate is None             # no [evaluate], no robustness step
    bad = tmp_path / "bad.toml"
    bad.write_text(base + "[evaluate]\nsigmas = [0.1]\n")
    with pytest.raises(TinyCompressError, match=r"bad.toml \[evaluate\].*'sigmas'"):
        load_recipe(bad)


def test_run_step_writes_the_robustness_table(tiny_classifier, tiny_int8, digits_data, tmp_path):
    import shutil

    from tinycompress.recipe import parse_recipe
    from tinycompress.run import STEPS, RunContext, RunResult
    from tinycompress.report import write_reports
    recipe = parse_recipe({"model": {"zoo": "digits-cnn"}, "data": {"source": "digits"},
                           "evaluate": {"noise": [0.1, 0.4], "samples": 200}}, tmp_path / "r.toml")
    shutil.copy(tiny_int8[0], tmp_path / "model_int8.tflite")
    ctx = RunContext(recipe=recipe, out=tmp_path, log=lambda m: None, model=tiny_classifier[0],
                     float_model=tiny_classifier[0], dataset=digits_data)
    names = [s.name for s in STEPS]
    assert names.index("evaluate") == names.index("convert") + 1   # it reads model_int8.tflite
    step = STEPS[names.index("evaluate")]
    assert step.when(recipe)
    step.run(ctx)
    rob = ctx.robustness
    assert rob["models"] == ["float", "compressed", "int8"] and rob["samples"] == 200
    assert [r["sigma"] for r in rob["rows"]] == [0.0, 0.1, 0.4]
    assert all(r["float"] == r["compressed"] for r in rob["rows"])   # same model, same noise
    result = RunResult(recipe="r", out_dir=str(tmp_path), seconds=0, rows=[], artifacts=[],
                       convert=None, stages=[], robustness=ctx.robustness)
    write_reports(tmp_path, result)
    saved = json.loads((tmp_path / "report.json").read_text())["extra"]["robustness"]
    assert saved["rows"] == rob["rows"]
    md = (tmp_path / "report.md").read_text()
    assert "| sigma | float | compressed | int8 |" in md
    assert f"| 0.4 | {100 * rob['rows'][-1]['float']:.2f} % |" in md


def test_evaluate_cli_on_keras_and_int8_tflite(run_cli, tiny_classifier, tiny_int8, tmp_path):
    keras_path = tmp_path / "tiny.keras"
    tiny_classifier[0].save(keras_path)
    report = tiny_int8[2]
    for path, accuracy in ((keras_path, report.float_accuracy),
                           (tiny_int8[0], report.int8_accuracy)):
        result = run_cli("evaluate", path, "--data", "digits", "--noise", "0.1,0.3", "--json")
        assert result.exit_code == 0, result.output
        d = json.loads(result.output)
        assert d["metrics"]["accuracy"] == accuracy
        assert [r["sigma"] for r in d["robustness"]["rows"]] == [0.0, 0.1, 0.3]
        assert d["robustness"]["rows"][0][d["kind"]] == accuracy
        assert 0 < d["weight_bytes"] < d["file_bytes"] and d["gzip_bytes"] > 0
        assert len(d["weights"]) == 2 and d["params"] == sum(w["params"] for w in d["weights"])
        assert all(1 <= w["unique_per_channel"] <= w["unique"] for w in d["weights"])
    assert d["kind"] == "int8 tflite" and d["file_bytes"] == tiny_int8[0].stat().st_size
    text = run_cli("evaluate", tiny_int8[0], "--data", "digits", "--noise", "none")
    assert text.exit_code == 0 and "accuracy" in text.output and "sigma" not in text.output


@pytest.mark.parametrize("content", [b"", b"not a model at all", b"\0\0\0\0TFL3garbage"])
def test_evaluate_cli_names_a_bad_file(run_cli, tmp_path, content):
    bad = tmp_path / "broken.tflite"
    bad.write_bytes(content)
    result = run_cli("evaluate", bad, "--data", "digits")
    assert result.exit_code == 1
    assert "broken.tflite" in result.output and "Traceback" not in result.output
    missing = run_cli("evaluate", tmp_path / "nowhere.keras", "--data", "digits")
    assert missing.exit_code == 1 and "nowhere.keras" in missing.output

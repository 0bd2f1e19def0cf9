"""Recipes: validated against dataclasses (key and file named), and `run` fills one folder."""
import json
from pathlib import Path

import pytest

from tinycompress.compress import STAGES
from tinycompress.errors import TinyCompressError
from tinycompress.recipe import load_recipe
from tinycompress.run import STEPS, run_recipe

GOOD = """
name = "tiny"
[model]
path = "tiny.h5"
[data]
source = "digits"
[compress.prune]
target_sparsity = 0.5
epochs = 1
skip_layers = ["conv"]
[convert]
representative_samples = 50
[export]
name = "g_tiny"
[firmware]
board = "mps2-an386"
"""


def _write(tmp_path, text, name="recipe.toml"):
    path = tmp_path / name
    path.write_text(text)
    (tmp_path / "tiny.h5").touch()
    return path


def test_good_recipe_parses_into_dataclasses(tmp_path):
    recipe = load_recipe(_write(tmp_path, GOOD))
    assert recipe.name == "tiny"
    assert recipe.resolve(recipe.model.path) == str(tmp_path / "tiny.h5")  # beside the recipe
    prune = recipe.compress["prune"]
    assert isinstance(prune, STAGES["prune"][0])
    assert prune.target_sparsity == 0.5 and prune.epochs == 1 and prune.skip_layers == ["conv"]
    assert recipe.convert.representative_samples == 50 and recipe.export.name == "g_tiny"
    assert recipe.firmware.board == "mps2-an386"


def test_stages_run_in_pipeline_order_whatever_the_file_order(tmp_path):
    text = GOOD.replace("[convert]", "[compress.cluster]\nclusters = 8\n[convert]")
    text = text.replace("[compress.prune]", "[compress.qat]\nepochs = 1\n[compress.prune]")
    recipe = load_recipe(_write(tmp_path, text))
    assert list(recipe.compress) == [s for s in STAGES if s in ("prune", "cluster", "qat")]


def test_int_is_accepted_where_a_float_is_expected(tmp_path):
    recipe = load_recipe(_write(tmp_path, GOOD.replace("target_sparsity = 0.5",
                                                       "target_sparsity = 0")))
    assert isinstance(recipe.compress["prune"].target_sparsity, float)


@pytest.mark.parametrize("edit, key", [
    (("[model]", "colour = 3\n[model]"), "colour"),
    (("path = \"tiny.h5\"", "path = \"tiny.h5\"\nepoch = 3"), "epoch"),
    (("epochs = 1", "epochs = 1\nsparsity = 0.5"), "sparsity"),
    (("[convert]", "[compress.shrink]\nx = 1\n[convert]"), "compress.shrink"),
    (("representative_samples = 50", "representative_samples = 50\nsamples = 3"), "samples"),
])
def test_unknown_key_is_named_with_the_file(tmp_path, edit, key):
    path = _write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(TinyCompressError, match=f"unknown key '{key}'") as err:
        load_recipe(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("edit, key", [
    (("epochs = 1", 'epochs = "one"'), "epochs"),
    (("target_sparsity = 0.5", 'target_sparsity = "75%"'), "target_sparsity"),
    (("representative_samples = 50", "representative_samples = 5.5"), "representative_samples"),
    (('skip_layers = ["conv"]', 'skip_layers = "conv"'), "skip_layers"),
    (('name = "g_tiny"', "name = 7"), "name"),
    (("epochs = 1", "epochs = true"), "epochs"),
])
def test_wrong_type_is_named_with_the_file(tmp_path, edit, key):
    path = _write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(TinyCompressError, match=f"key '{key}' must be") as err:
        load_recipe(path)
    assert str(path) in str(err.value)


def test_stage_validation_names_the_section(tmp_path):
    path = _write(tmp_path, GOOD.replace("target_sparsity = 0.5", "target_sparsity = 1.5"))
    with pytest.raises(TinyCompressError, match=r"\[compress.prune\].*target_sparsity"):
        load_recipe(path)


@pytest.mark.parametrize("edit, match", [
    (('path = "tiny.h5"', 'path = "tiny.h5"\nzoo = "digits-cnn"'), "exactly one of"),
    (('source = "digits"', "synthetic = true"), "needs a zoo model"),
    (('[data]\nsource = "digits"', ""), "'source' is required"),
    (('path = "tiny.h5"', 'zoo = "no-such-model"'), "no zoo model"),
])
def test_inconsistent_sources_are_rejected(tmp_path, edit, match):
    with pytest.raises(TinyCompressError, match=match):
        load_recipe(_write(tmp_path, GOOD.replace(*edit)))


def test_invalid_toml_names_the_file(tmp_path):
    path = _write(tmp_path, "name = \n")
    with pytest.raises(TinyCompressError, match="not valid TOML") as err:
        load_recipe(path)
    assert str(path) in str(err.value)


def test_zoo_recipes_are_valid():
    import tinycompress.zoo as zoo
    recipes = sorted(Path(zoo.__file__).parent.glob("*/recipe.toml"))
    if not recipes:
        pytest.skip("no zoo recipes yet")
    for path in recipes:
        assert load_recipe(path).model.zoo


def test_steps_are_a_table():
    assert [s.name for s in STEPS][:5] == ["model", "compress", "convert", "evaluate", "export"]


def test_run_writes_every_artifact_and_the_report(run_cli, tiny_classifier, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # no [firmware]: the deployment steps have their own tests (test_run_firmware.py)
    (folder / "recipe.toml").write_text(GOOD.replace('[firmware]\nboard = "mps2-an386"\n', ""))
    (folder / "tiny.h5").write_bytes(Path(tiny_classifier[1]).read_bytes())
    out = tmp_path / "out"
    cli_result = run_cli("run", folder / "recipe.toml", "-o", out, "--json")
    assert cli_result.exit_code == 0, cli_result.output
    result = json.loads(cli_result.stdout)
    for name in ("model.keras", "compressed.keras", "model_float.tflite", "model_int8.tflite",
                 "model_data.h", "report.json", "report.md", "report.png"):
        assert (out / name).stat().st_size > 0, name
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no temp folder
    report = json.loads((out / "report.json").read_text())
    stages = [row["stage"] for row in report["rows"]]
    assert stages == ["float", "prune", "float tflite", "int8 tflite"]
    prune = report["rows"][1]
    assert prune["sparsity"] > 0.2 and prune["gzip_bytes"] < report["rows"][0]["gzip_bytes"]
    assert report["rows"][3]["bytes"] == (out / "model_int8.tflite").stat().st_size
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| prune |" in (out / "report.md").read_text()
    assert "g_tiny[]" in (out / "model_data.h").read_text()
    assert result["convert"]["int8_accuracy"] == report["convert"]["int8_accuracy"] is not None
    assert result["rows"] == report["rows"]


def test_run_refuses_a_folder_that_is_not_a_run(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    (tmp_path / "r").mkdir()
    path = _write(tmp_path / "r", GOOD)
    with pytest.raises(TinyCompressError, match="tinycompress did not write"):
        run_recipe(load_recipe(path), tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"

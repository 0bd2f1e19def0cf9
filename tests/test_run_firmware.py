"""`tinycompress run` with a [firmware] section: generate, build, simulate, report; bad keys."""
import json
from pathlib import Path

import pytest

from tinycompress.errors import TinyCompressError
from tinycompress.recipe import load_recipe
from tinycompress.run import run_recipe

from conftest import requires_arm_gcc, requires_qemu

RECIPE = """
name = "tiny-fw"
[model]
path = "tiny.h5"
[data]
source = "digits"
[convert]
representative_samples = 50
[firmware]
board = "mps2-an386"
vectors = 2
opt = "O2"
timeout = 60
"""


def _folder(tmp_path, tiny_classifier, text=RECIPE):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "recipe.toml").write_text(text)
    (folder / "tiny.h5").write_bytes(Path(tiny_classifier[1]).read_bytes())
    return folder / "recipe.toml"


@requires_arm_gcc
@requires_qemu
def test_run_deploys_to_qemu_and_reports_instructions_per_layer(run_cli, tiny_classifier,
                                                                  tmp_path, monkeypatch):
    from tinycompress.firmware import project
    recipe = _folder(tmp_path, tiny_classifier)
    out = tmp_path / "out"
    result = run_cli("run", recipe, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert json.loads(result.stdout)["extra"] == report["extra"]
    fw = report["extra"]["firmware"]
    assert fw["failure"] is None and report["failure"] is None
    assert fw["simulate"]["passed"] == fw["simulate"]["total"] == 2
    assert (out / "firmware" / "build" / "firmware.elf").stat().st_size > 0
    assert "TC:DONE 2/2" in (out / "firmware" / "uart.log").read_text()

    # one row per operator of the int8 model, joined with the device's count for it
    from tinycompress.tflite_model import read_tflite
    model = read_tflite(out / "model_int8.tflite")
    layers = fw["layers"]
    assert [l["op"] for l in layers] == [op.op for op in model.operators]
    conv = next(l for l in layers if l["op"] == "CONV_2D")
    assert conv["macs"] > 0 and conv["instructions"] > 0
    assert conv["instructions_per_mac"] == pytest.approx(conv["instructions"] / conv["macs"])
    assert sum(l["instructions"] for l in layers) <= fw["simulate"]["instructions_per_inference"]
    assert fw["simulate"]["instructions_per_mac"] == pytest.approx(
        fw["simulate"]["instructions_per_inference"] / fw["generate"]["macs"])

    b = fw["build"]
    assert 0 < b["flash_used"] < b["flash_size"] and 0 < b["ram_used"] < b["ram_size"]
    assert b["elf"] == "firmware/build/firmware.elf"   # not the temporary folder's path
    md = (out / "report.md").read_text()
    assert "PASS 2/2 golden vectors bit-exact" in md
    assert "| # | layer | op | MACs | instructions | instructions/MAC | share |" in md
    assert "(estimate)" in md and "| .text |" in md
    assert "| conv | CONV_2D |" in md           # the Keras layer, not the fused tensor name

    # the same run with one golden output corrupted: report written, exit 1
    real = project.write_project

    def corrupt(out_dir, board, write_model, inputs, outputs, **kw):
        outputs = [bytes([outputs[0][0] ^ 1]) + outputs[0][1:]] + outputs[1:]
        return real(out_dir, board, write_model, inputs, outputs, **kw)
    monkeypatch.setattr(project, "write_project", corrupt)
    bad = tmp_path / "bad"
    result = run_cli("run", recipe, "-o", bad)
    assert result.exit_code == 1
    assert "1 of 2 golden vectors differ" in result.stderr and "report.md" in result.stderr
    report = json.loads((bad / "report.json").read_text())
    assert report["extra"]["firmware"]["simulate"]["passed"] == 1
    assert "FAIL" in (bad / "report.md").read_text()


@pytest.mark.parametrize("edit, match", [
    (("vectors = 2", "vectors = 2\nboards = 1"), "unknown key 'boards'"),
    (("vectors = 2", 'vectors = "two"'), "key 'vectors' must be int"),
    (("timeout = 60", 'timeout = "1m"'), "key 'timeout' must be float"),
    (('board = "mps2-an386"', 'board = "arduino"'), "unknown board 'arduino'"),
    (('opt = "O2"', 'opt = "-O9"'), "key 'opt'"),
    (("vectors = 2", 'vectors = 2\nruntime = "cmsis"'), "key 'runtime'"),
    (("vectors = 2", "vectors = 0"), "key 'vectors' must be at least 1"),
])
def test_firmware_section_bad_keys_are_named(tmp_path, edit, match):
    path = tmp_path / "recipe.toml"
    path.write_text(RECIPE.replace(*edit))
    (tmp_path / "tiny.h5").touch()
    with pytest.raises(TinyCompressError, match=match) as err:
        load_recipe(path)
    assert f"{path} [firmware]" in str(err.value)


def test_firmware_section_defaults_and_opt_spelling(tmp_path):
    path = tmp_path / "recipe.toml"
    path.write_text(RECIPE.split("[firmware]")[0] + "[firmware]\n")
    (tmp_path / "tiny.h5").touch()
    fw = load_recipe(path).firmware
    assert (fw.board, fw.runtime, fw.opt, fw.simulate) == ("mps2-an386", "native", "-O2", True)
    path.write_text(RECIPE)
    assert load_recipe(path).firmware.opt == "-O2"
    path.write_text(RECIPE.split("[firmware]")[0])
    assert load_recipe(path).firmware is None     # no section, no deployment steps


@pytest.mark.parametrize("missing, hint", [
    ("arm-none-eabi-gcc", "apt-get install gcc-arm-none-eabi"),
    ("qemu-system-arm", "apt-get install qemu-system-arm"),
])
def test_missing_toolchain_fails_before_the_run_with_the_install_command(tmp_path, monkeypatch,
                                                                         missing, hint):
    import shutil
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == missing
                        else real(name, *a, **k) or f"/usr/bin/{name}")
    path = tmp_path / "recipe.toml"
    path.write_text(RECIPE)
    (tmp_path / "tiny.h5").touch()       # never loaded: the check comes first
    out = tmp_path / "out"
    with pytest.raises(TinyCompressError, match=f"{missing} not found.*{hint}"):
        run_recipe(load_recipe(path), out)
    assert not out.exists()


@requires_arm_gcc
def test_tflm_runtime_without_tflm_dir_fails_before_the_run(tmp_path, monkeypatch):
    monkeypatch.delenv("TFLM_DIR", raising=False)
    monkeypatch.delenv("TFLM_LIB", raising=False)
    path = tmp_path / "recipe.toml"
    path.write_text(RECIPE.replace('board = "mps2-an386"', 'board = "mps2-an386"\nruntime = "tflm"'))
    (tmp_path / "tiny.h5").touch()       # never loaded: the check comes first
    out = tmp_path / "out"
    with pytest.raises(TinyCompressError, match="TFLM_DIR is not set"):
        run_recipe(load_recipe(path), out)
    assert not out.exists()


def test_short_layer_names_come_from_the_keras_scope():
    from tinycompress.deploy import short_name
    assert short_name("net/quant_conv1/Relu;net/quant_conv1/BiasAdd;net/quant_conv1/Conv2D") == "conv1"
    assert short_name("net/block2/dw/depthwise") == "dw"
    assert short_name("StatefulPartitionedCall:0") == "StatefulPartitionedCall:0"


def test_failed_build_is_recorded_and_later_steps_skip(tmp_path, monkeypatch):
    from types import SimpleNamespace
    from tinycompress import deploy
    from tinycompress.firmware import build
    from tinycompress.report import render_firmware, render_markdown
    from tinycompress.simulate import qemu

    def too_big(project_dir, **kw):
        raise TinyCompressError(f"{project_dir}: the image does not fit microbit: it needs "
                                "300,000 bytes of flash and microbit has 262,144")
    monkeypatch.setattr(build, "build", too_big)
    monkeypatch.setattr(qemu, "simulate", lambda *a, **k: pytest.fail("simulated after a failure"))
    ctx = SimpleNamespace(out=tmp_path, firmware=None, failure=None, artifacts=[], log=lambda m: None,
                          recipe=SimpleNamespace(firmware=deploy.FirmwareSection(board="microbit")))
    deploy.step_build(ctx)
    deploy.step_simulate(ctx)
    assert ctx.failure.startswith("firmware build: <out>/firmware: the image does not fit")
    md = "\n".join(render_firmware(ctx.firmware))
    assert "**FAIL (build: <out>/firmware: the image does not fit microbit" in md
    assert "firmware/build/firmware.elf" not in ctx.artifacts
    full = render_markdown({"recipe": "r", "out_dir": "o", "seconds": 1, "rows": [],
                            "artifacts": [], "extra": {"firmware": ctx.firmware}})
    assert "## Firmware on" in full

"""`build`: make + arm-none-eabi-gcc, flash/RAM per section, budget errors before and after."""
import os

import pytest

from tinycompress.errors import TinyCompressError
from tinycompress.firmware.boards import BOARDS
from tinycompress.firmware.build import build, check_fit

from conftest import requires_arm_gcc, requires_shared
from tinycompress.shared import BASELINE_MODELS, shared_root
from fwtiny import tiny_project

AD_FC = shared_root() / BASELINE_MODELS / "ad_fc.tflite"


@requires_arm_gcc
def test_build_reports_sections_against_the_board(tmp_path, run_cli):
    project = tiny_project(tmp_path / "p").path
    report = build(project)
    assert report.sections[".text"] > 0 and report.sections[".stack"] == BOARDS["mps2-an386"].stack_size
    assert report.flash_used == sum(report.sections.get(s, 0) for s in (".text", ".ARM.exidx", ".data"))
    assert report.ram_size == BOARDS["mps2-an386"].ram_size
    result = run_cli("build", project)
    assert result.exit_code == 0 and "flash" in result.output and "RAM" in result.output


def test_model_too_big_for_ram_fails_before_building(tmp_path):
    project = tiny_project(tmp_path / "p", board="microbit", arena_bytes=16,
                           reported_arena=20_000).path
    with pytest.raises(TinyCompressError) as err:
        build(project)
    message = str(err.value)
    needed = 20_000 + 16 + BOARDS["microbit"].stack_size
    assert f"{needed:,} bytes of RAM" in message and f"{16 * 1024:,}" in message
    assert not (project / "build").exists()          # nothing was compiled


def test_check_fit_names_flash_bytes_needed_and_available():
    meta = {"weight_bytes": 300_000, "golden_bytes": 1_000, "arena_bytes": 100, "output_bytes": 10}
    with pytest.raises(TinyCompressError, match=r"301,000 bytes of flash.*has 262,144"):
        check_fit(meta, BOARDS["microbit"])
    check_fit(meta, BOARDS["mps2-an386"])               # fits the big board


@requires_arm_gcc
def test_image_that_overflows_ram_after_linking_names_the_bytes(tmp_path):
    # the project's figures claim a small arena; the compiled model.c has a 20 KB one
    project = tiny_project(tmp_path / "p", board="microbit", arena_bytes=20_000,
                           reported_arena=16).path
    with pytest.raises(TinyCompressError, match=r"does not fit microbit: it needs [\d,]+ bytes of RAM "
                                                r"and microbit has 16,384"):
        build(project)


@requires_arm_gcc
@requires_shared(BASELINE_MODELS, "ad_fc.tflite")
def test_microbit_build_of_a_model_that_does_not_fit_names_needed_and_available(tmp_path, run_cli):
    out = tmp_path / "fw"
    assert run_cli("firmware", AD_FC, "--board", "microbit", "--vectors", "1", "-o", out).exit_code == 0
    result = run_cli("build", out)
    assert result.exit_code == 1
    assert "does not fit microbit" in result.output and "262,144" in result.output
    assert "bytes of flash (weights" in result.output


def test_missing_cross_compiler_says_how_to_install(tmp_path, monkeypatch):
    project = tiny_project(tmp_path / "p").path
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(TinyCompressError, match="apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi"):
        build(project)


def test_build_of_a_folder_that_is_not_a_project_is_an_error(tmp_path, run_cli):
    result = run_cli("build", tmp_path)
    assert result.exit_code == 1 and "not a tinycompress firmware project" in result.output

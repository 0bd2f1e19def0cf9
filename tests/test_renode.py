"""Renode: the generated platforms load offline, `simulate --engine renode` and the generated
.robot (renode-test) pass the digits firmware with QEMU's tick counts, and both stop at the
firmware's last line when a golden output was altered (no waiting for a timeout)."""
import shutil

import pytest

from tinycompress.firmware.boards import BOARDS_LIST
from tinycompress.firmware.build import build
from tinycompress.firmware.project import generate_project
from tinycompress.simulate import qemu, renode

from conftest import renode_or_skip, requires_arm_gcc, run_renode_test
from fwtiny import tiny_project

RENODE_BOARDS = [b.name for b in BOARDS_LIST if b.renode_platform]
DEFAULT = "mps2-an386"
VECTORS = 4
TIMEOUT = 300     # far above a run's seconds: a run that hits it has not failed fast


@pytest.fixture(scope="module")
def digits_firmware(request, tmp_path_factory):
    """board -> (built digits project, the same with one golden output byte altered)."""
    if shutil.which("arm-none-eabi-gcc") is None:
        pytest.skip("arm-none-eabi-gcc not installed (make setup)")
    renode_or_skip()                      # before training the model
    tiny_int8 = request.getfixturevalue("tiny_int8")
    built = {}

    def get(board):
        if board not in built:
            root = tmp_path_factory.mktemp(board)
            good, bad = root / "good", root / "altered"
            generate_project(tiny_int8[0], board, good, data="digits", vectors=VECTORS)
            shutil.copytree(good, bad)
            _alter_golden_output(bad, vector=1)
            build(good)
            build(bad)
            built[board] = good, bad
        return built[board]
    return get


def _alter_golden_output(project, vector):
    """Flip one bit of one golden output in src/golden.h (what the firmware compares with)."""
    golden = project / "src" / "golden.h"
    head, outputs = golden.read_text().split("tc_golden_outputs", 1)
    rows = outputs.split("{\n        ")
    first, rest = rows[vector + 1].split(",", 1)
    rows[vector + 1] = f"{int(first) ^ 1},{rest}"
    golden.write_text(head + "tc_golden_outputs" + "{\n        ".join(rows))


def check_board(board, digits_firmware):
    renode_or_skip()
    good, bad = digits_firmware(board)

    report = renode.simulate(good, timeout=TIMEOUT)
    assert report.ok, report.failure
    assert report.passed == VECTORS and len(report.layers) > 0
    reference = qemu.simulate(good, timeout=TIMEOUT)
    assert reference.ok, reference.failure
    for ours, theirs in zip(report.vectors + report.layers, reference.vectors + reference.layers):
        assert ours.ticks == pytest.approx(theirs.ticks, rel=0.01, abs=1)

    failed = renode.simulate(bad, timeout=TIMEOUT)
    assert not failed.timed_out and [v.passed for v in failed.vectors] == [True, False, True, True]
    assert failed.failure.startswith(f"1 of {VECTORS} golden vectors differ")

    code, out = run_renode_test(["renode/test.robot"], good, TIMEOUT)
    assert code == 0, out
    code, out = run_renode_test(["renode/test.robot"], bad, TIMEOUT)
    assert code != 0 and f"TC:DONE {VECTORS - 1}/{VECTORS} != TC:DONE {VECTORS}/{VECTORS}" in out, out


@requires_arm_gcc
def test_digits_firmware_on_the_default_board_both_paths(digits_firmware):
    check_board(DEFAULT, digits_firmware)


@pytest.mark.slow
@requires_arm_gcc
@pytest.mark.parametrize("board", [b for b in RENODE_BOARDS if b != DEFAULT])
def test_digits_firmware_on_every_renode_board(board, digits_firmware):
    check_board(board, digits_firmware)


@requires_arm_gcc
def test_a_platform_that_does_not_load_fails_at_once_with_renodes_error(tmp_path):
    renode_or_skip()
    project = tiny_project(tmp_path / "p").path
    build(project)
    repl = project / "renode" / "mps2-an386.repl"
    repl.write_text(repl.read_text().replace("PerformanceInMips", "performanceInMips"))
    from tinycompress.errors import TinyCompressError
    with pytest.raises(TinyCompressError, match=r"LoadPlatformDescription .*` failed: Error E25"):
        renode.simulate(project, timeout=TIMEOUT)


def test_renode_engine_without_renode_says_how_to_install(tmp_path, run_cli, monkeypatch):
    project = tiny_project(tmp_path / "p").path
    assert (project / "renode" / "mps2-an386.repl").is_file()
    assert (project / "renode" / "test.robot").is_file()
    (project / "build").mkdir()
    (project / "build" / "firmware.elf").write_bytes(b"\x7fELF")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run_cli("simulate", project, "--engine", "renode")
    assert result.exit_code == 1 and "renode.io" in result.output

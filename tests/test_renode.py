"""Renode: the generated platforms load offline, `simulate --engine renode` and the generated
.robot (renode-test) pass the digits firmware with QEMU's tick counts, and both stop at the
firmware's last line when a golden output was altered (no waiting for a timeout)."""
import os
import re
import shutil
import time

import pytest

from tinycompress.firmware.boards import BOARDS, BOARDS_LIST
from tinycompress.firmware.build import build
from tinycompress.firmware.project import generate_project
from tinycompress.simulate import qemu, renode

from conftest import renode_or_skip, requires_arm_gcc, run_renode_test
from fwtiny import alter_golden_output, tiny_project

RENODE_BOARDS = [b.name for b in BOARDS_LIST if not renode.renode_unsupported(b)]
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
            alter_golden_output(bad, vector=1)
            build(good)
            build(bad)
            built[board] = good, bad
        return built[board]
    return get


def check_board(board, digits_firmware):
    renode_or_skip()
    good, bad = digits_firmware(board)

    report = renode.simulate(good, timeout=TIMEOUT)
    assert report.ok, report.failure
    assert report.passed == VECTORS and len(report.layers) > 0
    if BOARDS[board].qemu_machine:        # real boards (nucleo-*, nrf52840-dk) have no QEMU model
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


def test_boards_renode_cannot_run_say_so(tmp_path, run_cli):
    listing = run_cli("boards").output
    assert re.search(r"^mps3-an547 .* no\*\* ", listing, re.M)
    assert "** mps3-an547: Renode has no working Cortex-M55" in listing
    project = tiny_project(tmp_path / "p", board="mps3-an547").path
    assert not (project / "renode").exists()
    (project / "build").mkdir()
    (project / "build" / "firmware.elf").write_bytes(b"\x7fELF")
    result = run_cli("simulate", project, "--engine", "renode")
    assert result.exit_code == 1 and "Cortex-M55" in result.output and "--engine qemu" in result.output


def test_renode_engine_without_renode_says_how_to_install(tmp_path, run_cli, monkeypatch):
    project = tiny_project(tmp_path / "p").path
    assert (project / "renode" / "mps2-an386.repl").is_file()
    assert (project / "renode" / "test.robot").is_file()
    (project / "build").mkdir()
    (project / "build" / "firmware.elf").write_bytes(b"\x7fELF")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run_cli("simulate", project, "--engine", "renode")
    assert result.exit_code == 1 and "renode.io" in result.output


FAKE_RENODE = r"""#!/bin/bash
# Stands in for the `renode` launcher: prints an old version, leaves a child behind (as the
# launcher leaves mono), writes a failing UART log and waits for `quit` on its console.
echo "Renode, version 1.15.2.1 (fake)"
script=${@: -1}; script=${script#include @}
log=$(sed -n 's/.*CreateFileBackend @\(.*\) true$/\1/p' "$script")
sleep 1000 &
echo $! > "$(dirname "$log")/child.pid"
printf 'TC:BOOT board=x\r\nTC:VEC 0 FAIL 10\r\nTC:OUT 0 00\r\nTC:DONE 0/1\r\n' > "$log"
while read -r line; do [ "$line" = quit ] && break; done
"""


@requires_arm_gcc
def test_old_renode_is_named_on_a_dsp_mismatch_and_its_process_group_ends(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "renode").write_text(FAKE_RENODE)
    (bin_dir / "renode").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    project = tiny_project(tmp_path / "p", vectors=1).path
    build(project)
    report = renode.simulate(project, timeout=30)
    assert report.failure.startswith("1 of 1 golden vectors differ")
    assert "this is Renode 1.15.2" in report.failure and ">= 1.16.0" in report.failure
    child = int((project / "build" / "child.pid").read_text())
    with pytest.raises(ProcessLookupError):
        for _ in range(50):          # the group was killed; give the kernel a moment to reap
            os.kill(child, 0)
            time.sleep(0.1)

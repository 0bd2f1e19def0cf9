"""`simulate`: QEMU runs of generated firmware, the UART protocol, hangs, faults, layer diffs."""
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from tinycompress.errors import TinyCompressError
from tinycompress.firmware.boards import BOARDS, BOARDS_LIST
from tinycompress.firmware.build import build
from tinycompress.simulate.protocol import SimReport, parse_uart
from tinycompress.simulate.qemu import simulate

from conftest import requires_arm_gcc, requires_qemu, requires_shared
from tinycompress.shared import BASELINE_MODELS, shared_root
from fwtiny import tiny_project

BASELINES = shared_root() / BASELINE_MODELS
ZOO_SHAPED = sorted(BASELINES.glob("*.tflite")) if BASELINES.is_dir() else []
needs_tools = [requires_arm_gcc, requires_qemu]


def _report(text, vectors=2):
    return parse_uart(text, SimReport("mps2-an386", "qemu", 40.0, 0.9, expected_vectors=vectors))


# --- protocol (no tools) ---------------------------------------------------------------------

def test_protocol_all_pass_counts_instructions():
    r = _report("noise\nTC:BOOT board=x\nTC:VEC 0 PASS 100\nTC:VEC 1 PASS 102\n"
                "TC:LAYER 0 conv 1 60\nTC:DONE 2/2\n")
    assert r.ok and r.passed == 2
    assert r.instructions_per_inference == pytest.approx(101 * 40)
    assert r.layers[0].name == "conv 1" and r.layers[0].instructions == 60 * 40
    assert r.energy_uj_estimate == pytest.approx(101 * 40 * 0.9 / 1000)
    assert "estimate" in "\n".join(r.lines())


def test_protocol_mismatch_is_a_failure_with_the_device_output():
    r = _report("TC:VEC 0 PASS 100\nTC:VEC 1 FAIL 100\nTC:OUT 1 ff00\nTC:DONE 1/2\n")
    assert not r.ok and "1 of 2 golden vectors differ" in r.failure
    assert r.vectors[1].output == b"\xff\x00"


def test_protocol_without_done_is_a_failure():
    r = _report("TC:VEC 0 PASS 100\n")
    assert "without TC:DONE" in r.failure


def test_protocol_fault_is_reported_with_registers():
    r = _report("TC:VEC 0 PASS 1\nTC:FAULT exception=3 r0=0x1 pc=0x00000150\n")
    assert "faulted" in r.failure and "pc=0x00000150" in r.failure


# --- QEMU runs of the stand-in model -----------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    if shutil.which("arm-none-eabi-gcc") is None:
        pytest.skip("arm-none-eabi-gcc not installed")
    project = tiny_project(tmp_path_factory.mktemp("tiny") / "p", vectors=3).path
    return project


@requires_qemu
def test_tiny_firmware_passes_with_repeatable_counts(tiny_dir, run_cli):
    build(tiny_dir)
    first, second = simulate(tiny_dir, timeout=20), simulate(tiny_dir, timeout=20)
    assert first.ok and first.passed == 3
    assert [v.ticks for v in first.vectors] == [v.ticks for v in second.vectors]
    assert [l.name for l in first.layers] == ["add3", "negate"]
    result = run_cli("simulate", tiny_dir, "--json")
    assert result.exit_code == 0 and json.loads(result.output)["passed"] == 3


@requires_arm_gcc
@requires_qemu
def test_wrong_golden_vector_fails_and_exits_nonzero(tmp_path, run_cli):
    project = tiny_project(tmp_path / "p", vectors=3, wrong_vector=1).path
    build(project)
    report = simulate(project, timeout=20)
    assert [v.passed for v in report.vectors] == [True, False, True]
    assert report.vectors[1].output is not None
    result = run_cli("simulate", project)
    assert result.exit_code == 1 and "1 of 3 golden vectors differ" in result.output


@requires_qemu
def test_hanging_firmware_is_stopped_at_the_timeout(tiny_dir, run_cli):
    build(tiny_dir, extra_cflags="-DTC_TEST_HANG")
    report = simulate(tiny_dir, timeout=2)
    assert report.timed_out and "did not finish within 2 s" in report.failure
    result = run_cli("simulate", tiny_dir, "--timeout", "2")
    assert result.exit_code == 1 and "did not finish within 2 s" in result.output


@requires_qemu
def test_hardfault_is_reported_with_registers(tiny_dir, run_cli):
    build(tiny_dir, extra_cflags="-DTC_TEST_FAULT")
    report = simulate(tiny_dir, timeout=20)
    assert not report.timed_out and "faulted" in report.failure
    assert "pc=0x" in report.fault and "cfsr=0x00010000" in report.fault   # UNDEFINSTR
    result = run_cli("simulate", tiny_dir)
    assert result.exit_code == 1 and "TC:FAULT" not in result.output and "faulted" in result.output


@requires_qemu
def test_failed_assert_is_reported_as_a_fault(tiny_dir):
    """board/assert.c: assert() prints TC:FAULT and stops (no newlib stdio, malloc, _sbrk)."""
    build(tiny_dir, extra_cflags="-DTC_TEST_ASSERT=1")
    report = simulate(tiny_dir, timeout=20)
    assert not report.timed_out and "faulted" in report.failure
    assert report.fault.startswith("assert=TC_TEST_ASSERT == 0 at src/main.c:"), report.fault
    assert "_sbrk" not in (tiny_dir / "build" / "firmware.map").read_text()


def test_missing_qemu_says_how_to_install(tmp_path, monkeypatch):
    project = tiny_project(tmp_path / "p").path
    (project / "build").mkdir()
    (project / "build" / "firmware.elf").write_bytes(b"\x7fELF")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(TinyCompressError, match="apt-get install qemu-system-arm"):
        simulate(project)


def test_simulate_before_build_says_to_build(tmp_path):
    project = tiny_project(tmp_path / "p").path
    with pytest.raises(TinyCompressError, match="tinycompress build"):
        simulate(project)


# --- generated models ---------------------------------------------------------------------------

@requires_arm_gcc
@requires_qemu
def test_digits_model_runs_bit_exact_on_the_default_board(tiny_int8, tmp_path, run_cli):
    out = tmp_path / "fw"
    assert run_cli("firmware", tiny_int8[0], "--data", "digits", "--vectors", "4", "-o", out).exit_code == 0
    assert run_cli("build", out).exit_code == 0
    report = simulate(out, timeout=60)
    assert report.ok, report.failure
    assert report.passed == 4 and len(report.layers) == json.loads((out / "project.json").read_text())["layers"].__len__()
    assert report.instructions_per_inference > 0


@requires_arm_gcc
@requires_qemu
def test_dump_layers_matches_host_and_a_corrupt_layer_is_named(tiny_int8, tmp_path):
    from tinycompress.simulate.layerdiff import first_layer_difference
    from tinycompress.tflite_model import read_tflite
    out = tmp_path / "fw"
    from tinycompress.firmware.project import generate_project
    generate_project(tiny_int8[0], "mps2-an386", out, vectors=2, dump_layers=True)
    build(out)
    report = simulate(out, timeout=60)
    n_ops = len(read_tflite(tiny_int8[0]).operators)
    assert report.ok, report.failure
    assert len(report.dumps) == 2 * n_ops
    dumps = dict(report.dumps)
    key = (1, n_ops - 2)
    dumps[key] = bytes([dumps[key][0] ^ 0x01]) + dumps[key][1:]
    message = first_layer_difference(out, dumps)
    assert message.startswith(f"vector 1: first differing layer is {n_ops - 2} ")
    assert "1 of" in message and "[0] expected" in message


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@pytest.mark.parametrize("board", [b for b in BOARDS_LIST if b.qemu_machine], ids=lambda b: b.name)
def test_digits_model_passes_on_every_qemu_board(board, tiny_int8, tmp_path):
    from tinycompress.firmware.project import generate_project
    generate_project(tiny_int8[0], board.name, tmp_path / "fw", data="digits", vectors=3)
    build(tmp_path / "fw")
    report = simulate(tmp_path / "fw", timeout=120)
    assert report.ok, report.failure
    assert report.passed == 3


# M3 (portable path), M4, M7 and M33 (DSP paths)
BIT_EXACT_BOARDS = ["mps2-an385", "mps2-an386", "mps2-an500", "mps2-an505"]


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@requires_shared(BASELINE_MODELS)
@pytest.mark.parametrize("board", BIT_EXACT_BOARDS)
@pytest.mark.parametrize("model", ZOO_SHAPED, ids=lambda p: p.stem)
def test_zoo_shaped_models_run_bit_exact_on_m3_m4_m7_m33(model, board, tmp_path):
    from tinycompress.firmware.project import generate_project
    generate_project(model, board, tmp_path / "fw", vectors=3)
    build(tmp_path / "fw")
    report = simulate(tmp_path / "fw", timeout=300)
    assert report.ok, report.failure
    assert report.passed == 3


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@pytest.mark.parametrize("board", [b for b in BOARDS_LIST if b.qemu_machine], ids=lambda b: b.name)
def test_systick_counts_the_board_table_instructions_per_tick(board, tmp_path):
    iterations = 2_000_000                       # 2 instructions each
    project = tiny_project(tmp_path / "p", board=board.name, vectors=1).path
    build(project, extra_cflags=f"-DTC_TEST_CALIBRATE={iterations}u")
    report = simulate(project, timeout=60)
    ticks = int(next(line.split()[1] for line in report.uart.splitlines() if line.startswith("TC:CAL")))
    assert 2 * iterations / ticks == pytest.approx(board.insns_per_tick, rel=1e-3)

"""`flash`: probe command lines per board, missing tools, UART verdict (no hardware here)."""
import dataclasses
import json
import os
import shutil
import subprocess
import tty
from pathlib import Path

import pytest

from tinycompress import flash as flashing
from tinycompress.errors import TinyCompressError
from tinycompress.firmware.boards import BOARDS, BOARDS_LIST
from tinycompress.flash import flash, flash_command, read_uart

from conftest import requires_arm_gcc, requires_shared
from fwtiny import tiny_project
from tinycompress.shared import BASELINE_MODELS, shared_root


@pytest.fixture
def built(tmp_path):
    """A generated project with a stand-in ELF (flash never looks inside it)."""
    project = tmp_path / "fw board"                 # a space: command lines must keep one path
    tiny_project(project, board="netduinoplus2", vectors=2)
    (project / "build").mkdir()
    (project / "build" / "firmware.elf").write_bytes(b"\x7fELF" + bytes(60))
    return project


@pytest.mark.parametrize("board", [b for b in BOARDS_LIST if b.pyocd_target], ids=lambda b: b.name)
def test_pyocd_command_uses_the_boards_target(board, tmp_path):
    elf = tmp_path / "a b.elf"
    assert flash_command(board, elf, "pyocd") == ["pyocd", "flash", "-t", board.pyocd_target, str(elf)]
    assert flash_command(board, elf, "pyocd", uid="0672FF")[4:6] == ["-u", "0672FF"]


@pytest.mark.parametrize("board", [b for b in BOARDS_LIST if b.openocd], ids=lambda b: b.name)
def test_openocd_command_programs_verifies_and_resets(board, tmp_path):
    elf = tmp_path / "a b.elf"
    cmd = flash_command(board, elf, "openocd")
    interface, target = board.openocd
    assert cmd[:5] == ["openocd", "-f", interface, "-f", target]
    assert cmd[5:] == ["-c", f"program {{{elf}}} verify reset exit"]


def test_openocd_without_a_config_for_the_board_says_use_pyocd(tmp_path):
    with pytest.raises(TinyCompressError, match="no OpenOCD configuration for mps2-an386.*--probe pyocd"):
        flash_command(BOARDS["mps2-an386"], tmp_path / "x.elf", "openocd")


def test_board_without_pyocd_target_is_a_clear_error(tmp_path):
    board = dataclasses.replace(BOARDS["microbit"], pyocd_target=None)
    with pytest.raises(TinyCompressError, match="microbit has no pyOCD target.*--probe openocd"):
        flash_command(board, tmp_path / "x.elf", "pyocd")


def test_dry_run_reads_the_board_from_the_project(run_cli, built):
    result = run_cli("flash", built, "--probe", "openocd", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "target/stm32f4x.cfg" in result.stdout
    assert f"'program {{{built / 'build' / 'firmware.elf'}}} verify reset exit'" in result.stdout


@pytest.mark.parametrize("probe, hint", [("pyocd", "pip install pyocd"),
                                         ("openocd", "apt-get install openocd")])
def test_missing_probe_tool_says_how_to_install(run_cli, built, monkeypatch, probe, hint):
    import importlib.util
    real, real_spec = shutil.which, importlib.util.find_spec
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == probe
                        else real(name, *a, **k))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a, **k: None if name == probe
                        else real_spec(name, *a, **k))
    result = run_cli("flash", built, "--probe", probe)
    assert result.exit_code == 1
    assert f"{probe} not found" in result.stderr and hint in result.stderr


def test_unbuilt_project_and_wrong_board_are_named(tmp_path, built):
    project = tmp_path / "fresh"
    tiny_project(project, board="netduinoplus2", vectors=1)
    with pytest.raises(TinyCompressError, match="not built yet; run `tinycompress build"):
        flash(project, dry_run=True)
    with pytest.raises(TinyCompressError, match="built for netduinoplus2, not microbit"):
        flash(built, board="microbit", dry_run=True)
    with pytest.raises(TinyCompressError, match="give --board"):
        flash(built / "build" / "firmware.elf", dry_run=True)
    assert flash(built / "build" / "firmware.elf", board="microbit", dry_run=True).command[3] == \
        BOARDS["microbit"].pyocd_target


class FakePort:
    def __init__(self, text):
        self.lines = [line.encode() + b"\r\n" for line in text.splitlines()]
        self.closed = False

    def readline(self):
        return self.lines.pop(0) if self.lines else b""

    def reset_input_buffer(self):
        pass

    def close(self):
        self.closed = True


def test_uart_is_read_until_done_and_counts_cycles():
    port = FakePort("junk\nTC:BOOT board=x\nTC:LAYER 0 conv 120\nTC:VEC 0 PASS 500\n"
                    "TC:VEC 1 PASS 502\nTC:DONE 2/2\nTC:FAULT exception=3 after the exit\n")
    report = read_uart(port, BOARDS["netduinoplus2"], timeout=2, expected_vectors=2)
    assert report.ok and report.passed == 2 and report.fault is None   # stops at TC:DONE
    assert report.instructions_per_inference == 501                   # one tick = one cycle


def test_uart_mismatch_and_silence_are_failures():
    bad = read_uart(FakePort("TC:VEC 0 FAIL 5\nTC:OUT 0 00\nTC:DONE 0/1\n"), BOARDS["microbit"], 2)
    assert "1 of 1 golden vectors differ" in bad.failure
    silent = read_uart(FakePort(""), BOARDS["microbit"], timeout=0.3, expected_vectors=1)
    assert silent.timed_out and "did not finish" in silent.failure


def test_flash_runs_the_probe_then_reports_the_board_verdict(run_cli, built, monkeypatch):
    calls = []
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd) or
                        subprocess.CompletedProcess(cmd, 0, "Programming Finished\n", ""))
    port = FakePort("TC:VEC 0 PASS 10\nTC:VEC 1 FAIL 10\nTC:OUT 1 00\nTC:DONE 1/2\n")
    monkeypatch.setattr(flashing, "open_serial", lambda name, baud: port)
    result = run_cli("flash", built, "--probe", "openocd", "--port", "/dev/ttyFAKE", "--json")
    assert calls and calls[0][0] == "openocd"
    assert port.closed
    assert result.exit_code == 1 and "1 of 2 golden vectors differ" in result.stderr
    assert json.loads(result.stdout)["uart"]["passed"] == 1


def test_probe_failure_shows_the_tool_output(built, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(
        cmd, 1, "", "Error: open failed"))
    with pytest.raises(TinyCompressError, match="openocd failed.*Error: open failed"):
        flash(built, probe="openocd")


def test_without_a_probe_pyocd_itself_says_so_in_one_line(run_cli, built):
    pytest.importorskip("pyocd")
    result = run_cli("flash", built, "--verify", "--port", "/dev/null-never-opened-first")
    assert result.exit_code == 1
    # the port is opened before programming; with no such port that is the first complaint
    assert "cannot open the serial port" in result.stderr
    result = run_cli("flash", built)                 # pyOCD's own probe scan, no mock
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "pyOCD finds no debug probe" in result.stderr and "netduinoplus2" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_verify_needs_a_port(run_cli, built):
    result = run_cli("flash", built, "--verify")
    assert result.exit_code == 1 and "--verify reads the board's UART" in result.stderr


# --- the --verify reading path: real pyserial on a pseudo-terminal fed a recorded transcript ---

TRANSCRIPTS = Path(__file__).parent / "fixtures" / "uart"
DIGITS = shared_root() / BASELINE_MODELS / "digits_cnn.tflite"


@pytest.fixture
def pty_port():
    """(master fd, path of the slave side): the board's USB serial port, as the OS shows it."""
    pytest.importorskip("serial")
    master, slave = os.openpty()
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)


def test_uart_transcript_read_through_a_pty_with_pyserial(pty_port):
    master, path = pty_port
    port = flashing.open_serial(path, 115200)
    os.write(master, (TRANSCRIPTS / "nucleo-l4r5zi-digits-pass.txt").read_bytes())
    report = read_uart(port, BOARDS["nucleo-l4r5zi"], timeout=5, expected_vectors=3)
    port.close()
    assert report.ok and report.passed == 3 and [v.ticks for v in report.vectors] == [386] * 3
    assert len(report.layers) == 5 and report.layers[4].name == "StatefulPartitionedCall:0"


@requires_shared(BASELINE_MODELS, "digits_cnn.tflite")
def test_flash_verify_reports_expected_against_actual_from_the_board(run_cli, tmp_path, pty_port,
                                                                      monkeypatch):
    from tinycompress.simulate.golden import output_specs
    master, path = pty_port
    project = tmp_path / "fw"
    generate_project_for(project, "nucleo-l4r5zi")
    transcript = (TRANSCRIPTS / "nucleo-l4r5zi-digits-fail.txt").read_bytes()

    def program(board, elf, uid, command):      # no probe here: the "reset" makes the board print
        os.write(master, transcript)
        return "programmed"
    monkeypatch.setitem(flashing.PROBES, "pyocd",
                        dataclasses.replace(flashing.PROBES["pyocd"], program=program))
    result = run_cli("flash", project, "--verify", "--port", path, "--timeout", "5")
    assert result.exit_code == 1
    spec = output_specs(project)[0]
    value = (lambda q: (q - spec.zero_point) * spec.scale)
    detail = (f"output '{spec.name}': 1 of 10 bytes differ: [3] expected -121 got -128 "
              f"({value(-121):.4g} vs {value(-128):.4g})")
    assert f"vector 1 FAIL: {detail}" in result.stdout
    assert "2/3 golden vectors bit-exact on the board" in result.stdout
    assert f"1 of 3 golden vectors differ" in result.stderr and detail in result.stderr


def test_uart_without_pyserial_says_how_to_install(monkeypatch):
    import builtins
    real_import = builtins.__import__
    monkeypatch.setattr(builtins, "__import__", lambda name, *a, **k: (_ for _ in ()).throw(
        ImportError(name)) if name == "serial" else real_import(name, *a, **k))
    with pytest.raises(TinyCompressError, match="pip install pyserial"):
        flashing.open_serial("/dev/ttyACM0")


@requires_arm_gcc
@requires_shared(BASELINE_MODELS, "digits_cnn.tflite")
def test_flash_accuracy_flashes_each_batch_and_scores_it_like_simulate(run_cli, tmp_path, pty_port,
                                                                        monkeypatch):
    """Wiring of `flash --verify --accuracy`: the batch firmware is built for real and "flashed";
    the board's answer is a synthesized all-PASS transcript (no board here), so the device
    outputs are the golden ones and both accuracies must equal the host scorer's."""
    from tinycompress.data import load_dataset
    from tinycompress.tflite_eval import score
    master, path = pty_port
    project = tmp_path / "fw"
    generate_project_for(project, "nucleo-l4r5zi")
    flashed = []

    def program(board, elf, uid, command):
        flashed.append(Path(elf).parent.parent.name)
        n = json.loads((Path(elf).parent.parent / "project.json").read_text())["vectors"]
        lines = [f"TC:VEC {i} PASS 386" for i in range(n)] + [f"TC:DONE {n}/{n}"]
        os.write(master, ("\r\n".join(lines) + "\r\n").encode())
        return "programmed"
    monkeypatch.setitem(flashing.PROBES, "pyocd",
                        dataclasses.replace(flashing.PROBES["pyocd"], program=program))
    result = run_cli("flash", project, "--verify", "--port", path, "--timeout", "5",
                     "--accuracy", "20", "--data", "digits", "--json")
    assert result.exit_code == 0, result.output
    acc = json.loads(result.stdout)["accuracy"]
    digits = load_dataset("digits")
    host = score(DIGITS.read_bytes(), digits.x_test[:20], digits.y_test[:20]).accuracy
    assert flashed == ["fw", "batch0"] and acc["engine"] == "board"
    assert acc["device_accuracy"] == acc["host_accuracy"] == pytest.approx(host)


def generate_project_for(project, board):
    from tinycompress.firmware.project import generate_project
    generate_project(DIGITS, board, project, data="digits", vectors=3)
    (project / "build").mkdir()
    (project / "build" / "firmware.elf").write_bytes(b"\x7fELF" + bytes(60))

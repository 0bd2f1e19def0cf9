"""The board table: every row is complete and consistent, and its firmware builds."""
import json
import subprocess

import pytest

from tinycompress.csrc import ROOT
from tinycompress.errors import TinyCompressError
from tinycompress.firmware.boards import (BOARDS, BOARDS_LIST, CPU_LIST, CPUS, DEFAULT_BOARD,
                                         RENODE_UARTS, get_board)
from tinycompress.shared import BASELINE_MODELS, shared_root
from tinycompress.firmware.build import build

from conftest import requires_arm_gcc, requires_shared
from fwtiny import tiny_project


def test_board_table_has_the_required_boards_sorted():
    required = {"mps2-an385", "mps2-an386", "mps2-an500", "mps2-an505", "mps3-an547",
                "netduinoplus2", "microbit"}
    assert required <= set(BOARDS)
    assert [b.name for b in BOARDS_LIST] == sorted(BOARDS)
    assert DEFAULT_BOARD == "mps2-an386"
    assert BOARDS["microbit"].ram_size == 16 * 1024


@pytest.mark.parametrize("board", BOARDS_LIST, ids=lambda b: b.name)
def test_every_board_row_is_complete(board):
    assert board.cflags and any(f == f"-mcpu={board.core}" for f in board.cflags)
    assert f"-mfloat-abi={board.cpu_row.float_abi}" in board.cflags
    assert all((ROOT / "boards" / name).is_file() for name in board.sources)
    assert board.verified and (board.uart in RENODE_UARTS or not board.renode_platform)
    assert board.flash_size > 0 and board.ram_size > board.stack_size
    flash = range(board.flash_origin, board.flash_origin + board.flash_size)
    assert board.ram_origin not in flash and board.uart_base not in flash
    assert board.energy_nj_per_cycle > 0 and board.energy_source
    assert board.insns_per_tick == pytest.approx(1e9 / board.tick_hz)


def test_cpu_table_is_sorted_and_every_board_names_a_row():
    assert [c.name for c in CPU_LIST] == sorted(CPUS)
    assert {b.cpu for b in BOARDS_LIST} <= set(CPUS)


@requires_arm_gcc
@pytest.mark.parametrize("cpu", CPU_LIST, ids=lambda c: c.name)
def test_cpu_row_facts_match_what_the_compiler_defines(cpu, tmp_path):
    """DSP and float ABI as the cross compiler sees them with the row's own flags."""
    src = tmp_path / "empty.c"
    src.write_text("")
    macros = subprocess.run(["arm-none-eabi-gcc", *cpu.cflags, "-dM", "-E", str(src)], check=True,
                            capture_output=True, text=True).stdout
    assert ("__ARM_FEATURE_DSP 1" in macros) == cpu.dsp
    assert ("__ARM_PCS_VFP 1" in macros) == (cpu.float_abi == "hard")
    assert cpu.tflm_arch.split("+")[0] == cpu.core


def test_unknown_board_names_the_known_ones():
    with pytest.raises(TinyCompressError, match="mps2-an386"):
        get_board("arduino-uno")


def test_boards_command_lists_every_board(run_cli):
    result = run_cli("boards")
    assert result.exit_code == 0
    for name in BOARDS:
        assert name in result.output
    assert "estimate" in result.output
    rows = json.loads(run_cli("boards", "--json").output)
    assert {r["name"] for r in rows} == set(BOARDS)
    assert all(r["energy_source"] for r in rows)


def test_linker_script_comes_from_the_board_row(tmp_path):
    board = BOARDS["netduinoplus2"]
    tiny_project(tmp_path / "p", board=board.name)
    script = (tmp_path / "p" / "board" / "linker.ld").read_text()
    assert f"ORIGIN = 0x{board.flash_origin:08X}, LENGTH = 0x{board.flash_size:X}" in script
    assert f"ORIGIN = 0x{board.ram_origin:08X}, LENGTH = 0x{board.ram_size:X}" in script
    makefile = (tmp_path / "p" / "Makefile").read_text()
    assert " ".join(board.cflags) in makefile and f"0x{board.uart_base:08X}" in makefile


@requires_arm_gcc
@pytest.mark.parametrize("board", BOARDS_LIST, ids=lambda b: b.name)
def test_board_code_builds_for_every_board(board, tmp_path):
    report = build(tiny_project(tmp_path / "p", board=board.name).path)
    assert report.elf.is_file()
    assert 0 < report.flash_used < board.flash_size
    assert board.stack_size <= report.ram_used < board.ram_size


REAL_BOARDS = [b for b in BOARDS_LIST if b.init]


def test_real_boards_are_the_ones_people_own():
    names = {b.name for b in REAL_BOARDS}
    assert {"nucleo-l4r5zi", "nucleo-h743zi", "nrf52840-dk", "nucleo-g071rb"} <= names
    assert {b.core for b in REAL_BOARDS} >= {"cortex-m0plus", "cortex-m4", "cortex-m7"}
    for board in REAL_BOARDS:     # a flash probe for each, and no semihosting BKPT on a desk
        assert board.pyocd_target and board.openocd and not board.semihosting


def test_uart_divisor_defines_follow_the_kernel_clock():
    l4 = dict(d.split("=") for d in BOARDS["nucleo-l4r5zi"].c_defines)
    assert l4 == {"TC_UART_CLOCK_HZ": "4000000u", "TC_UART_BAUD": "115200u", "TC_UART_LPUART": "1"}
    assert "TC_UART_TX_PIN=6u" in BOARDS["nrf52840-dk"].c_defines
    assert BOARDS["mps2-an386"].c_defines == ()


@requires_arm_gcc
@requires_shared(BASELINE_MODELS, "digits_cnn.tflite")
@pytest.mark.parametrize("board", [pytest.param(b, marks=() if b.name == "nucleo-l4r5zi" else
                                                pytest.mark.slow) for b in REAL_BOARDS],
                         ids=lambda b: b.name)
def test_real_board_builds_the_digits_firmware_and_fits(board, tmp_path):
    """Every real board under -m slow; the MLPerf Tiny reference board in the default suite."""
    from tinycompress.firmware.project import generate_project
    out = tmp_path / "fw"
    generate_project(shared_root() / BASELINE_MODELS / "digits_cnn.tflite", board.name, out,
                     data="digits", vectors=4)
    report = build(out)
    assert 0 < report.flash_used < board.flash_size and report.ram_used < board.ram_size
    makefile = (out / "Makefile").read_text()
    assert all(f"-D{d}" in makefile for d in board.c_defines)
    assert {p.name for p in (out / "board").iterdir()} >= set(board.sources)

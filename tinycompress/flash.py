"""Flash a built firmware project onto a real board with pyOCD or OpenOCD, then (optionally)
read the board's UART and parse the same TC: line protocol that `simulate` reads.

pyOCD is driven through its Python API (ConnectHelper, FileProgrammer) with the target name
from the boards table, so "no probe attached" and "target not installed" are answered by pyOCD
itself; `--dry-run` prints the equivalent `pyocd flash -t <pyocd_target> ELF`. OpenOCD runs as
a command with the interface and target scripts from the board row (program + verify + reset).
Nothing here was run against hardware in this project's CI: the probe-less answers, the command
lines and the UART reading (through a pseudo-terminal and real pyserial) are tested.

On hardware SysTick counts core clock cycles, so the UART report gives cycles (not QEMU's
instruction counts). The generated firmware ends with a semihosting exit for the emulator;
with no debugger attached a real core faults on it *after* TC:DONE, so reading stops at TC:DONE.
"""
from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import TinyCompressError
from .firmware.boards import Board, get_board

PYSERIAL_HINT = "install it with `pip install pyserial` (or `pip install tinycompress[flash]`)"
DEFAULT_BAUD = 115200
UART_TIMEOUT = 30.0       # seconds to wait for TC:DONE after the reset


def _pyocd_command(board: Board, elf: Path, uid: str | None) -> list:
    if not board.pyocd_target:
        raise TinyCompressError(f"{board.name} has no pyOCD target in the boards table; flash it "
                                "with --probe openocd or the vendor's tool")
    return ["pyocd", "flash", "-t", board.pyocd_target] + (["-u", uid] if uid else []) + [str(elf)]


def _openocd_command(board: Board, elf: Path, uid: str | None) -> list:
    if not board.openocd:
        from .firmware.boards import BOARDS_LIST
        known = ", ".join(b.name for b in BOARDS_LIST if b.openocd)
        raise TinyCompressError(f"no OpenOCD configuration for {board.name} (OpenOCD configs exist "
                                f"for {known}); use --probe pyocd")
    interface, target = board.openocd
    serial = ["-c", f"adapter serial {uid}"] if uid else []
    # braces: a Tcl word, so a path with spaces stays one argument
    return (["openocd", "-f", interface] + serial + ["-f", target,
            "-c", f"program {{{elf}}} verify reset exit"])


def _pyocd_program(board: Board, elf: Path, uid: str | None, command: list) -> str:
    """Program and reset through pyOCD's API; one-line errors for what a user can fix."""
    import importlib.util
    if importlib.util.find_spec("pyocd") is None:
        raise TinyCompressError(f"pyocd not found (needed for --probe pyocd): {PROBES['pyocd'].install}")
    from pyocd.core.exceptions import Error as PyOCDError
    from pyocd.core.helpers import ConnectHelper
    from pyocd.flash.file_programmer import FileProgrammer

    probes = ConnectHelper.get_all_connected_probes(blocking=False, unique_id=uid,
                                                    print_wait_message=False)
    if not probes:
        raise TinyCompressError(
            f"{elf}: pyOCD finds no debug probe{f' with serial {uid}' if uid else ''}: connect "
            f"{board.name}'s debug USB port (its on-board ST-LINK, J-Link or CMSIS-DAP), check "
            "the cable and the udev rules (`pyocd list` shows the probes pyOCD sees)")
    if len(probes) > 1:
        ids = ", ".join(p.unique_id for p in probes)
        raise TinyCompressError(f"{elf}: {len(probes)} debug probes attached ({ids}); choose one "
                                "with --uid")
    try:
        session = ConnectHelper.session_with_chosen_probe(
            blocking=False, unique_id=probes[0].unique_id, options={
                "target_override": board.pyocd_target, "frequency": 4_000_000})
        with session:
            FileProgrammer(session).program(str(elf))
            session.target.reset()
    except PyOCDError as exc:
        hint = (f"install the target with `pyocd pack install {board.pyocd_target}`"
                if "not recognized" in str(exc) else "check the probe's USB connection and the "
                "board's power")
        raise TinyCompressError(f"{elf}: pyocd failed: {exc}; {hint}") from None
    return f"programmed with pyOCD through probe {probes[0].unique_id}"


def _openocd_program(board: Board, elf: Path, uid: str | None, command: list) -> str:
    if shutil.which("openocd") is None:
        raise TinyCompressError(f"openocd not found (needed for --probe openocd): "
                                f"{PROBES['openocd'].install}")
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        raise TinyCompressError(f"{elf}: openocd did not finish in 300 s") from None
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        tail = " | ".join(output.strip().splitlines()[-4:])
        raise TinyCompressError(f"{elf}: openocd failed (exit {proc.returncode}): {tail}; "
                                "check the probe's USB connection and the board's power")
    return output


@dataclass(frozen=True)
class Probe:
    tool: str
    install: str
    command: Callable          # (Board, elf, uid) -> argv (pyocd: the equivalent command line)
    program: Callable          # (Board, elf, uid, argv) -> the tool's output; raises on failure


PROBES = {
    "pyocd": Probe("pyocd", "install it with `pip install pyocd` (or `pip install "
                            "tinycompress[flash]`)", _pyocd_command, _pyocd_program),
    "openocd": Probe("openocd", "install it with `sudo apt-get install openocd` (Debian/Ubuntu)",
                     _openocd_command, _openocd_program),
}


@dataclass
class FlashReport:
    board: str
    probe: str
    elf: str
    command: list
    output: str = ""
    uart: object = None                    # SimReport when the UART was read

    def as_dict(self) -> dict:
        d = {"board": self.board, "probe": self.probe, "elf": self.elf, "command": self.command}
        if self.uart is not None:
            u = self.uart
            d["uart"] = {"ok": u.ok, "failure": u.failure, "passed": u.passed,
                         "total": len(u.vectors),
                         "details": {v.index: v.detail for v in u.vectors if v.detail},
                         "cycles": [v.ticks for v in u.vectors],
                         "layers": [{"index": l.index, "name": l.name, "cycles": l.ticks}
                                    for l in u.layers], "fault": u.fault}
        return d

    def lines(self) -> list:
        out = [f"flashed {self.elf} to {self.board} with {self.probe}"]
        u = self.uart
        if u is not None and u.vectors:
            mean = sum(v.ticks for v in u.vectors) / len(u.vectors)
            out.append(f"{u.passed}/{len(u.vectors)} golden vectors bit-exact on the board; "
                       f"{mean:,.0f} SysTick ticks (core clock cycles) per inference")
            out += [f"  {l.index:>3} {l.name:<40} {l.ticks:>12,} cycles" for l in u.layers]
            out += [f"  vector {v.index} FAIL: {v.detail}" for v in u.vectors if v.detail]
        return out


def resolve_target(path, board: str | None = None) -> tuple:
    """(Board, ELF path) from a project folder (its project.json names the board) or an ELF."""
    path = Path(path)
    if path.is_dir():
        from .firmware.project import load_project
        meta = load_project(path)
        if board and board != meta["board"]:
            raise TinyCompressError(f"{path}: the project was built for {meta['board']}, not "
                                    f"{board}; generate one with `tinycompress firmware ... "
                                    f"--board {board}`")
        elf = path / "build" / "firmware.elf"
        if not elf.is_file():
            raise TinyCompressError(f"{elf}: not built yet; run `tinycompress build {path}` first")
        return get_board(meta["board"]), elf
    if path.is_file():
        if not board:
            raise TinyCompressError(f"{path}: give --board for a bare ELF file (or pass the "
                                    "project folder)")
        if path.read_bytes()[:4] != b"\x7fELF":
            raise TinyCompressError(f"{path}: not an ELF file; pass the project folder or its "
                                    "build/firmware.elf")
        return get_board(board), path
    raise TinyCompressError(f"{path}: no such project folder or ELF file")


def flash_command(board: Board, elf, probe: str = "pyocd", uid: str | None = None) -> list:
    """The command line that programs `elf` onto `board` with `probe` (nothing is run)."""
    if probe not in PROBES:
        raise TinyCompressError(f"unknown probe {probe!r}; choose one of {', '.join(PROBES)}")
    return PROBES[probe].command(board, Path(elf), uid)


def open_serial(port: str, baud: int = DEFAULT_BAUD):
    try:
        import serial  # pyserial
    except ImportError:
        raise TinyCompressError(f"reading the UART on {port} needs pyserial: {PYSERIAL_HINT}") from None
    try:
        return serial.Serial(port, baud, timeout=0.5)
    except (serial.SerialException, OSError) as exc:
        raise TinyCompressError(f"{port}: cannot open the serial port ({exc}); check the cable "
                                "and the port name (e.g. /dev/ttyACM0), and that you may use it "
                                "(the dialout group)") from None


def read_uart(port, board: Board, timeout: float = UART_TIMEOUT, expected_vectors: int = 0,
              project_dir=None):
    """Read protocol lines from an open serial port until TC:DONE, TC:FAULT or `timeout`;
    the same parser and golden check as `simulate` (with the project: dequantized values)."""
    from .simulate.protocol import SimReport, parse_uart
    report = SimReport(board=board.name, engine="board", insns_per_tick=1.0,
                       energy_nj_per_cycle=board.energy_nj_per_cycle,
                       expected_vectors=expected_vectors, timeout=timeout)
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = port.readline()
        if not raw:
            continue
        line = raw.decode("utf-8", "replace").strip()
        lines.append(line)
        if line.startswith("TC:DONE") or line.startswith("TC:FAULT"):
            break
    else:
        report.timed_out = True
    parse_uart("\n".join(lines), report, project_dir)
    if not expected_vectors and report.done:     # a bare ELF: trust the firmware's own count
        report.expected_vectors = report.done[1]
    return report


def flash(path, probe: str = "pyocd", board: str | None = None, uid: str | None = None,
          port: str | None = None, baud: int = DEFAULT_BAUD, timeout: float = UART_TIMEOUT,
          dry_run: bool = False) -> FlashReport:
    """Program the project's ELF onto the board; with `port`, read the golden-vector verdict."""
    board_row, elf = resolve_target(path, board)
    cmd = flash_command(board_row, elf, probe, uid)
    report = FlashReport(board_row.name, probe, str(elf), cmd)
    if dry_run:
        return report
    serial_port = open_serial(port, baud) if port else None   # open before the reset
    try:
        if serial_port is not None:
            serial_port.reset_input_buffer()
        report.output = PROBES[probe].program(board_row, elf, uid, cmd)
        if serial_port is not None:
            expected = _expected_vectors(path)
            report.uart = read_uart(serial_port, board_row, timeout, expected,
                                    project_dir=path if Path(path).is_dir() else None)
    finally:
        if serial_port is not None:
            serial_port.close()
    return report


def _expected_vectors(path) -> int:
    path = Path(path)
    if path.is_dir():
        from .firmware.project import load_project
        return int(load_project(path).get("vectors", 0))
    return 0

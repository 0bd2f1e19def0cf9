"""Run a built firmware project in Renode and read its verdict from the UART.

The project carries renode/<board>.repl (rendered from the board table; `PerformanceInMips:
1000` makes one instruction one virtual nanosecond, as QEMU's -icount shift=0, so SysTick
counts agree with QEMU's) and test.robot for `renode-test`. Here a run.resc is rendered into
build/ and Renode is driven through its monitor on standard input: the console UART is copied
to a file, read with the same protocol parser as QEMU's output until TC:DONE or TC:FAULT
(Renode ignores the semihosting exit, so the firmware would otherwise idle for ever), then
`quit` is sent and the process group is ended (the `renode` launcher leaves `mono` behind).
A command of the script that fails (a platform or ELF that does not load) ends the run at
once with Renode's own error line.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

from ..ctext import render_to
from ..deploy import FirmwareSection
from ..errors import TinyCompressError
from ..firmware.boards import get_board
from ..firmware.build import require_tool
from ..firmware.project import csrc_root, load_project
from .protocol import SimReport, parse_uart

INSTALL_HINT = ("Renode is not on PyPI or Debian: install it from https://renode.io "
                "(e.g. the renode_*.deb or the portable package) and put `renode` on PATH")
# Renode 1.15.x sets the APSR.GE flags of SSUB8/SADD8 wrongly, so SEL (the runtime's SIMD max
# on cores with the DSP extension) gives wrong bytes; fixed in tlib for 1.16.0.
DSP_MIN_VERSION = (1, 16, 0)
DSP_VERSION_HINT = ("this is Renode {found}: unpatched releases before 1.16.0 compute SSUB8+SEL "
                    "(the DSP max used on {cpu}) wrongly; if you see a difference that QEMU "
                    "does not show, use Renode >= 1.16.0 or a 1.15.3 build with the tlib "
                    "GE-flags fix (as in ../shared/renode)")
# Renode CPU types no Renode release runs our firmware on, and why (measured with 1.15.3).
UNUSABLE_CPU_TYPES = {
    "cortex-m55": "Renode has no working Cortex-M55: 1.15 has no cortex-m55 CPU type, and up to "
                  "1.16.1 it mis-executes ASRL and CINC, which gcc emits for -mcpu=cortex-m55",
}

_VERSION = re.compile(r"Renode, version (\d+)\.(\d+)\.(\d+)")
_COMMAND_ERROR = "There was an error executing command"
QUIT_GRACE_S = 5.0


class RenodeMonitor:
    """A `renode --console` process in its own process group, fed monitor commands on stdin.

    Its output is collected by a thread so that a failing command is seen while the machine
    runs. Use as a context manager: leaving it sends `quit` and then ends the whole group.
    """

    def __init__(self, renode: str, script: Path):
        self.lines: list = []
        self.proc = subprocess.Popen(
            [renode, "--disable-xwt", "--console", "--plain", "-e", f"include @{script}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.append(raw.decode("utf-8", "replace").rstrip())

    @property
    def version(self) -> tuple | None:
        for line in self.lines[:20]:
            if m := _VERSION.search(line):
                return tuple(int(g) for g in m.groups())
        return None

    def command_error(self) -> str | None:
        """'`command`: Renode's error line' for the first script command that failed."""
        lines = list(self.lines)
        for i, line in enumerate(lines):
            if line.startswith(_COMMAND_ERROR):
                # Renode's message, up to a blank line or the next prompt, at most 3 lines
                # ("Error E38: Exception was thrown during construction of 'cpu':", "Unknown CPU type").
                detail = []
                for follow in lines[i + 1:]:
                    if not follow.strip() or follow.startswith("(") or len(detail) == 3:
                        break
                    detail.append(follow.strip())
                ended = (len(detail) == 3 or len(lines) > i + len(detail) + 1
                         or self.proc.poll() is not None)
                if not ended:
                    return None            # the message has not all arrived yet
                command = line[len(_COMMAND_ERROR):].strip(" '")
                return f"`{command}` failed: {' '.join(detail) or 'no detail'}"
        return None

    def tail(self, n: int = 5) -> str:
        return " | ".join(l for l in self.lines[-n:] if l.strip())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.flush()
                self.proc.wait(QUIT_GRACE_S)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)     # mono, whatever the launcher left
        except ProcessLookupError:
            pass
        self.proc.wait()
        self._reader.join(QUIT_GRACE_S)
        self.proc.stdin.close()
        self.proc.stdout.close()


def renode_unsupported(board) -> str | None:
    """Why Renode cannot run firmware for `board`, or None when it can."""
    cpu_type = board.cpu_row.renode_cpu
    if not board.renode_platform or cpu_type is None:
        return f"no Renode platform for {board.name} in the board table yet"
    return UNUSABLE_CPU_TYPES.get(cpu_type)


def simulate(project_dir, timeout: float = FirmwareSection.timeout) -> SimReport:

    """Run the project's build/firmware.elf on its board's Renode platform.

    `timeout` counts from Renode's start (its start-up takes seconds). Raises for what the
    user must fix (no platform, not built, a platform or ELF Renode cannot load); returns the
    parsed report otherwise, whose `failure` says what went wrong.
    """
    project_dir = Path(project_dir).resolve()
    meta = load_project(project_dir)
    board = get_board(meta["board"])
    if why := renode_unsupported(board):
        raise TinyCompressError(f"{project_dir}: {why}; use `simulate --engine qemu`")
    repl = project_dir / "renode" / board.renode_platform
    if not repl.is_file():
        raise TinyCompressError(f"{project_dir}: no Renode platform for {board.name}; regenerate the project")
    elf = project_dir / "build" / "firmware.elf"
    if not elf.is_file():
        raise TinyCompressError(f"{elf}: not built yet; run `tinycompress build {project_dir}` first")
    renode = require_tool("renode", "the Renode emulator", INSTALL_HINT)

    uart_log = project_dir / "build" / "renode-uart.log"
    uart_log.unlink(missing_ok=True)
    script = project_dir / "build" / "run.resc"
    render_to(csrc_root() / "boards" / "renode" / "run.resc.tmpl", script,
              board=board.name, repl=repl, elf=elf, uart_log=uart_log)
    report = SimReport(board=board.name, engine="renode", insns_per_tick=board.insns_per_tick,
                       energy_nj_per_cycle=board.energy_nj_per_cycle,
                       expected_vectors=int(meta["vectors"]), timeout=timeout)
    deadline = time.monotonic() + timeout
    with RenodeMonitor(renode, script) as monitor:
        text = _wait_for_end(monitor, uart_log, deadline, report)
        version = monitor.version
        report.exit_code = monitor.proc.poll()
    parse_uart(text, report, project_dir)
    if meta.get("dump_layers") and report.dumps and not report.fault:
        from .layerdiff import first_layer_difference
        report.layer_diff = first_layer_difference(project_dir, report.dumps)
    mismatch = any(not v.passed for v in report.vectors)
    if mismatch and version and version < DSP_MIN_VERSION and board.cpu_row.dsp:
        report.note = DSP_VERSION_HINT.format(found=".".join(map(str, version)), cpu=board.cpu)
    return report


def _wait_for_end(monitor: RenodeMonitor, uart_log: Path, deadline: float, report: SimReport) -> str:
    """The UART text once the firmware printed its last line (or Renode stopped, or time ran out)."""
    while True:
        text = uart_log.read_text(errors="replace") if uart_log.exists() else ""
        if re.search(r"TC:(DONE \d+/\d+|FAULT.*)\r?\n", text):
            return text
        if error := monitor.command_error():
            raise TinyCompressError(f"Renode could not run {report.board}: {error}")
        if monitor.proc.poll() is not None:
            raise TinyCompressError(f"Renode stopped before the firmware finished (exit "
                                    f"{monitor.proc.returncode}): {monitor.tail()}")
        if time.monotonic() > deadline:
            report.timed_out = True
            return text
        time.sleep(0.05)

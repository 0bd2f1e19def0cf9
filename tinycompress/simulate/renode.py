"""Run a built firmware project in Renode (for users who have it; Renode is on no package
registry, so this environment cannot run it and its tests skip).

The project carries renode/<board>.repl (rendered from the board table) and test.robot for
`renode-test`. Here a run.resc is rendered next to them; Renode copies the console UART to a
file, which is read with the same protocol parser as QEMU's output until TC:DONE or TC:FAULT
or the timeout.
"""
from __future__ import annotations

import subprocess
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


def simulate(project_dir, timeout: float = FirmwareSection.timeout) -> SimReport:
    project_dir = Path(project_dir).resolve()
    meta = load_project(project_dir)
    board = get_board(meta["board"])
    repl = project_dir / "renode" / (board.renode_platform or "")
    if not board.renode_platform or not repl.is_file():
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
    proc = subprocess.Popen([renode, "--disable-xwt", "--console", "--plain", "-e",
                             f"include @{script}"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    text = ""
    try:
        while True:
            text = uart_log.read_text(errors="replace") if uart_log.exists() else ""
            if "TC:DONE" in text or "TC:FAULT" in text:
                time.sleep(0.2)    # let the rest of the line arrive
                text = uart_log.read_text(errors="replace")
                break
            if proc.poll() is not None:
                break
            if time.monotonic() > deadline:
                report.timed_out = True
                break
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    report.exit_code = proc.returncode
    return parse_uart(text, report)

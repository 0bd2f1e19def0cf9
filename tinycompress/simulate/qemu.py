"""Run a built firmware project in QEMU and read its verdict from the UART.

`qemu-system-arm -M <machine> -icount shift=0`: virtual time advances 1 ns per instruction,
so the firmware's SysTick counts are repeatable instruction counts. The firmware ends the run
with semihosting SYS_EXIT; a firmware that never does is stopped at the timeout.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from ..deploy import FirmwareSection
from ..errors import TinyCompressError
from ..firmware.boards import get_board
from ..firmware.build import require_tool
from ..firmware.project import load_project
from .protocol import SimReport, parse_uart

INSTALL_HINT = ("install it with `sudo apt-get install qemu-system-arm` (Debian/Ubuntu) "
                "or `make toolchain`")


def qemu_command(machine: str, elf: Path) -> list:
    return ["qemu-system-arm", "-M", machine, "-icount", "shift=0,align=off,sleep=off",
            "-nographic", "-monitor", "none", "-serial", "stdio",
            "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)]


def simulate(project_dir, timeout: float = FirmwareSection.timeout) -> SimReport:
    """Run the project's build/firmware.elf on its board's QEMU machine.

    Returns the parsed report; `report.failure` says what went wrong (a mismatch, a fault,
    a hang stopped at `timeout`). With a --dump-layers project, each layer's device output
    is diffed against the host TFLM interpreter's tensors (`report.layer_diff`).
    """
    project_dir = Path(project_dir)
    meta = load_project(project_dir)
    board = get_board(meta["board"])
    if board.qemu_machine is None:
        raise TinyCompressError(f"QEMU has no model of {board.name}; run it with "
                                "`simulate --engine renode` or on the board itself")
    elf = project_dir / "build" / "firmware.elf"
    if not elf.is_file():
        raise TinyCompressError(f"{elf}: not built yet; run `tinycompress build {project_dir}` first")
    require_tool("qemu-system-arm", "the Arm system emulator", INSTALL_HINT)

    report = SimReport(board=board.name, engine="qemu", insns_per_tick=board.insns_per_tick,
                       energy_nj_per_cycle=board.energy_nj_per_cycle,
                       expected_vectors=int(meta["vectors"]), timeout=timeout)
    proc = subprocess.Popen(qemu_command(board.qemu_machine, elf), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        report.timed_out = True
    report.exit_code = proc.returncode
    parse_uart(out.decode("utf-8", "replace"), report, project_dir)
    if meta.get("dump_layers") and report.dumps and not report.fault:
        from .layerdiff import first_layer_difference
        report.layer_diff = first_layer_difference(project_dir, report.dumps)
    return report

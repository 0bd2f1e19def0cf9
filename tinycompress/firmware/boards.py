"""The boards tinycompress builds firmware for: one table of frozen rows, sorted by name.

Memory maps and UART addresses are those of the machines QEMU models (hw/arm/mps2.c,
hw/arm/mps2-tz.c, hw/arm/stm32f405_soc.c, hw/arm/nrf51_soc.c), which match the real parts
where a real part exists. MPS2/MPS3 boards are FPGA images: "flash" is the code SSRAM/TCM
that the image boots from.

Timing: under `qemu-system-arm -icount shift=0` every instruction advances virtual time by
1 ns, and SysTick counts the processor clock QEMU gives the machine (`tick_hz`), so one
tick is 1e9 / tick_hz instructions (40 on mps2-an386, measured; see tests/test_simulate.py
for the calibration that checks each board).

Energy: `energy_nj_per_cycle` is an ESTIMATE for a silicon part with the same core, from
the typical run current in its datasheet (current x supply voltage / clock), code running
from flash, peripherals off. Each row's `energy_source` says which part and figure.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import TinyCompressError

KiB = 1024
MiB = 1024 * 1024

# Compiler flags per (cpu, fpu). The runtime's int8 kernels use no floating point; the FPU
# flags select the matching newlib multilib and let the compiler use the core's features.
CPU_FLAGS = {
    ("cortex-m0", None): ("-mcpu=cortex-m0", "-mthumb", "-mfloat-abi=soft"),
    ("cortex-m0plus", None): ("-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"),
    ("cortex-m3", None): ("-mcpu=cortex-m3", "-mthumb", "-mfloat-abi=soft"),
    ("cortex-m4", None): ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft"),
    ("cortex-m4", "fpv4-sp-d16"): ("-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"),
    ("cortex-m7", "fpv5-d16"): ("-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard"),
    ("cortex-m33", "fpv5-sp-d16"): ("-mcpu=cortex-m33", "-mthumb", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard"),
    ("cortex-m55", "mve-fp"): ("-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"),
}

UART_KINDS = {  # UART kind -> driver source in firmware/boards/
    "cmsdk": "uart_cmsdk.c",
    "stm32-usart": "uart_stm32.c",
    "nrf51-uart": "uart_nrf51.c",
}

TICK_SOURCES = {"systick": "tick_systick.c"}

# Renode models used by the platform file rendered from firmware/boards/renode/platform.repl.tmpl.
RENODE_CPU_TYPES = {
    ("cortex-m0", None): "cortex-m0", ("cortex-m0plus", None): "cortex-m0+",
    ("cortex-m3", None): "cortex-m3", ("cortex-m4", None): "cortex-m4",
    ("cortex-m4", "fpv4-sp-d16"): "cortex-m4f", ("cortex-m7", "fpv5-d16"): "cortex-m7",
    ("cortex-m33", "fpv5-sp-d16"): "cortex-m33", ("cortex-m55", "mve-fp"): "cortex-m55",
}
RENODE_UARTS = {  # UART kind -> (Renode peripheral, extra lines for its block)
    "cmsdk": ("UART.CMSDK_APB_UART", ""),
    "stm32-usart": ("UART.STM32_UART", ""),
    "nrf51-uart": ("UART.NRF52840_UART", "    easyDMA: false"),   # the nRF51 UART register set
}


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    cpu: str
    fpu: str | None
    flash_origin: int
    flash_size: int
    ram_origin: int
    ram_size: int
    uart: str                      # key of UART_KINDS
    uart_base: int
    tick: str                      # key of TICK_SOURCES
    tick_hz: int                   # SysTick (processor) clock as QEMU models it
    qemu_machine: str | None       # `qemu-system-arm -M`; None when QEMU has no model
    renode_platform: str | None    # platform file rendered into a project's renode/ folder
    pyocd_target: str | None       # `pyocd flash -t`
    energy_nj_per_cycle: float     # estimate, see energy_source
    energy_source: str
    stack_size: int = 4 * KiB
    semihosting: bool = True       # the emulator can end the run through SYS_EXIT
    qemu_extra: tuple = field(default=())

    @property
    def cflags(self) -> tuple:
        return CPU_FLAGS[(self.cpu, self.fpu)]

    @property
    def insns_per_tick(self) -> float:
        """Instructions per SysTick tick under QEMU -icount shift=0 (1 ns per instruction)."""
        return 1e9 / self.tick_hz

    @property
    def uart_source(self) -> str:
        return UART_KINDS[self.uart]

    @property
    def tick_source(self) -> str:
        return TICK_SOURCES[self.tick]

    def as_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "cpu": self.cpu,
                "fpu": self.fpu, "flash_origin": self.flash_origin, "flash_size": self.flash_size,
                "ram_origin": self.ram_origin, "ram_size": self.ram_size, "uart": self.uart,
                "uart_base": self.uart_base, "tick": self.tick, "tick_hz": self.tick_hz,
                "insns_per_tick": self.insns_per_tick, "qemu_machine": self.qemu_machine,
                "renode_platform": self.renode_platform, "pyocd_target": self.pyocd_target,
                "energy_nj_per_cycle_estimate": self.energy_nj_per_cycle,
                "energy_source": self.energy_source, "cflags": list(self.cflags),
                "stack_size": self.stack_size}


_STM32F405_ENERGY = ("STM32F405 datasheet: about 46 mA typical at 168 MHz, 3.3 V, code from "
                     "flash, peripherals off -> 0.9 nJ/cycle")

BOARDS_LIST = (
    Board("microbit", "BBC micro:bit v1, nRF51822 (Cortex-M0, 16 MHz; no SysTick on the "
          "real chip: tick counts read 0 there, QEMU emulates one)",
          "cortex-m0", None, 0x00000000, 256 * KiB, 0x20000000, 16 * KiB,
          "nrf51-uart", 0x40002000, "systick", 16_000_000,
          "microbit", "microbit.repl", "nrf51",
          0.83, "nRF51822 product specification: 4.4 mA run from flash at 16 MHz, 3 V "
                "-> 0.83 nJ/cycle", stack_size=1536),
    Board("mps2-an385", "Arm MPS2+ FPGA, AN385 image (Cortex-M3, 25 MHz)",
          "cortex-m3", None, 0x00000000, 4 * MiB, 0x20000000, 4 * MiB,
          "cmsdk", 0x40004000, "systick", 25_000_000,
          "mps2-an385", "mps2-an385.repl", "cortex_m",
          1.24, "FPGA board; figure for an STM32F103 (Cortex-M3): about 27 mA at 72 MHz, "
                "3.3 V, peripherals off -> 1.24 nJ/cycle"),
    Board("mps2-an386", "Arm MPS2+ FPGA, AN386 image (Cortex-M4F, 25 MHz)",
          "cortex-m4", "fpv4-sp-d16", 0x00000000, 4 * MiB, 0x20000000, 4 * MiB,
          "cmsdk", 0x40004000, "systick", 25_000_000,
          "mps2-an386", "mps2-an386.repl", "cortex_m",
          0.9, "FPGA board; figure for a Cortex-M4F part: " + _STM32F405_ENERGY),
    Board("mps2-an500", "Arm MPS2+ FPGA, AN500 image (Cortex-M7, 25 MHz)",
          "cortex-m7", "fpv5-d16", 0x00000000, 4 * MiB, 0x20000000, 4 * MiB,
          "cmsdk", 0x40004000, "systick", 25_000_000,
          "mps2-an500", "mps2-an500.repl", "cortex_m",
          1.5, "FPGA board; figure for an STM32F746 (Cortex-M7): about 100 mA at 216 MHz, "
               "3.3 V, peripherals off -> 1.5 nJ/cycle"),
    # AN505 boots in the Secure state (initial SVTOR 0x10000000): use the Secure aliases of
    # SSRAM1 (code), SSRAM2/3 (data) and UART0.
    Board("mps2-an505", "Arm MPS2+ FPGA, AN505 image (Cortex-M33 with TrustZone, 20 MHz)",
          "cortex-m33", "fpv5-sp-d16", 0x10000000, 4 * MiB, 0x38000000, 4 * MiB,
          "cmsdk", 0x50200000, "systick", 20_000_000,
          "mps2-an505", "mps2-an505.repl", "cortex_m",
          0.35, "FPGA board; figure for an STM32L552 (Cortex-M33): about 106 uA/MHz at 3.3 V "
                "-> 0.35 nJ/cycle"),
    # AN547 (SSE-300) boots from the ITCM at 0 (initial SVTOR 0); data in the DTCM.
    Board("mps3-an547", "Arm MPS3 FPGA, AN547 image (Cortex-M55 with Helium, 32 MHz)",
          "cortex-m55", "mve-fp", 0x00000000, 512 * KiB, 0x20000000, 512 * KiB,
          "cmsdk", 0x49303000, "systick", 32_000_000,
          "mps3-an547", "mps3-an547.repl", "cortex_m",
          0.1, "FPGA board; no public datasheet figure for a Cortex-M55 part at hand: a rough "
               "assumption of 0.1 nJ/cycle (a 22 nm-class MCU core)"),
    Board("netduinoplus2", "Netduino Plus 2, STM32F405RG (Cortex-M4F, 168 MHz)",
          "cortex-m4", "fpv4-sp-d16", 0x08000000, 1 * MiB, 0x20000000, 128 * KiB,
          "stm32-usart", 0x40011000, "systick", 168_000_000,
          "netduinoplus2", "netduinoplus2.repl", "stm32f405rg",
          0.9, _STM32F405_ENERGY),
)

BOARDS = {board.name: board for board in BOARDS_LIST}
DEFAULT_BOARD = "mps2-an386"


def get_board(name: str) -> Board:
    """The board row called `name`, or an error listing the known boards."""
    try:
        return BOARDS[name]
    except KeyError:
        raise TinyCompressError(f"unknown board {name!r}; known boards: {', '.join(BOARDS)} "
                                "(see `tinycompress boards`)") from None

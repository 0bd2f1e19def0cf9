"""The boards tinycompress builds firmware for: one table of frozen rows with keyword fields,
sorted by name. Facts of a core (compiler flags, float ABI, DSP extension, TFLM's TARGET_ARCH,
Renode's CPU type, the cycle model) live once in the CPU table; a board names its CPU row.

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


@dataclass(frozen=True)
class Cpu:
    """Facts about one core configuration, shared by every board built on it."""
    name: str                  # key board rows use (Renode's spelling where it has one)
    core: str                  # -mcpu=
    fpu: str | None            # -mfpu= (None: no FPU, or the core's default, see cflags)
    float_abi: str             # soft | hard: selects the newlib multilib and TFLM library
    dsp: bool                  # DSP extension (SMLAD, SSUB8/SEL, SXTAB16): the runtime's SIMD paths
    tflm_arch: str             # TARGET_ARCH of TFLM's cortex_m_generic target with the same ABI
    renode_cpu: str | None     # cpuType of Renode's CPU.CortexM; None when Renode has none
    cycle_model: str           # pipeline the cycle estimator models for this core

    @property
    def cflags(self) -> tuple:
        # The runtime's int8 kernels use no floating point; the FPU flags select the matching
        # newlib multilib and let the compiler use the core's features. "mve-fp" is no -mfpu
        # value: -mcpu=cortex-m55 implies Helium with floating point.
        fpu = (f"-mfpu={self.fpu}",) if self.fpu and self.fpu.startswith("fpv") else ()
        return (f"-mcpu={self.core}", "-mthumb") + fpu + (f"-mfloat-abi={self.float_abi}",)


CPU_LIST = (
    Cpu(name="cortex-m0", core="cortex-m0", fpu=None, float_abi="soft", dsp=False,
        tflm_arch="cortex-m0", renode_cpu="cortex-m0", cycle_model="cortex-m0"),
    Cpu(name="cortex-m0+", core="cortex-m0plus", fpu=None, float_abi="soft", dsp=False,
        tflm_arch="cortex-m0plus", renode_cpu="cortex-m0+", cycle_model="cortex-m0plus"),
    Cpu(name="cortex-m3", core="cortex-m3", fpu=None, float_abi="soft", dsp=False,
        tflm_arch="cortex-m3", renode_cpu="cortex-m3", cycle_model="cortex-m3"),
    Cpu(name="cortex-m33f", core="cortex-m33", fpu="fpv5-sp-d16", float_abi="hard", dsp=True,
        tflm_arch="cortex-m33", renode_cpu="cortex-m33", cycle_model="cortex-m33"),
    Cpu(name="cortex-m4", core="cortex-m4", fpu=None, float_abi="soft", dsp=True,
        tflm_arch="cortex-m4", renode_cpu="cortex-m4", cycle_model="cortex-m4"),
    Cpu(name="cortex-m4f", core="cortex-m4", fpu="fpv4-sp-d16", float_abi="hard", dsp=True,
        tflm_arch="cortex-m4+fp", renode_cpu="cortex-m4f", cycle_model="cortex-m4"),
    Cpu(name="cortex-m55", core="cortex-m55", fpu="mve-fp", float_abi="hard", dsp=True,
        tflm_arch="cortex-m55", renode_cpu="cortex-m55", cycle_model="cortex-m55"),
    Cpu(name="cortex-m7", core="cortex-m7", fpu="fpv5-d16", float_abi="hard", dsp=True,
        tflm_arch="cortex-m7+fp", renode_cpu="cortex-m7", cycle_model="cortex-m7"),
)
CPUS = {cpu.name: cpu for cpu in CPU_LIST}

UART_KINDS = {  # UART kind -> driver source in firmware/boards/
    "cmsdk": "uart_cmsdk.c",
    "nrf51-uart": "uart_nrf51.c",
    "nrf52-uarte": "uart_nrf52.c",         # UARTE with EasyDMA (nRF52840)
    "stm32-lpuart": "uart_stm32v2.c",      # L4/G0/H7 register set, BRR = 256 x clock / baud
    "stm32-usart": "uart_stm32.c",         # F4 register set (SR/DR)
    "stm32-usart-v2": "uart_stm32v2.c",    # L4/G0/H7 register set (ISR/TDR), BRR = clock / baud
}
UART_BAUD = 115200

TICK_SOURCES = {"systick": "tick_systick.c"}

RENODE_UARTS = {  # UART kind -> (Renode peripheral, register window bytes, extra lines for its block)
    "cmsdk": ("UART.CMSDK_APB_UART", 0x1000, ""),
    "stm32-usart": ("UART.STM32_UART", 0x400, ""),
    "nrf51-uart": ("UART.NRF52840_UART", 0x1000, "    easyDMA: false"),   # the nRF51 UART register set
    "nrf52-uarte": ("UART.NRF52840_UART", 0x1000, "    easyDMA: true"),
    # The ISR/TDR USART and the LPUART transmit alike; Renode takes the kernel clock only to
    # show a baud rate, which nothing here reads.
    "stm32-lpuart": ("UART.STM32F7_USART", 0x400, "    frequency: 16000000"),
    "stm32-usart-v2": ("UART.STM32F7_USART", 0x400, "    frequency: 16000000"),
}


@dataclass(frozen=True, kw_only=True)
class Board:
    name: str
    description: str
    cpu: str                       # key of CPUS
    flash_origin: int
    flash_size: int
    ram_origin: int
    ram_size: int
    uart: str                      # key of UART_KINDS
    uart_base: int
    tick: str = "systick"          # key of TICK_SOURCES
    tick_hz: int                   # SysTick (processor) clock: QEMU's model, or the real clock
    qemu_machine: str | None = None      # `qemu-system-arm -M`; None when QEMU has no model
    renode_platform: str | None = None   # platform file rendered into a project's renode/ folder
    pyocd_target: str | None = None      # `pyocd flash -t`
    openocd: tuple | None = None         # (interface script, target script) shipped with OpenOCD
    energy_nj_per_cycle: float           # estimate, see energy_source
    energy_source: str
    stack_size: int = 4 * KiB
    semihosting: bool = True       # the emulator can end the run through SYS_EXIT
    qemu_extra: tuple = field(default=())
    # Real chips: tc_board_init() in these firmware/boards/ sources (power, clock gates, pins),
    # the UART's kernel clock as the firmware leaves it (gives the baud divisor), the UART's
    # TX pin where the driver routes it (nRF), and how the row was checked (README "Boards").
    init: tuple = ()
    uart_clock_hz: int | None = None
    uart_tx_pin: int | None = None
    verified: str = "QEMU"

    @property
    def sources(self) -> tuple:
        """Board-specific sources copied into a project's board/ folder."""
        return (self.uart_source, self.tick_source) + self.init

    @property
    def c_defines(self) -> tuple:
        """-D values for the board code (the Makefile also passes TC_UART_BASE)."""
        out = []
        if self.uart_clock_hz:
            out += [f"TC_UART_CLOCK_HZ={self.uart_clock_hz}u", f"TC_UART_BAUD={UART_BAUD}u"]
        if self.uart == "stm32-lpuart":
            out.append("TC_UART_LPUART=1")
        if self.uart_tx_pin is not None:
            out.append(f"TC_UART_TX_PIN={self.uart_tx_pin}u")
        return tuple(out)

    @property
    def cpu_row(self) -> Cpu:
        return CPUS[self.cpu]

    @property
    def core(self) -> str:
        return self.cpu_row.core

    @property
    def fpu(self) -> str | None:
        return self.cpu_row.fpu

    @property
    def cflags(self) -> tuple:
        return self.cpu_row.cflags

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
        cpu = self.cpu_row
        return {"name": self.name, "description": self.description, "cpu": self.cpu,
                "core": cpu.core, "fpu": cpu.fpu, "float_abi": cpu.float_abi, "dsp": cpu.dsp,
                "tflm_arch": cpu.tflm_arch, "renode_cpu": cpu.renode_cpu,
                "cycle_model": cpu.cycle_model,
                "flash_origin": self.flash_origin, "flash_size": self.flash_size,
                "ram_origin": self.ram_origin, "ram_size": self.ram_size, "uart": self.uart,
                "uart_base": self.uart_base, "tick": self.tick, "tick_hz": self.tick_hz,
                "insns_per_tick": self.insns_per_tick, "qemu_machine": self.qemu_machine,
                "renode_platform": self.renode_platform, "pyocd_target": self.pyocd_target,
                "openocd": list(self.openocd) if self.openocd else None,
                "energy_nj_per_cycle_estimate": self.energy_nj_per_cycle,
                "energy_source": self.energy_source, "cflags": list(self.cflags),
                "stack_size": self.stack_size, "init": list(self.init),
                "uart_clock_hz": self.uart_clock_hz, "verified": self.verified}


_STM32F405_ENERGY = ("STM32F405 datasheet: about 46 mA typical at 168 MHz, 3.3 V, code from "
                     "flash, peripherals off -> 0.9 nJ/cycle")
# MPS2/MPS3 FPGA images: code SSRAM/TCM as "flash", CMSDK UART0, SysTick at the FPGA clock.
_MPS2 = dict(flash_origin=0x00000000, flash_size=4 * MiB, ram_origin=0x20000000, ram_size=4 * MiB,
             uart="cmsdk", uart_base=0x40004000, tick_hz=25_000_000, pyocd_target="cortex_m")

BOARDS_LIST = (
    Board(name="microbit",
          description="BBC micro:bit v1, nRF51822 (Cortex-M0, 16 MHz; no SysTick on the real "
                      "chip: tick counts read 0 there, QEMU emulates one)",
          cpu="cortex-m0", flash_origin=0x00000000, flash_size=256 * KiB,
          ram_origin=0x20000000, ram_size=16 * KiB, uart="nrf51-uart", uart_base=0x40002000,
          tick_hz=16_000_000, qemu_machine="microbit", renode_platform="microbit.repl",
          pyocd_target="nrf51", openocd=("interface/cmsis-dap.cfg", "target/nrf51.cfg"),
          energy_nj_per_cycle=0.83,
          energy_source="nRF51822 product specification: 4.4 mA run from flash at 16 MHz, 3 V "
                        "-> 0.83 nJ/cycle", stack_size=1536),
    Board(name="mps2-an385", description="Arm MPS2+ FPGA, AN385 image (Cortex-M3, 25 MHz)",
          cpu="cortex-m3", **_MPS2, qemu_machine="mps2-an385", renode_platform="mps2-an385.repl",
          energy_nj_per_cycle=1.24,
          energy_source="FPGA board; figure for an STM32F103 (Cortex-M3): about 27 mA at 72 MHz, "
                        "3.3 V, peripherals off -> 1.24 nJ/cycle"),
    Board(name="mps2-an386", description="Arm MPS2+ FPGA, AN386 image (Cortex-M4F, 25 MHz)",
          cpu="cortex-m4f", **_MPS2, qemu_machine="mps2-an386", renode_platform="mps2-an386.repl",
          energy_nj_per_cycle=0.9,
          energy_source="FPGA board; figure for a Cortex-M4F part: " + _STM32F405_ENERGY),
    Board(name="mps2-an500", description="Arm MPS2+ FPGA, AN500 image (Cortex-M7, 25 MHz)",
          cpu="cortex-m7", **_MPS2, qemu_machine="mps2-an500", renode_platform="mps2-an500.repl",
          energy_nj_per_cycle=1.5,
          energy_source="FPGA board; figure for an STM32F746 (Cortex-M7): about 100 mA at "
                        "216 MHz, 3.3 V, peripherals off -> 1.5 nJ/cycle"),
    # AN505 boots in the Secure state (initial SVTOR 0x10000000): use the Secure aliases of
    # SSRAM1 (code), SSRAM2/3 (data) and UART0.
    Board(name="mps2-an505",
          description="Arm MPS2+ FPGA, AN505 image (Cortex-M33 with TrustZone, 20 MHz)",
          cpu="cortex-m33f", **dict(_MPS2, flash_origin=0x10000000, ram_origin=0x38000000,
                                    uart_base=0x50200000, tick_hz=20_000_000),
          qemu_machine="mps2-an505", renode_platform="mps2-an505.repl",
          energy_nj_per_cycle=0.35,
          energy_source="FPGA board; figure for an STM32L552 (Cortex-M33): about 106 uA/MHz at "
                        "3.3 V -> 0.35 nJ/cycle"),
    # AN547 (SSE-300) boots from the ITCM at 0 (initial SVTOR 0); data in the DTCM.
    Board(name="mps3-an547",
          description="Arm MPS3 FPGA, AN547 image (Cortex-M55 with Helium, 32 MHz)",
          cpu="cortex-m55", **dict(_MPS2, flash_size=512 * KiB, ram_size=512 * KiB,
                                   uart_base=0x49303000, tick_hz=32_000_000),
          qemu_machine="mps3-an547", renode_platform="mps3-an547.repl",
          energy_nj_per_cycle=0.1,
          energy_source="FPGA board; no public datasheet figure for a Cortex-M55 part at hand: a "
                        "rough assumption of 0.1 nJ/cycle (a 22 nm-class MCU core)"),
    Board(name="netduinoplus2", description="Netduino Plus 2, STM32F405RG (Cortex-M4F, 168 MHz)",
          cpu="cortex-m4f", flash_origin=0x08000000, flash_size=1 * MiB,
          ram_origin=0x20000000, ram_size=128 * KiB, uart="stm32-usart", uart_base=0x40011000,
          tick_hz=168_000_000, qemu_machine="netduinoplus2",
          renode_platform="netduinoplus2.repl", pyocd_target="stm32f405rg",
          openocd=("interface/stlink.cfg", "target/stm32f4x.cfg"),   # external ST-LINK on SWD
          energy_nj_per_cycle=0.9, energy_source=_STM32F405_ENERGY),
    # Real boards below: the firmware keeps each chip's reset clock (no PLL, no wait-state or
    # voltage-scaling change), so nothing waits on a ready flag; SysTick counts that clock.
    # Register values are from the vendor reference manuals; see each init source.
    Board(name="nrf52840-dk",
          description="Nordic nRF52840-DK, nRF52840 (Cortex-M4F, 64 MHz); UARTE0 TX on P0.06 "
                      "to the J-Link VCP",
          cpu="cortex-m4f", flash_origin=0x00000000, flash_size=1 * MiB,
          ram_origin=0x20000000, ram_size=256 * KiB, uart="nrf52-uarte", uart_base=0x40002000,
          uart_tx_pin=6, init=("board_nrf52840.c",), tick_hz=64_000_000,
          renode_platform="nrf52840-dk.repl",
          pyocd_target="nrf52840",
          openocd=("interface/jlink.cfg", "target/nrf52.cfg"), semihosting=False,
          energy_nj_per_cycle=0.16,
          energy_source="nRF52840 product specification: about 52 uA/MHz running from flash "
                        "with the DC/DC regulator, 3 V -> 0.16 nJ/cycle",
          verified="Renode (golden vectors); pins from the nRF52840 product specification, not run on the board"),
    Board(name="nucleo-g071rb",
          description="ST NUCLEO-G071RB, STM32G071RB (Cortex-M0+, 16 MHz HSI16); USART2 on "
                      "PA2/PA3 to the ST-LINK VCP",
          cpu="cortex-m0+", flash_origin=0x08000000, flash_size=128 * KiB,
          ram_origin=0x20000000, ram_size=36 * KiB, uart="stm32-usart-v2", uart_base=0x40004400,
          uart_clock_hz=16_000_000, init=("board_stm32g0.c", "stm32_gpio.h"), tick_hz=16_000_000,
          renode_platform="nucleo-g071rb.repl",
          pyocd_target="stm32g071rbtx",
          openocd=("interface/stlink.cfg", "target/stm32g0x.cfg"), semihosting=False,
          energy_nj_per_cycle=0.33,
          energy_source="STM32G071 datasheet headline: about 100 uA/MHz in Run mode, 3.3 V "
                        "-> 0.33 nJ/cycle", stack_size=2 * KiB,
          verified="Renode (golden vectors); clock/pins from RM0444, not run on the board"),
    Board(name="nucleo-h743zi",
          description="ST NUCLEO-H743ZI, STM32H743ZI (Cortex-M7 with double-precision FPU, "
                      "64 MHz HSI); USART3 on PD8/PD9 to the ST-LINK VCP; data in the 128 KB DTCM",
          cpu="cortex-m7", flash_origin=0x08000000, flash_size=2 * MiB,
          ram_origin=0x20000000, ram_size=128 * KiB, uart="stm32-usart-v2", uart_base=0x40004800,
          uart_clock_hz=64_000_000, init=("board_stm32h7.c", "stm32_gpio.h"), tick_hz=64_000_000,
          renode_platform="nucleo-h743zi.repl",
          pyocd_target="stm32h743xx",
          openocd=("interface/stlink.cfg", "target/stm32h7x.cfg"), semihosting=False,
          energy_nj_per_cycle=0.9,
          energy_source="rough: STM32H743 datasheet Run-mode supply current, about 270 uA/MHz "
                        "at 3.3 V with all peripherals off -> 0.9 nJ/cycle",
          verified="Renode (golden vectors); clock/pins from RM0433, not run on the board"),
    Board(name="nucleo-l4r5zi",
          description="ST NUCLEO-L4R5ZI, STM32L4R5ZI (Cortex-M4F, 4 MHz MSI at reset; the MLPerf "
                      "Tiny reference board); LPUART1 on PG7/PG8 to the ST-LINK VCP",
          cpu="cortex-m4f", flash_origin=0x08000000, flash_size=2 * MiB,
          ram_origin=0x20000000, ram_size=640 * KiB, uart="stm32-lpuart", uart_base=0x40008000,
          uart_clock_hz=4_000_000, init=("board_stm32l4r5.c", "stm32_gpio.h"), tick_hz=4_000_000,
          renode_platform="nucleo-l4r5zi.repl",
          pyocd_target="stm32l4r5zitx",
          openocd=("interface/stlink.cfg", "target/stm32l4x.cfg"), semihosting=False,
          energy_nj_per_cycle=0.36,
          energy_source="STM32L4R5 datasheet headline: about 110 uA/MHz in Run mode (LDO), "
                        "3.3 V -> 0.36 nJ/cycle",
          verified="Renode (golden vectors); clock/pins from RM0432, not run on the board"),
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

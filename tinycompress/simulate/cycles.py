"""ESTIMATED Cortex-M cycles from the instructions QEMU executed (never a measurement).

QEMU does not model cycles. Run with `-d in_asm,exec,nochain`, it logs every translated
block once (its instructions, `IN:`) and every execution of a block (`Trace`); chaining
off, each execution is logged. From that log this module counts how often each block ran,
which block followed it (so whether the block's closing branch was taken), and prices each
instruction with the core's published timing (a row of CORES: Arm's Technical Reference
Manuals' instruction-timing tables, zero wait states, the pipeline-refill P they leave
open set per row). Per layer: the window between two calls of the firmware's layer hook
(`tc_layer_done`); the hook's own instructions are left out.

Flash wait states: with a row of MEMORIES (a real board's flash at its clock) the same QEMU
run carries our plugin firmware/host/qemu_memstall.c, which follows every instruction fetch
and every load from the flash addresses through the board's flash accelerator (wait states,
read width, instruction/data cache, prefetch; all from the board's reference manual) and
logs the stall cycles per block; they are added per layer on top of the core's cycles.

What the estimate does not see: bus contention, the M7's dual issue and branch prediction
beyond the row's average, cache effects beyond the MEMORIES row. It is labelled an estimate
wherever it is printed; README.md states its error against published silicon latency.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TinyCompressError

LABEL = "estimate"

# ---- instruction classes -------------------------------------------------------------

_COND = ("eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt",
         "gt", "le", "al")
_MULTIPLY = {"mul", "mla", "mls", "smull", "umull", "smlal", "umlal", "smlad", "smladx",
             "smlsd", "smlsdx", "smuad", "smuadx", "smusd", "smusdx", "smlabb", "smlabt",
             "smlatb", "smlatt", "smulbb", "smulbt", "smultb", "smultt", "smlawb", "smlawt",
             "smulwb", "smulwt", "smmul", "smmulr", "smmla", "smmlar", "smmls", "smmlsr",
             "smlald", "smlaldx", "smlsld", "smlsldx", "smlalbb", "smlalbt", "smlaltb",
             "smlaltt", "umaal", "usad8", "usada8"}
_DIVIDE = {"sdiv", "udiv"}
_LOAD_SINGLE = {"ldr", "ldrb", "ldrh", "ldrsb", "ldrsh", "ldrex", "ldrexb", "ldrexh", "ldrt",
                "ldrbt", "ldrht", "ldrsbt", "ldrsht"}
_STORE_SINGLE = {"str", "strb", "strh", "strex", "strexb", "strexh", "strt", "strbt", "strht"}
_LOAD_MULTI = {"ldm", "ldmia", "ldmdb", "ldmfd", "ldmea", "pop"}
_STORE_MULTI = {"stm", "stmia", "stmdb", "stmfd", "stmea", "push"}
_PAIR = {"ldrd", "strd"}
_BRANCH = {"b", "bl", "blx", "bx", "cbz", "cbnz", "tbb", "tbh"}
_FP = re.compile(r"^v")                     # FPU (vldr, vmov, vadd, ...): one cycle each


@dataclass(frozen=True)
class Insn:
    addr: int
    size: int                   # bytes: 2 or 4
    mnemonic: str               # base mnemonic, condition and width suffix removed
    cond: bool                  # has a condition (b<cond>, or an IT-block instruction)
    kind: str                   # one of CLASSES
    regs: int = 1               # registers moved by ldm/stm/push/pop
    writes_pc: bool = False
    dest: str | None = None     # first operand register
    base: str | None = None     # address register of a load/store


CLASSES = ("alu", "mul", "div", "load", "store", "load_multi", "store_multi", "pair",
           "branch", "it", "fp", "other")


_KNOWN = (_MULTIPLY | _DIVIDE | _LOAD_SINGLE | _STORE_SINGLE | _LOAD_MULTI | _STORE_MULTI
          | _PAIR | {"mov", "add", "sub"})


def _base_mnemonic(m: str) -> tuple:
    """(mnemonic without width or condition suffix, whether it carried a condition)."""
    m = m.lower().split(".")[0]
    if m in ("cbz", "cbnz"):
        return m, True
    if m in _BRANCH or m in _KNOWN:
        return m, False
    if m.startswith("b") and len(m) == 3 and m[1:] in _COND:
        return "b", True
    if len(m) > 3 and m[-2:] in _COND and m[:-2] in _KNOWN | _BRANCH:   # inside an IT block
        return m[:-2], True
    return m, False


def classify(mnemonic: str, operands: str, addr: int = 0, size: int = 2) -> Insn:
    """One disassembled Thumb instruction (QEMU's in_asm text) as an Insn."""
    base, cond = _base_mnemonic(mnemonic)
    ops = operands.lower()
    regs_list = re.findall(r"\{([^}]*)\}", ops)
    regs = 1
    if regs_list:
        regs = 0
        for part in regs_list[0].split(","):
            part = part.strip()
            if "-" in part:
                lo, hi = (int(x.strip()[1:]) for x in part.split("-"))
                regs += hi - lo + 1
            elif part:
                regs += 1
    writes_pc = bool(re.search(r"\bpc\b", ops.split(",")[0])) or (
        base in _LOAD_MULTI and regs_list and re.search(r"\bpc\b", regs_list[0]))
    m = re.match(r"\s*(r\d+|ip|lr|sp|fp|sl|sb)\b", ops)
    dest = m.group(1) if m else None
    b = re.search(r"\[(r\d+|ip|lr|sp|fp|sl|sb|pc)\b", ops)
    mem_base = b.group(1) if b else None
    stripped = base[:-1] if base.endswith("s") else base        # muls, smlals
    if base == "it" or re.fullmatch(r"it[te]{0,3}", base):
        kind = "it"
    elif base in _BRANCH:
        kind = "branch"
    elif base in _PAIR:
        kind = "pair"
    elif base in _LOAD_MULTI or (base.startswith("ldm")):
        kind = "load_multi"
    elif base in _STORE_MULTI or (base.startswith("stm")):
        kind = "store_multi"
    elif base in _LOAD_SINGLE or base.startswith("ldr"):
        kind = "load"
    elif base in _STORE_SINGLE or base.startswith("str"):
        kind = "store"
    elif base in _MULTIPLY or stripped in _MULTIPLY:
        kind = "mul"
    elif base in _DIVIDE:
        kind = "div"
    elif _FP.match(base):
        kind = "fp"
    else:
        kind = "alu"
    return Insn(addr, size, base, cond, kind, regs, bool(writes_pc), dest, mem_base)


# ---- cores -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CoreTiming:
    """Cycles per instruction class for one core (TRM tables, zero wait states)."""
    name: str
    source: str
    alu: float = 1.0
    mul: float = 1.0
    div: float = 7.0              # 2..12, data dependent: the middle
    load: float = 2.0             # a single load not pipelined with the previous one
    load_pipelined: float = 1.0   # a load or store right after a single load
    store: float = 1.0            # a store retires through the write buffer
    multi_base: float = 1.0       # ldm/stm/push/pop: base + one per register
    pair: float = 3.0             # ldrd/strd: 1 + N, N = 2
    branch: float = 1.0           # any branch, plus `refill` when taken
    refill: float = 2.0           # P: pipeline refill after a taken branch (TRM: 1 to 3)
    it: float = 1.0
    fp: float = 1.0
    agu_stall: float = 1.0        # address register written by the instruction just before
    alu_scale: float = 1.0        # < 1 models dual issue (M7)


CORES = {
    "cortex-m3": CoreTiming(
        "cortex-m3", "Cortex-M3 TRM (DDI0337) table 18-1: MUL 1, MLA/MLS 2, long multiply "
        "3-5, LDR 2 (pipelined 1), STR 1, LDM/STM 1+N, branch 1+P", mul=1.5, div=7.0),
    "cortex-m4": CoreTiming(
        "cortex-m4", "Cortex-M4 TRM (DDI0439) table 3-1: ALU/MUL/MLA/SMLAD/SIMD 1, LDR 2 "
        "(neighbouring single loads/stores pipeline to 1), STR 1, LDM/STM 1+N, LDRD/STRD "
        "1+2, branch 1+P (P 1..3), SDIV 2..12"),
    "cortex-m33": CoreTiming(
        "cortex-m33", "Cortex-M33 TRM (100230): 3-stage pipeline, single-cycle 32-bit MAC "
        "and DSP, LDR 2 (pipelined 1), branch 1+P with P about 1..2", refill=1.5),
    "cortex-m7": CoreTiming(
        "cortex-m7", "Cortex-M7 TRM (DDI0489): dual-issue 6-stage pipeline with branch "
        "prediction, loads pipelined; modelled as ALU 0.6 (pairs issue together), load 1, "
        "taken branch 1+1", load=1.0, load_pipelined=1.0, alu_scale=0.6, refill=1.0,
        agu_stall=0.0, pair=2.0),
}


def core_timing(cpu: str) -> CoreTiming:
    if cpu not in CORES:
        raise TinyCompressError(f"no cycle table for {cpu}; known: {', '.join(CORES)}")
    return CORES[cpu]


@dataclass(frozen=True)
class MemoryTiming:
    """A board's flash as the core sees it at one clock: what a fetch or load from flash
    costs beyond the zero-wait-state TRM timings (simulated by firmware/host/qemu_memstall.c)."""
    name: str
    source: str
    wait_states: int            # extra cycles of one flash read
    line_bytes: int             # bytes one flash read returns
    icache_lines: int           # instruction cache, lines of line_bytes (LRU)
    dcache_lines: int           # data cache for loads from flash (literals, weights)
    prefetch: bool              # next sequential instruction line read ahead

    def plugin_args(self, flash_lo: int, flash_hi: int) -> str:
        return (f"flash={flash_lo:#x}:{flash_hi:#x},ws={self.wait_states},line={self.line_bytes},"
                f"icache={self.icache_lines},dcache={self.dcache_lines},prefetch={int(self.prefetch)}")


MEMORIES = {
    "stm32l4r5-120mhz": MemoryTiming(
        "stm32l4r5-120mhz",
        "STM32L4R5 flash at HCLK 120 MHz (voltage range 1 boost), as the MLPerf Tiny L4R5ZI "
        "submissions run it. RM0432 3.3.3 table 'Number of wait states according to CPU clock "
        "(HCLK) frequency' (also the table in ST's stm32l4xx_hal_rcc.c for STM32L4Rx): 5 WS "
        "(6 CPU cycles) for 100 < HCLK <= 120 MHz. RM0432 3.3.4 ART accelerator (same text as "
        "RM0440 3.3.4): dual-bank mode (DBANK=1, the 2 MB part's factory option) reads 64 bits; "
        "instruction cache 32 lines of 4 x 64 bits (1 KB) = 128 lines of 8 bytes here, data "
        "cache 8 lines of 4 x 64 bits (256 B) = 32 lines of 8 bytes here, LRU; a miss stalls "
        "the wait states; prefetch reads the next sequential line while the current one runs. "
        "Caches and prefetch on: reset state of ICEN/DCEN (RM0432 FLASH_ACR) and Zephyr's "
        "soc/st/stm32/stm32l4x soc.c (the microTVM submissions' OS) enables prefetch too. "
        "Simplification: caches fully associative on 8-byte lines.",
        wait_states=5, line_bytes=8, icache_lines=128, dcache_lines=32, prefetch=True),
}


def memory_timing(name) -> MemoryTiming:
    """The MEMORIES row called `name` (a MemoryTiming is returned as it is)."""
    if isinstance(name, MemoryTiming):
        return name
    if name not in MEMORIES:
        raise TinyCompressError(f"no flash timing row {name}; known: {', '.join(MEMORIES)}")
    return MEMORIES[name]


def block_cycles(insns: list, taken: bool, core: CoreTiming) -> float:
    """Estimated cycles of one execution of a translated block (`taken`: its last
    instruction branched away from the fall-through address)."""
    total, prev = 0.0, None
    for i, ins in enumerate(insns):
        k = ins.kind
        if k == "alu":
            c = core.alu * core.alu_scale
        elif k == "mul":
            c = core.mul
        elif k == "div":
            c = core.div
        elif k in ("load", "store"):
            pipelined = prev is not None and prev.kind == "load"
            c = core.load_pipelined if pipelined else (core.load if k == "load" else core.store)
            if prev is not None and prev.kind in ("alu", "mul") and ins.base and ins.base == prev.dest:
                c += core.agu_stall
        elif k in ("load_multi", "store_multi"):
            c = core.multi_base + ins.regs
        elif k == "pair":
            c = core.pair
        elif k == "it":
            c = core.it
        elif k == "fp":
            c = core.fp
        elif k == "branch":
            c = core.branch
        else:
            c = 1.0
        if ins.writes_pc or (k == "branch" and not ins.cond):
            c += core.refill                    # always leaves the straight line
        elif k == "branch" and taken and i == len(insns) - 1:
            c += core.refill                    # a conditional branch that was taken
        total += c
        prev = ins
    return total


# ---- the QEMU log ----------------------------------------------------------------------

_IN = re.compile(r"^0x([0-9a-f]+):\s+([0-9a-f]{4})(?: ([0-9a-f]{4}))?\s+(\S+)\s*(.*)$")
_TRACE = re.compile(r"^Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/")


@dataclass
class Profile:
    """Block executions inside the inference window, split per layer."""
    blocks: dict = field(default_factory=dict)          # (host ptr) -> list of Insn
    # layer -> Counter((host ptr, taken)) of executions
    layers: dict = field(default_factory=lambda: defaultdict(Counter))
    layer_count: int = 0                                # layer hook calls seen
    total_instructions: int = 0                         # the whole run, window or not
    stalls: Counter = field(default_factory=Counter)    # layer -> flash wait cycles (plugin)


# The harness's own code that runs inside an inference (timing and printing per layer): its
# blocks are not the model's and are left out.
HOOK_FUNCTIONS = ("tc_layer_begin", "tc_layer_done", "tc_ticks_now", "tc_puts", "tc_put_u32",
                  "tc_put_hex8", "tc_put_hex32", "tc_uart_putc", "put_hex_bytes")


class _Window:
    """Follows the exec trace through the first inference: it starts at tc_invoke's entry,
    a new layer begins after each call of the layer hook tc_layer_done, the harness's hook
    functions are left out, and it ends when main runs again (tc_invoke returned)."""

    def __init__(self, symbols: dict):
        self.invoke = symbols["tc_invoke"]
        self.done = symbols["tc_layer_done"]
        self.in_hook = symbols["_in_hook"]
        self.in_main = symbols["_in_main"]
        self.state = "before"          # before | inside | after
        self.hooks = 0
        self.hook_pcs = {}

    def step(self, pc: int) -> int | None:
        """The layer this block's execution belongs to, or None."""
        if self.state == "before":
            if pc != self.invoke:
                return None
            self.state = "inside"
        if self.state == "after":
            return None
        if self.in_main(pc):
            self.state = "after"
            return None
        if pc == self.done:
            self.hooks += 1
        hook = self.hook_pcs.get(pc)
        if hook is None:
            hook = self.hook_pcs[pc] = self.in_hook(pc)
        return None if hook else self.hooks


def parse_log(lines, symbols: dict) -> Profile:
    """Read a `-d in_asm,exec,nochain` log (an iterable of lines)."""
    prof = Profile()
    win = _Window(symbols)
    pending: list = []
    collecting = False
    last = None                    # (layer, host ptr) of the previous execution in the window
    last_end = None
    current = before = None        # layer of the latest execution, of the one before it
    for line in lines:
        if line.startswith("TCSTALL"):
            # written at the start of the next block: it belongs to the execution before
            # the latest Trace line
            if before is not None:
                prof.stalls[before] += int(line.split()[1])
            continue
        if line.startswith("Trace"):
            m = _TRACE.match(line)
            if not m:
                continue
            ptr, pc = m.group(1), int(m.group(2), 16)
            if pending and pending[0].addr == pc:
                prof.blocks[ptr] = pending
                pending = []
            insns = prof.blocks.get(ptr)
            if insns is None:
                continue
            prof.total_instructions += len(insns)
            if last is not None:               # settle the previous block's branch
                layer, prev_ptr = last
                prof.layers[layer][(prev_ptr, pc != last_end)] += 1
                last = None
            layer = win.step(pc)
            before, current = current, layer
            if layer is not None:
                end = insns[-1]
                last, last_end = (layer, ptr), end.addr + end.size
            collecting = False
        elif line.startswith("IN:"):
            pending, collecting = [], True
        elif collecting:
            m = _IN.match(line)
            if m:
                size = 4 if m.group(3) else 2
                pending.append(classify(m.group(4), m.group(5), int(m.group(1), 16), size))
            elif pending and not line.strip():
                collecting = False
    if last is not None:
        prof.layers[last[0]][(last[1], False)] += 1
    prof.layer_count = win.hooks
    if win.hooks and win.hooks in prof.layers:     # tc_invoke's epilogue: to the last layer
        prof.layers[win.hooks - 1].update(prof.layers.pop(win.hooks))
    if win.hooks and win.hooks in prof.stalls:
        prof.stalls[win.hooks - 1] += prof.stalls.pop(win.hooks)
    return prof


@dataclass
class LayerEstimate:
    index: int
    instructions: int
    cycles: dict                   # core -> estimated cycles (zero wait states)
    mix: Counter                   # instruction class -> executed count
    stall: float = 0.0             # flash wait cycles of the MEMORIES row, if one was traced


@dataclass
class CycleEstimate:
    board: str
    layers: list                   # LayerEstimate, in order
    label: str = LABEL
    memory: str | None = None      # MEMORIES row whose flash stalls were traced

    @property
    def stall(self) -> float:
        return sum(l.stall for l in self.layers)

    def cycles_on_board(self, core: str) -> float:
        """The core's cycles plus the traced flash wait cycles (== cycles() without a row)."""
        return self.cycles(core) + self.stall

    @property
    def instructions(self) -> int:
        return sum(l.instructions for l in self.layers)

    def cycles(self, core: str) -> float:
        return sum(l.cycles[core] for l in self.layers)

    def mix(self) -> Counter:
        total = Counter()
        for l in self.layers:
            total.update(l.mix)
        return total

    def lines(self, core: str, names=()) -> list:
        """Per layer and per inference, for one core; `names`: the layers' names."""
        where = f"flash of {self.memory}" if self.memory else "zero wait states"
        out = [f"cycles ({self.label}, {core}, from the executed instruction mix and the core's "
               f"published timings; {where}):"]
        for l in self.layers:
            name = names[l.index] if l.index < len(names) else ""
            out.append(f"  {l.index:>3} {name[:40]:<40} {l.instructions:>12,} instructions "
                       f"{l.cycles[core] + l.stall:>13,.0f} cycles")
        total = self.cycles_on_board(core)
        stall = f", {self.stall:,.0f} of them flash wait" if self.memory else ""
        out.append(f"per inference: {self.instructions:,} instructions, {total:,.0f} cycles "
                   f"({LABEL}, {core}{stall}; {total / max(self.instructions, 1):.2f} per instruction)")
        return out

    def as_dict(self) -> dict:
        return {"label": self.label, "board": self.board, "instructions": self.instructions,
                "cycles_estimate": {c: self.cycles(c) for c in CORES},
                "memory": self.memory, "flash_wait_cycles": self.stall,
                "mix": dict(self.mix()),
                "layers": [{"index": l.index, "instructions": l.instructions,
                            "cycles_estimate": l.cycles, "flash_wait_cycles": l.stall,
                            "mix": dict(l.mix)}
                           for l in self.layers]}


def estimate(prof: Profile, board: str = "", cores=tuple(CORES), memory: str | None = None
             ) -> CycleEstimate:
    out = []
    cost_cache = {}
    for layer in sorted(prof.layers):
        execs = prof.layers[layer]
        n, cyc, mix = 0, dict.fromkeys(cores, 0.0), Counter()
        for (ptr, taken), count in execs.items():
            insns = prof.blocks[ptr]
            n += len(insns) * count
            for ins in insns:
                mix[ins.kind] += count
            for core in cores:
                key = (ptr, taken, core)
                if key not in cost_cache:
                    cost_cache[key] = block_cycles(insns, taken, CORES[core])
                cyc[core] += cost_cache[key] * count
        out.append(LayerEstimate(layer, n, cyc, mix, float(prof.stalls.get(layer, 0))))
    return CycleEstimate(board, out, memory=memory)


# ---- running QEMU -----------------------------------------------------------------------

def elf_symbols(elf: Path) -> dict:
    """Function start addresses and sizes from the ELF (arm-none-eabi-nm)."""
    out = subprocess.run(["arm-none-eabi-nm", "-S", "--defined-only", str(elf)],
                         capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2].lower() == "t":
            syms[parts[3]] = (int(parts[0], 16) & ~1, int(parts[1], 16))
    return syms


def window_symbols(elf: Path) -> dict:
    syms = elf_symbols(elf)
    missing = [s for s in ("tc_invoke", "tc_layer_done", "main") if s not in syms]
    if missing:
        raise TinyCompressError(f"{elf}: no {', '.join(missing)}; the cycle estimate needs the "
                                "harness's layer hook (a firmware project from `firmware`)")
    hooks = [syms[name] for name in HOOK_FUNCTIONS if name in syms]
    main, main_size = syms["main"]
    return {"tc_invoke": syms["tc_invoke"][0], "tc_layer_done": syms["tc_layer_done"][0],
            "_in_hook": lambda pc: any(a <= pc < a + n for a, n in hooks),
            "_in_main": lambda pc: main <= pc < main + main_size}


def build_memstall_plugin(folder: Path) -> Path:
    """Compile firmware/host/qemu_memstall.c with the host's C compiler into `folder`."""
    import shutil
    from ..firmware.project import csrc_root
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise TinyCompressError("the flash wait-state model needs a host C compiler (cc) to build "
                                "its QEMU plugin; install gcc, or leave out the memory row")
    out = Path(folder) / "qemu_memstall.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(out),
                    str(csrc_root() / "host" / "qemu_memstall.c")], check=True,
                   capture_output=True, text=True)
    return out


def trace_project(project_dir, timeout: float = 600.0, memory: str | None = None) -> tuple:
    """Run the project's firmware in QEMU with block logging and return (Profile, uart).
    memory: a MEMORIES row; its flash stalls are traced too (the board's flash addresses)."""
    from ..firmware.boards import get_board
    from ..firmware.project import load_project
    from .qemu import qemu_command

    project_dir = Path(project_dir)
    meta = load_project(project_dir)
    board = get_board(meta["board"])
    elf = project_dir / "build" / "firmware.elf"
    if not elf.is_file():
        raise TinyCompressError(f"{elf}: not built yet; run `tinycompress build {project_dir}` first")
    symbols = window_symbols(elf)
    with tempfile.TemporaryDirectory(prefix="tc-trace-") as tmp:
        fifo = Path(tmp) / "qemu.log"
        os.mkfifo(fifo)
        cmd = qemu_command(board.qemu_machine, elf) + ["-d", "in_asm,exec,nochain", "-D", str(fifo)]
        if memory:
            plugin = build_memstall_plugin(tmp)
            args = memory_timing(memory).plugin_args(board.flash_origin,
                                                     board.flash_origin + board.flash_size)
            cmd = (qemu_command(board.qemu_machine, elf)
                   + ["-plugin", f"{plugin},{args}", "-d", "in_asm,exec,nochain,plugin", "-D", str(fifo)])
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        uart = []
        reader = threading.Thread(target=lambda: uart.append(proc.stdout.read()), daemon=True)
        reader.start()
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            with open(fifo, "r", errors="replace") as log:
                prof = parse_log(log, symbols)
            proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        reader.join()
    text = (uart[0] if uart else b"").decode("utf-8", "replace")
    if prof.layer_count == 0 or "TC:DONE" not in text:
        raise TinyCompressError(f"{project_dir}: the traced run did not finish (timeout {timeout:g} s "
                                f"or a fault); its UART ended with: "
                                f"{text.strip().splitlines()[-1] if text.strip() else 'nothing'}")
    return prof, text


def estimate_project(project_dir, timeout: float = 600.0, memory: str | None = None
                     ) -> CycleEstimate:
    """memory: a MEMORIES row whose flash wait cycles are added (None: zero wait states)."""
    from ..firmware.project import load_project
    prof, _ = trace_project(project_dir, timeout, memory)
    return estimate(prof, load_project(Path(project_dir))["board"],
                    memory=memory_timing(memory).name if memory else None)


def board_core(board_name: str) -> str:
    """The cycle table that the board's CPU row names."""
    from ..firmware.boards import get_board
    core = get_board(board_name).cpu_row.cycle_model
    if core not in CORES:
        raise TinyCompressError(f"{board_name}: no cycle table for its core {core} (known: "
                                f"{', '.join(CORES)}); drop --cycles for this board")
    return core

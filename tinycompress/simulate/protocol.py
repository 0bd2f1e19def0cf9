"""The firmware's UART line protocol (see firmware/harness/main.c) parsed into a SimReport.

Lines: TC:BOOT, TC:VEC i PASS|FAIL ticks, TC:OUT i hex, TC:EXP i hex, TC:LAYER i name ticks,
TC:DUMP vector layer bytes hex, TC:DONE pass/total, TC:FAULT key=value, and from the TFLM
runtime TC:TFLM arena_used=<bytes> (TFLM's arena_used_bytes() on the device). Anything else
(emulator noise) is ignored. One parser for every engine and for a real board's UART.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

ENERGY_LABEL = "estimate"

_VEC = re.compile(r"^TC:VEC (\d+) (PASS|FAIL) (\d+)$")
_OUT = re.compile(r"^TC:(OUT|EXP) (\d+) ([0-9a-f]*)$")
_LAYER = re.compile(r"^TC:LAYER (\d+) (.+) (\d+)$")
_DUMP = re.compile(r"^TC:DUMP (\d+) (\d+) (\d+) ([0-9a-f]*)$")
_DONE = re.compile(r"^TC:DONE (\d+)/(\d+)$")
_TFLM_ARENA = re.compile(r"^TC:TFLM arena_used=(\d+)\b")


@dataclass
class VectorResult:
    index: int
    passed: bool
    ticks: int
    output: bytes | None = None    # the device's output, printed on FAIL
    expected: bytes | None = None  # the golden output the firmware compared it with
    detail: str | None = None      # which bytes differ, and their values (golden.py)


@dataclass
class LayerTiming:
    index: int
    name: str
    ticks: int
    instructions: float = 0.0


@dataclass
class SimReport:
    board: str
    engine: str
    insns_per_tick: float
    energy_nj_per_cycle: float
    vectors: list = field(default_factory=list)      # VectorResult
    layers: list = field(default_factory=list)       # LayerTiming (vector 0)
    dumps: dict = field(default_factory=dict)        # (vector, layer) -> bytes
    done: tuple | None = None                        # (passed, total) from TC:DONE
    fault: str | None = None                         # the TC:FAULT line
    timed_out: bool = False
    timeout: float = 0.0
    exit_code: int | None = None
    expected_vectors: int = 0
    layer_diff: str | None = None                    # --dump-layers: first layer that differs
    tflm_arena_used: int | None = None               # TFLM runtime: arena_used_bytes() on the device
    note: str | None = None                          # added to a failure: a likely cause
    uart: str = ""

    @property
    def passed(self) -> int:
        return sum(v.passed for v in self.vectors)

    @property
    def instructions_per_inference(self) -> float:
        """Mean over vectors: SysTick ticks x instructions per tick (QEMU -icount shift=0)."""
        if not self.vectors:
            return 0.0
        return sum(v.ticks for v in self.vectors) / len(self.vectors) * self.insns_per_tick

    @property
    def energy_uj_estimate(self) -> float:
        """An ESTIMATE: instructions taken as cycles, times the board's nJ per cycle."""
        return self.instructions_per_inference * self.energy_nj_per_cycle / 1000.0

    @property
    def failure(self) -> str | None:
        """Why the run failed (and `note`, a likely cause), or None when every vector matched."""
        reason = self._failure
        return f"{reason}; {self.note}" if reason and self.note else reason

    @property
    def _failure(self) -> str | None:
        if self.fault:
            return f"the firmware faulted: {self.fault}"
        if self.timed_out:
            return (f"the firmware did not finish within {self.timeout:g} s (no TC:DONE after "
                    f"{len(self.vectors)} of {self.expected_vectors} vectors): it hangs or is too "
                    "slow; stopped it (raise --timeout for big models)")
        if self.done is None:
            return (f"the firmware stopped without TC:DONE (emulator exit {self.exit_code}, "
                    f"{len(self.vectors)} of {self.expected_vectors} vectors reported)")
        failed = [v.index for v in self.vectors if not v.passed]
        if failed or self.done[0] != self.done[1] or len(self.vectors) != self.expected_vectors:
            msg = (f"{self.done[1] - self.done[0]} of {self.done[1]} golden vectors differ from the "
                   f"host TFLM interpreter (vectors {', '.join(map(str, failed[:10]))})")
            first = next((v for v in self.vectors if v.detail), None)
            msg += f"; vector {first.index}: {first.detail}" if first else ""
            return msg + (f"; {self.layer_diff}" if self.layer_diff else "")
        if self.layer_diff:
            return self.layer_diff
        return None

    @property
    def ok(self) -> bool:
        return self.failure is None

    def as_dict(self) -> dict:
        return {"board": self.board, "engine": self.engine, "ok": self.ok, "failure": self.failure,
                "passed": self.passed, "total": len(self.vectors),
                "vectors": [{"index": v.index, "passed": v.passed, "ticks": v.ticks,
                             "instructions": v.ticks * self.insns_per_tick, "detail": v.detail}
                            for v in self.vectors],
                "insns_per_tick": self.insns_per_tick,
                "instructions_per_inference": self.instructions_per_inference,
                "layers": [{"index": l.index, "name": l.name, "ticks": l.ticks,
                            "instructions": l.instructions} for l in self.layers],
                "energy_uj_per_inference_estimate": self.energy_uj_estimate,
                "energy_nj_per_cycle_estimate": self.energy_nj_per_cycle,
                "fault": self.fault, "timed_out": self.timed_out, "layer_diff": self.layer_diff,
                "tflm_arena_used": self.tflm_arena_used}

    def lines(self) -> list:
        out = []
        for v in self.vectors:
            out.append(f"{v.index:>4}  {'PASS' if v.passed else 'FAIL'}  "
                       f"{v.ticks * self.insns_per_tick:>12,.0f} instructions")
            if v.detail:
                out.append(f"        {v.detail}")
        if self.layers:
            out.append("per layer (vector 0):")
            out += [f"  {l.index:>3} {l.name:<40} {l.instructions:>12,.0f} instructions"
                    for l in self.layers]
        if self.vectors:
            out.append(f"{self.passed}/{len(self.vectors)} golden vectors bit-exact on {self.board} "
                       f"({self.engine}); {self.instructions_per_inference:,.0f} instructions per "
                       f"inference ({self.insns_per_tick:g} per SysTick tick)")
            out.append(f"energy per inference: {self.energy_uj_estimate:.3f} uJ ({ENERGY_LABEL}: "
                       f"{self.energy_nj_per_cycle} nJ/cycle, one cycle per instruction)")
        return out


def parse_uart(text: str, report: SimReport, project_dir=None) -> SimReport:
    """Fill `report` from the UART text (complete or cut short); failing vectors get a
    detail line (expected against actual, dequantized with the project's model if given)."""
    from .golden import explain_failures
    report.uart = text
    outputs = {"OUT": {}, "EXP": {}}
    for raw in text.splitlines():
        line = raw.strip().strip("\x00")
        if not line.startswith("TC:"):
            continue
        if line.startswith("TC:FAULT"):
            report.fault = report.fault or line[len("TC:FAULT"):].strip()
        elif m := _VEC.match(line):
            report.vectors.append(VectorResult(int(m[1]), m[2] == "PASS", int(m[3])))
        elif m := _OUT.match(line):
            outputs[m[1]][int(m[2])] = bytes.fromhex(m[3])
        elif m := _LAYER.match(line):
            report.layers.append(LayerTiming(int(m[1]), m[2], int(m[3]),
                                             int(m[3]) * report.insns_per_tick))
        elif m := _DUMP.match(line):
            report.dumps[(int(m[1]), int(m[2]))] = bytes.fromhex(m[4])
        elif m := _DONE.match(line):
            report.done = (int(m[1]), int(m[2]))
        elif m := _TFLM_ARENA.match(line):
            report.tflm_arena_used = int(m[1])
    for v in report.vectors:
        v.output, v.expected = outputs["OUT"].get(v.index), outputs["EXP"].get(v.index)
    return explain_failures(report, project_dir)

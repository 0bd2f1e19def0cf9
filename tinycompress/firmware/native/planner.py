"""Static activation memory plan.

Graph inputs and outputs live in the caller's buffers (tc_invoke(input, output)); every
other activation and every op's scratch space gets an offset in one arena. Buffers whose
lifetimes (first writing op .. last reading op) do not overlap may share bytes: buffers are
placed largest first, each at the lowest 16-byte aligned offset that collides with no
already placed buffer alive at the same time. In-place ops (RESHAPE) make their output an
alias of their input; the alias extends the input's lifetime.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALIGN = 16


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


@dataclass(frozen=True)
class Location:
    space: str     # "arena", "input" (caller's input buffer) or "output" (caller's output buffer)
    offset: int


@dataclass
class Plan:
    tensors: dict = field(default_factory=dict)     # tensor index -> Location
    scratch: dict = field(default_factory=dict)     # op index -> arena offset
    aliased: set = field(default_factory=set)       # op indices whose in-place output is an alias
    arena_bytes: int = 0
    input_bytes: int = 0
    output_bytes: int = 0


@dataclass
class _Buffer:
    key: tuple           # ("tensor", index) or ("scratch", op index)
    size: int
    first: int
    last: int
    offset: int = -1


def _io_locations(model, plan: Plan):
    offset = 0
    for t in model.inputs:
        plan.tensors[t] = Location("input", offset)
        offset += model.tensors[t].nbytes
    plan.input_bytes = offset
    offset = 0
    for t in model.outputs:
        if t not in plan.tensors:
            plan.tensors[t] = Location("output", offset)
        offset += model.tensors[t].nbytes
    plan.output_bytes = offset


def plan_memory(model, lowered: list) -> Plan:
    """lowered[i] is the Lowered of model.operators[i]."""
    plan = Plan()
    _io_locations(model, plan)
    root = {}                         # tensor -> the tensor whose memory it uses
    first, last = {}, {}
    for i, low in enumerate(lowered):
        for t in low.inputs:
            if model.tensors[t].is_const:     # constants live in flash, not in the arena
                continue
            r = root.get(t, t)
            last[r] = max(last.get(r, i), i)
        out = low.output
        # An in-place op aliases its input unless its output must land in the caller's buffer.
        if low.in_place and out not in plan.tensors:
            root[out] = root.get(low.inputs[0], low.inputs[0])
            plan.aliased.add(i)
            continue
        first[out] = i
        last[out] = max(last.get(out, i), i)
    buffers = [_Buffer(("tensor", t), model.tensors[t].nbytes, first[t], last[t])
               for t in first if t not in plan.tensors]
    buffers += [_Buffer(("scratch", i), low.scratch_bytes, i, i)
                for i, low in enumerate(lowered) if low.scratch_bytes > 0]
    _place(buffers)
    for buf in buffers:
        kind, ident = buf.key
        if kind == "tensor":
            plan.tensors[ident] = Location("arena", buf.offset)
        else:
            plan.scratch[ident] = buf.offset
    for t, r in root.items():
        plan.tensors[t] = plan.tensors[r]
    plan.arena_bytes = max((b.offset + b.size for b in buffers), default=0)
    return plan


def _place(buffers: list):
    placed = []
    for buf in sorted(buffers, key=lambda b: (-b.size, b.first, b.key)):
        live = sorted((p for p in placed if p.first <= buf.last and buf.first <= p.last),
                      key=lambda p: p.offset)
        offset = 0
        for p in live:
            if offset + buf.size <= p.offset:
                break
            offset = max(offset, _align(p.offset + p.size))
        buf.offset = offset
        placed.append(buf)

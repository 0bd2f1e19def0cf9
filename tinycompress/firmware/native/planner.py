"""Static activation memory plan.

Every activation, the graph inputs included, and every op's scratch space gets an offset in
one arena; graph outputs are written to the caller's buffer. tc_invoke copies its input into
the arena (TC_INPUT_OFFSET: a caller that writes its input there skips the copy and needs no
input buffer of its own). Buffers whose lifetimes (first writing op .. last reading op) do
not overlap may share bytes: buffers are placed largest first, each at the lowest 16-byte
aligned offset that collides with no already placed buffer alive at the same time.

In-place ops (RESHAPE) make their output an alias of their input; the alias extends the
input's lifetime. A streaming op (STREAMING_KERNELS: it writes output pixel p only after it
has read input pixels p and p + 1, and never reads further ahead) whose input dies with it
shares one buffer with its output: the input sits `delta` bytes above the output, enough
that no output write reaches an input pixel still to be read (the 1x1 convolutions of
MobileNet-style models).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

ALIGN = 16

# Kernels that stream pixels in order: output pixels p, p + 1 are written while input pixels
# p, p + 1 are read, and nothing after them (tc_conv.c with a direct 1x1 stride-1 patch;
# tc_conv_cw.c's compressed-weight variants walk the same pixel pairs the same way).
STREAMING_KERNELS = {"tc_conv2d_s8", "tc_conv2d_lut_s8", "tc_conv2d_sparse_s8", "tc_conv2d_lut_sparse_s8",
                     "tc_conv2d_huffman_s8",   # huffman: when it decodes all channels at once
                     "tc_conv2d_packed_s8"}


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


@dataclass(frozen=True)
class Location:
    space: str     # "arena" or "output" (the caller's output buffer)
    offset: int


@dataclass
class Plan:
    tensors: dict = field(default_factory=dict)     # tensor index -> Location
    scratch: dict = field(default_factory=dict)     # op index -> arena offset
    aliased: set = field(default_factory=set)       # op indices whose in-place output is an alias
    inputs: list = field(default_factory=list)      # (tensor, offset in the caller's input)
    shared: dict = field(default_factory=dict)      # op index -> bytes saved by in/out sharing
    arena_bytes: int = 0
    input_bytes: int = 0
    output_bytes: int = 0
    live: list = field(default_factory=list)        # arena bytes live during each op
    lower_bound: int = 0       # the most bytes live at once: no placement can do with less
    peak_op: int = -1          # the op where that happens (-1: the input copy)

    @property
    def caller_bytes(self) -> int:
        """RAM the caller provides besides the arena: the output buffer."""
        return self.output_bytes


@dataclass
class _Buffer:
    key: tuple           # ("tensor", index) or ("scratch", op index)
    size: int
    first: int
    last: int
    offset: int = -1


def _outputs(model, plan: Plan):
    offset = 0
    for t in model.outputs:
        if t not in plan.tensors:
            plan.tensors[t] = Location("output", offset)
        offset += model.tensors[t].nbytes
    plan.output_bytes = offset


def _stream_delta(low, n_in: int, n_out: int) -> int | None:
    """Bytes the input must sit above the output for `low` to run in one shared buffer."""
    if low.kernel not in STREAMING_KERNELS or not low.stream:
        return None
    ci, co = low.stream
    pixels = n_in // ci
    if pixels < 2 or pixels * co != n_out:
        return None
    # writing pixels p, p+1 ends at (p + 2) co; input pixel p starts at delta + p ci
    return _align(max((p + 2) * co - p * ci for p in (0, pixels - 1)))


def plan_memory(model, lowered: list) -> Plan:
    """lowered[i] is the Lowered of model.operators[i]."""
    plan = Plan()
    _outputs(model, plan)
    root = {}                         # tensor -> the tensor whose memory it uses
    first, last = {}, {}
    offset = 0
    for t in model.inputs:            # written by tc_invoke's copy before op 0
        plan.inputs.append((t, offset))
        offset += model.tensors[t].nbytes
        if t not in plan.tensors:
            first[t] = last[t] = -1
    plan.input_bytes = offset
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
    arena = [t for t in first if t not in plan.tensors]
    units, unit_of = [], {}            # a unit: buffers placed together at fixed distances
    for i, low in enumerate(lowered):
        if low.in_place or not low.inputs:
            continue
        src, out = root.get(low.inputs[0], low.inputs[0]), low.output
        if (out in unit_of or src not in arena or out not in arena or last.get(src) != i
                or first.get(out) != i or model.tensors[src].is_const):
            continue
        n_in, n_out = model.tensors[src].nbytes, model.tensors[out].nbytes
        delta = _stream_delta(low, n_in, n_out)
        if delta is None:
            continue
        # the output `delta` below the input: they overlap while op i runs; a chain of such
        # ops (1x1 after 1x1) grows one unit
        if src not in unit_of:
            unit_of[src] = len(units)
            units.append([(_Buffer(("tensor", src), n_in, first[src], i), 0)])
        unit = units[unit_of[src]]
        rel = dict((b.key[1], r) for b, r in unit)[src] - delta
        unit.append((_Buffer(("tensor", out), n_out, i, last[out]), rel))
        unit_of[out] = unit_of[src]
        plan.shared[i] = n_in + n_out - max(n_out, delta + n_in)
    for k, unit in enumerate(units):   # offsets from the unit's lowest buffer
        low_rel = min(r for _, r in unit)
        units[k] = [(b, r - low_rel) for b, r in unit]
    shared = set(unit_of)
    units += [[(_Buffer(("tensor", t), model.tensors[t].nbytes, first[t], last[t]), 0)]
              for t in arena if t not in shared]
    units += [[(_Buffer(("scratch", i), low.scratch_bytes, i, i), 0)]
              for i, low in enumerate(lowered) if low.scratch_bytes > 0]
    steps = range(-1, len(lowered))
    live = [sum(_live_extent(unit, s) for unit in units) for s in steps]
    plan.live = live[1:]
    plan.lower_bound = max(live, default=0)
    plan.peak_op = steps[live.index(plan.lower_bound)] if live else -1
    _place(units, plan.lower_bound)
    buffers = [b for unit in units for b, _ in unit]
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


def _live_extent(unit, step: int) -> int:
    """Bytes of `unit` live at `step` (its buffers may overlap: count their union)."""
    spans = sorted((rel, rel + b.size) for b, rel in unit if b.first <= step <= b.last)
    total, end = 0, None
    for lo, hi in spans:
        if end is None or lo >= end:
            total, end = total + hi - lo, hi
        elif hi > end:
            total, end = total + hi - end, hi
    return total


def plan_summary(plan: Plan, names: list) -> str:
    """One line: the arena against the lower bound and where that bound is reached."""
    where = "the input copy" if plan.peak_op < 0 else f"layer {plan.peak_op} ({names[plan.peak_op]})"
    gap = plan.arena_bytes - plan.lower_bound
    saved = sum(plan.shared.values())
    return (f"arena {plan.arena_bytes:,} B (graph input included) + output {plan.output_bytes:,} B; "
            f"lower bound {plan.lower_bound:,} B: the buffers live during {where}"
            + (f", {gap:,} B above it (placement, alignment)" if gap else ", reached")
            + (f"; {len(plan.shared)} 1x1 convolution(s) share input and output memory "
               f"(-{saved:,} B)" if saved else ""))


def _extent(unit) -> int:
    return max(rel + buf.size for buf, rel in unit)


# Placement orders tried; the plan keeps the smallest arena. Largest first is the classic
# greedy; in time order wins where a big early tensor (the input) should sit above its
# consumers' outputs.
ORDERS = (lambda u: (-_extent(u), u[0][0].first, u[0][0].key),
          lambda u: (min(b.first for b, _ in u), -_extent(u), u[0][0].key),
          lambda u: (-_extent(u) * (1 + max(b.last for b, _ in u) - min(b.first for b, _ in u)),
                     u[0][0].key))


TRIES = 200     # seeded random orders after the heuristic ones, until the bound is reached


def _place(units: list, bound: int):
    rng = random.Random(0)
    orders = [sorted(units, key=key) for key in ORDERS]
    best = None
    for k in range(len(orders) + TRIES):
        order = orders[k] if k < len(orders) else rng.sample(units, len(units))
        offsets = _place_in(order)
        size = max((off + buf.size for unit in units for (buf, _), off in zip(unit, offsets[id(unit)])),
                   default=0)
        if best is None or size < best[0]:
            best = (size, offsets)
        if best[0] <= bound:
            break
    for unit in units:
        for (buf, _), off in zip(unit, best[1][id(unit)]):
            buf.offset = off


def _place_in(units: list) -> dict:
    """Each unit at the lowest aligned offset where none of its buffers collides with a
    placed buffer alive at the same time: id(unit) -> the offsets of its buffers."""
    placed, offsets = [], {}          # placed: (first, last, lo, hi)

    def fits(base, unit):
        for buf, rel in unit:
            lo, hi = base + rel, base + rel + buf.size
            if any(f <= buf.last and buf.first <= l and lo < h and pl < hi
                   for f, l, pl, h in placed):
                return False
        return True

    for unit in units:
        candidates = {0} | {_align(h) - rel for _, _, _, h in placed for _, rel in unit}
        base = next(c for c in sorted(candidates) if c >= 0 and c % ALIGN == 0 and fits(c, unit))
        offsets[id(unit)] = [base + rel for _, rel in unit]
        placed.extend((buf.first, buf.last, base + rel, base + rel + buf.size) for buf, rel in unit)
    return offsets

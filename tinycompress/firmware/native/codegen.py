"""Render model.c / model.h for the native runtime from an int8 TFLiteModel.

check_supported -> lower every op (ops.OPS) -> plan memory (planner) -> render the
templates in firmware/runtime/templates/. The generated tc_invoke is straight-line code:
one kernel call per layer with a const parameter struct, no interpreter, no op table.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import opinfo
from ...errors import TinyCompressError
from ... import ctext
from ...ctext import c_array, c_string, c_value
from ...fileio import atomic_file
from .compressed import auto_slowdowns, compress, weight_format
from .fold import fold_shape_ops, unfolded_problem
from .lowering import LayerInfo, NativeInfo
from .ops import OPS, rules
from .ops.conv import widen as conv_widen
from .planner import plan_memory
from .weights import AUTO, DEFAULT_MAX_SLOWDOWN

def _runtime_dir() -> Path:
    from ...csrc import ROOT
    return ROOT / "runtime"


def runtime_sources() -> list:
    """The .c and .h files of the native runtime that a project compiles."""
    d = _runtime_dir()
    return sorted(list(d.glob("*.c")) + list(d.glob("*.h")))


def _template(name: str) -> Path:
    return _runtime_dir() / "templates" / name


INT32_RANGE = (-(2 ** 31), 2 ** 31 - 1)
SHIFT_RANGE = (-31, 30)         # requantization shifts the fixed-point kernels can apply
MAX_RAM_BYTES = 2 ** 31 - 1     # offsets into the arena are int32 in the kernels


def _param_problem(key, value) -> str | None:
    """Parameters: every computed kernel parameter fits its C field (int32), requantization shifts lie in [-31, 30].

    Returns why `value` cannot be emitted, or None when it can."""
    values = [] if isinstance(value, str) else np.asarray(value).ravel().tolist()
    ints = [v for v in values if isinstance(v, int)]
    wide = isinstance(value, np.ndarray) and value.dtype == np.int64    # emitted as int64_t
    if not wide and any(not INT32_RANGE[0] <= v <= INT32_RANGE[1] for v in ints):
        return f"parameter {key} does not fit the kernels' int32 fields"
    if key.endswith("shift") and any(not SHIFT_RANGE[0] <= v <= SHIFT_RANGE[1] for v in ints):
        return (f"requantization shift {max(ints, key=abs)} is out of range: the ratio of "
                "the tensors' scales is too large or too small to compute in fixed point")
    return None


# --- checks --------------------------------------------------------------------------------

def _op_problems(model, op) -> list:
    """Why this op cannot be lowered (empty when it can): its row's rules, in order."""
    shape_op = unfolded_problem(model, op)
    if shape_op:
        return [shape_op]
    spec = OPS.get(op.op)
    if spec is None:
        return [f"{op.op} is not supported by the native runtime"]
    problems = rules.problems(model, op, spec)
    if problems:
        return problems
    low = spec.lower(model, op)         # the parameters TFLM's Prepare would compute
    for key, value in list(low.params.items()) + list(low.arrays.items()):
        problem = _param_problem(key, value)
        if problem:
            return [problem]
    return []


def check_supported(model) -> list:
    """Every problem that stops the native runtime, one line per op problem, all ops."""
    model = fold_shape_ops(model)
    problems = []
    for t in model.input_tensors + model.output_tensors:
        if t.type != "INT8":
            problems.append(f"graph input/output '{t.name}' is {t.type}; expected INT8")
    for op in model.operators:
        for p in _op_problems(model, op):
            problems.append(f"{model.describe(op)}: {p}")
    if not model.operators:
        problems.append("the graph has no operators")
    if any(op.op not in OPS for op in model.operators):      # the list once, not once per op
        problems.append(f"the native runtime supports {', '.join(sorted(OPS))}")
    return problems


def require_supported(model):
    problems = check_supported(model)
    if problems:
        raise TinyCompressError(
            f"{model.source}: {len(problems)} problem(s) for the native runtime:\n  "
            + "\n  ".join(problems)
            + "\nUse --runtime tflm for this model, or change the layers named above.")


# --- rendering -----------------------------------------------------------------------------

def _pointer(loc) -> str:
    base = {"arena": "arena", "output": "output"}[loc.space]
    return f"{base} + {loc.offset}"


# Flash the int16 pre-extended CONV_2D weights may add to a model (the wide kernel of
# tc_mac.h: ~30 % fewer cycles on the DSP cores); beyond it the int8 layout stays.
WIDE_FLASH_BUDGET = 256 * 1024


def lower_model(model, weights: str = "dense", max_slowdown: float = DEFAULT_MAX_SLOWDOWN,
                wide: bool | None = None, wide_budget: int = WIDE_FLASH_BUDGET) -> list:
    """One Lowered per op of fold_shape_ops(model); `weights` picks each weight tensor's
    format (native/weights.py); `wide`: dense CONV_2D weights pre-extended to int16 (None:
    when the extra flash is within wide_budget: the board's share, see firmware/project.py)."""
    model = fold_shape_ops(model)
    return widen_model(model, _lower_narrow(model, weights, max_slowdown), wide, wide_budget)


def _flash(low) -> int:
    return sum(int(np.asarray(a).nbytes) for a in low.arrays.values())


def wide_choice(model, lowered: list, wide: bool | None = None,
                budget: int = WIDE_FLASH_BUDGET) -> tuple:
    """(widened calls by op index, the flash they add, the op indices that take them).
    Candidates: every dense CONV_2D call. wide True: all; False: none; None: all within
    `budget` bytes of extra flash, less those whose larger scratch would raise the arena."""
    widened = {i: conv_widen(model, op, low) for i, (op, low) in enumerate(zip(model.operators, lowered))
               if op.op == "CONV_2D" and low.kernel == "tc_conv2d_s8"}
    extra = sum(_flash(widened[i]) - _flash(lowered[i]) for i in widened)
    if wide is not None or not widened:
        return widened, extra, set(widened) if wide else set()
    if extra > budget:
        return widened, extra, set()
    return widened, extra, _ram_neutral(model, lowered, widened)


def _ram_neutral(model, lowered: list, widened: dict) -> set:
    """The widened layers that keep the plan's arena where the int8 calls leave it: those
    whose live bytes plus the extra scratch stay within it, dropping the fullest layer
    while the placement still grows."""
    base = plan_memory(model, lowered)
    grow = {i: base.live[i] + widened[i].scratch_bytes - lowered[i].scratch_bytes for i in widened}
    chosen = {i for i in widened if grow[i] <= base.arena_bytes}
    while chosen and plan_memory(model, [widened[i] if i in chosen else low for i, low in
                                         enumerate(lowered)]).arena_bytes > base.arena_bytes:
        chosen.remove(max(chosen, key=lambda i: (grow[i], i)))
    return chosen


def widen_model(model, lowered: list, wide: bool | None,
                budget: int = WIDE_FLASH_BUDGET) -> list:
    """The per-model int16 weight choice applied (wide_choice)."""
    return _widened(model, lowered, wide, budget)[0]


def _widened(model, lowered: list, wide: bool | None, budget: int = WIDE_FLASH_BUDGET) -> tuple:
    """(the calls after the choice, one line saying which layout and why)."""
    widened, extra, chosen = wide_choice(model, lowered, wide, budget)
    if not widened:
        return lowered, "no dense CONV_2D weights"
    if chosen:
        added = sum(_flash(widened[i]) - _flash(lowered[i]) for i in chosen)
        kept = len(widened) - len(chosen)
        return ([widened[i] if i in chosen else low for i, low in enumerate(lowered)],
                f"int16 pre-extended (2 pixel x 4 channel SMLAD core) in {len(chosen)} of "
                f"{len(widened)} dense CONV_2D layer(s), +{added:,} B flash"
                + (f"; {kept} kept int8: their wider scratch would raise the arena" if kept else ""))
    reason = ("int16 weights off (the core has no SMLAD, or asked)" if wide is False else
              f"int16 weights would add {extra:,} B flash, over the {budget:,} B budget"
              if extra > budget else "their wider scratch would raise the arena")
    return lowered, f"int8 (2 pixel x 2 channel core) in {len(widened)} dense CONV_2D layer(s): {reason}"


def wide_summary(model, weights: str = "dense", wide: bool | None = None,
                 wide_budget: int = WIDE_FLASH_BUDGET) -> str:
    """One line: which CONV_2D weight layout the generator picks for the model, and why."""
    model = fold_shape_ops(model)
    return _widened(model, _lower_narrow(model, weights), wide, wide_budget)[1]


def _lower_narrow(model, weights: str = "dense", max_slowdown: float = DEFAULT_MAX_SLOWDOWN) -> list:
    require_supported(model)
    shares = {}
    if weights in AUTO:    # budgeted against the dense build, int16 convs where it takes them
        dense = [OPS[op.op].lower(model, op) for op in model.operators]
        shares = auto_slowdowns(model, max_slowdown, weights, wide_choice(model, dense)[2])
    return [compress(model, op, OPS[op.op].lower(model, op), weights, shares.get(i, max_slowdown))[0]
            for i, op in enumerate(model.operators)]


def render(model, lowered=None, weights: str = "dense", max_slowdown: float = DEFAULT_MAX_SLOWDOWN,
           wide: bool | None = None, wide_budget: int = WIDE_FLASH_BUDGET):
    """Return (model_c, model_h, NativeInfo) without writing anything."""
    model = fold_shape_ops(model)      # the layers are the ops left once shapes are constants
    summary = ""
    if lowered is None:
        lowered, summary = _widened(model, _lower_narrow(model, weights, max_slowdown), wide,
                                    wide_budget)
    plan = plan_memory(model, lowered)
    ram = plan.arena_bytes + plan.caller_bytes
    if ram > MAX_RAM_BYTES:
        raise TinyCompressError(f"{model.source}: the model needs {ram:,} bytes of activation "
                                f"memory, more than the {MAX_RAM_BYTES:,} a 32-bit target addresses")
    constants, params, body, names = [], [], [], []
    const_tensors = {}                  # tensor index -> C array name
    layer_t, alias_t = _template("layer.c.tmpl"), _template("alias.c.tmpl")
    info = NativeInfo(arena_bytes=plan.arena_bytes, io_bytes=plan.caller_bytes, conv_weights=summary)
    copy_t = _template("input.c.tmpl")
    body += [ctext.render(copy_t, arena=_pointer(plan.tensors[t]), offset=offset,
                          bytes=model.tensors[t].nbytes) for t, offset in plan.inputs]
    for i, (op, low) in enumerate(zip(model.operators, lowered)):
        name = model.layer_name(op)
        out_bytes = model.tensors[low.output].nbytes
        info.layers.append(LayerInfo(name=name, op=op.op, macs=opinfo.macs(model, op),
                                     output_bytes=out_bytes, **weight_format(model, op, low)))
        names.append(f"    {c_string(name)},")
        fields = {k: c_value(v) for k, v in low.params.items()}
        for field_name, array in low.arrays.items():   # "rq.shift": a field of an embedded struct
            cname = f"tc_l{i}_{field_name.replace('.', '_')}"
            constants.append(c_array(cname, array))
            fields[field_name] = cname
            info.flash_bytes += int(np.asarray(array).nbytes)
        for t in low.inputs:        # constant operands (e.g. ADD x + c) live in flash
            tensor = model.tensors[t]
            if tensor.is_const and t not in const_tensors:
                const_tensors[t] = f"tc_t{t}"
                constants.append(c_array(const_tensors[t], tensor.data))
                info.flash_bytes += int(tensor.data.nbytes)
        out = _pointer(plan.tensors[low.output])
        subs = dict(index=i, op=op.op, name=name.replace("*/", "* /"), output=out,
                    output_bytes=out_bytes)
        if i in plan.aliased:
            body.append(ctext.render(alias_t, **subs))
            continue
        init = "".join(f"\n    .{k} = {v}," for k, v in fields.items()) or " 0"
        params.append(f"static const {low.params_type} tc_l{i}_params = {{{init}\n}};")
        scratch = f"arena + {plan.scratch[i]}" if i in plan.scratch else "NULL"
        inputs = ", ".join(const_tensors[t] if t in const_tensors else _pointer(plan.tensors[t])
                           for t in low.inputs) or "NULL"
        body.append(ctext.render(layer_t, **subs, kernel=low.kernel, scratch=scratch,
                                 n_inputs=max(1, len(low.inputs)), inputs=inputs))
    headers = sorted(p.name for p in _runtime_dir().glob("tc_*.h"))
    common = dict(source=Path(model.source).name, num_layers=len(lowered),
                  macs=info.macs, input_bytes=plan.input_bytes,
                  input_offset=plan.tensors[model.inputs[0]].offset if model.inputs else 0,
                  output_bytes=plan.output_bytes, arena_bytes=plan.arena_bytes)
    model_c = ctext.render(
        _template("model.c.tmpl"), **common, includes="\n".join(f'#include "{h}"' for h in headers),
        constants="\n\n".join(constants) or "/* none */",
        params="\n\n".join(params) or "/* none */",
        layer_names="\n".join(names), arena_alloc=max(16, plan.arena_bytes),
        body="\n".join(body))
    model_h = ctext.render(_template("model.h.tmpl"), **common)
    return model_c, model_h, info


def generate(model, out_dir, weights: str = "dense", max_slowdown: float = DEFAULT_MAX_SLOWDOWN,
             wide: bool | None = None, wide_budget: int = WIDE_FLASH_BUDGET) -> NativeInfo:
    """Write out_dir/model.c and out_dir/model.h (both or neither)."""
    model_c, model_h, info = render(model, weights=weights, max_slowdown=max_slowdown, wide=wide,
                                    wide_budget=wide_budget)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_file(out_dir / "model.c") as tmp_c, atomic_file(out_dir / "model.h") as tmp_h:
        tmp_c.write_text(model_c)
        tmp_h.write_text(model_h)
    return info

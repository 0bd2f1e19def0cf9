"""Checking an op against its OpSpec row: the rules every row implies, then its constraints.

Order matters: each rule may rely on the ones before it (the operand count before any
operand is read, int8 activations before their scales, the op's constraints before its
output shape is computed), so checking stops at the first rule an op breaks.
"""
from __future__ import annotations

from ..quant import ACTIVATION_BOUNDS


def operand_count(model, op, spec) -> tuple:
    """Operand count: the inputs the op needs are present, and there is one output."""
    lo, hi = spec.operands
    n = len(op.inputs)
    if not lo <= n <= hi:
        want = f"{lo}" if lo == hi else f"{lo} to {hi}"
        return False, f"{op.op} takes {want} inputs, this one has {n}"
    missing = [k for k in range(lo) if op.inputs[k] < 0]
    if missing:
        return False, f"required input {missing[0]} is missing (-1)"
    if len(op.outputs) != 1:
        return False, f"{op.op} has one output, this one has {len(op.outputs)}"
    return True, ""


def options_table(model, op, spec) -> tuple:
    """Options: the op's own BuiltinOptions table, present when TFLM needs it."""
    if spec.options is None:
        return True, ""
    if op.options_type and op.options_type != spec.options:
        return False, f"carries {op.options_type}, expected {spec.options}"
    if not op.options_type and spec.options_required:
        return False, f"has no {spec.options} (TFLM would read zeros for its fields)"
    return True, ""


def int8_activations(model, op, spec) -> tuple:
    """Activations (and the data input, even when constant) are int8 with one scale and zero point each."""
    data = op.inputs[spec.data_input]
    for t in list(op.inputs) + list(op.outputs):
        if t < 0:
            continue
        tensor = model.tensors[t]
        if tensor.is_const and t != data:      # weights, bias, shapes: the op checks
            continue
        if tensor.type != "INT8":
            return False, f"tensor '{tensor.name}' is {tensor.type}; only int8 activations are supported"
        if tensor.quant is None:
            return False, f"int8 tensor '{tensor.name}' has no quantization parameters"
        if tensor.quant.per_channel:
            return False, f"activation '{tensor.name}' has per-channel quantization"
    return True, ""


def fused_activation(model, op, spec) -> tuple:
    """Fused activation: NONE, RELU, RELU6 or RELU_N1_TO_1."""
    if op.activation not in ACTIVATION_BOUNDS:
        return False, (f"fused activation {op.activation} is not supported (only "
                       f"{', '.join(ACTIVATION_BOUNDS)})")
    return True, ""


def output_shape(model, op, spec) -> tuple:
    """Output shape: equal to the shape the op computes from its inputs and options."""
    if spec.output_shape is None:
        return True, ""
    want = tuple(int(d) for d in spec.output_shape(model, op))
    got = model.tensors[op.outputs[0]].shape
    if want != tuple(got):
        return False, (f"output '{model.tensors[op.outputs[0]].name}' has shape {list(got)}, "
                       f"but {op.op} computes {list(want)} from its inputs and options")
    return True, ""


# Rules every row implies, before and after the row's own constraints.
BEFORE = (operand_count, options_table, int8_activations, fused_activation)
AFTER = (output_shape,)


def problems(model, op, spec) -> list:
    """The first rule `op` breaks, as a one-item list (empty when it can be lowered)."""
    rules = [lambda m, o, r=r: r(m, o, spec) for r in BEFORE]
    rules += list(spec.constraints)
    rules += [lambda m, o, r=r: r(m, o, spec) for r in AFTER]
    for rule in rules:
        ok, reason = rule(model, op)
        if not ok:
            return [reason]
    return []

"""RESHAPE (and SQUEEZE / EXPAND_DIMS-like ops): the bytes do not change, so the output
aliases the input; only when the output must land in the caller's buffer is it copied."""
from __future__ import annotations

from ..lowering import Lowered
from . import OpSpec
from .common import same_quant


def check(model, op) -> list:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    problems = []
    if inp.size != out.size:
        problems.append(f"{inp.size} input elements but {out.size} output elements")
    if not same_quant(inp, out):
        problems.append("input and output quantization differ")
    return problems


def lower(model, op) -> Lowered:
    out = model.tensors[op.outputs[0]]
    return Lowered(kernel="tc_copy_s8", params_type="tc_copy_params", params={"bytes": out.nbytes},
                   arrays={}, inputs=[op.inputs[0]], output=op.outputs[0], macs=0, in_place=True)


SPECS = {"RESHAPE": OpSpec(check=check, lower=lower)}

"""The op table: TFLite op name -> OpSpec(check, lower).

How an op module registers itself:

1. Write `ops/<family>.py` with, per op, two functions:
     check(model, op) -> list[str]   problems that stop us lowering this op (empty = ok);
                                     codegen already checked that all activations are int8
                                     and that the fused activation is NONE/RELU/RELU6/RELU_N1_TO_1
     lower(model, op) -> Lowered     the kernel call (see native/lowering.py): fixed-point
                                     parameters computed here, in Python, as TFLM's Prepare does
   and a module-level table `SPECS = {"OP_NAME": OpSpec(check=..., lower=...)}`.
2. List the module name in `_MODULES` below (explicit, no source scanning).
3. Put the C kernel in firmware/runtime/tc_<family>.c/.h with the calling convention
       void tc_xxx_s8(const tc_xxx_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
   Every tc_*.h in firmware/runtime/ is included by the generated model.c, and every .c
   there is compiled into a project (native.codegen.runtime_sources()).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class OpSpec:
    check: Callable      # (model, op) -> list[str]
    lower: Callable      # (model, op) -> Lowered


_MODULES = ("pool", "elementwise", "reshape", "softmax", "logistic", "pad", "mean",
            "concatenation", "quantize", "conv", "depthwise", "fully_connected")


def _load() -> dict:
    table = {}
    for name in _MODULES:
        table.update(importlib.import_module(f"{__name__}.{name}").SPECS)
    return table


OPS: dict = _load()

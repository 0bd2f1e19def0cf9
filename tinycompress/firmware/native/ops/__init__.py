"""The op table: TFLite op name -> OpSpec, one row per op carrying everything about it.

A row holds what TFLM's Prepare would check and compute, so that nothing malformed reaches
code generation:
  operands        (min, max) number of inputs; the first `min` must be present (not -1)
  options         the BuiltinOptions table the op reads ("Conv2DOptions"), or None when it
                  reads none; another op's table is always refused
  options_required TFLM reads zeros without the table (stride 0, beta 0): refuse its absence
  output_shape    (model, op) -> the shape the op computes; the model's output must equal it
                  (None: the op only needs the element count to agree, e.g. RESHAPE)
  constraints     small Vela-style functions (model, op) -> (ok, reason); their docstrings
                  are the README's supported-ops table (tools/ops_table.py writes it)
  lower           (model, op) -> Lowered, the kernel call (see native/lowering.py)
  cases           (rng, seed) -> Case, a random one-op test model (tests/test_native_ops.py
                  runs every row's cases against TFLM, byte for byte)
MAC counts live in one table for every op, native or not: tinycompress/opinfo.py.

Adding an op (CONTRIBUTING.md): write ops/<family>.py with its constraint functions, lower,
output_shape and a `SPECS = {"OP_NAME": OpSpec(...)}` table (every module of this package
that has SPECS is a row source: nothing else lists it), and put the C kernel in
firmware/runtime/tc_<family>.c/.h with the calling convention
    void tc_xxx_s8(const tc_xxx_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
Every tc_*.h in firmware/runtime/ is included by the generated model.c, and every .c there
is compiled into a project (native.codegen.runtime_sources()).
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class OpSpec:
    lower: Callable                       # (model, op) -> Lowered
    output_shape: Callable | None         # (model, op) -> tuple
    constraints: tuple = ()               # (model, op) -> (ok, reason), checked in order
    operands: tuple = (1, 1)              # (min, max) inputs
    options: str | None = None            # BuiltinOptions table name the op reads
    options_required: bool = False
    cases: Callable | None = None         # (rng, seed) -> tests' Case
    data_input: int = 0                   # the input holding the activations (TRANSPOSE_CONV: 2)


def _load() -> dict:
    """Every module of this package with a SPECS table, in name order; two rows for one op
    name are an error (a row is declared once)."""
    table = {}
    for info in pkgutil.iter_modules(__path__):
        specs = getattr(importlib.import_module(f"{__name__}.{info.name}"), "SPECS", {})
        twice = set(specs) & set(table)
        if twice:
            raise RuntimeError(f"ops/{info.name}.py declares {', '.join(sorted(twice))} again")
        table.update(specs)
    return table


OPS: dict = _load()

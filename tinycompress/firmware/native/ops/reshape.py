"""RESHAPE (and SQUEEZE / EXPAND_DIMS-like ops): the bytes do not change, so the output
aliases the input; only when the output must land in the caller's buffer is it copied."""
from __future__ import annotations

from ..lowering import Lowered
from . import OpSpec
import numpy as np

from .cases import pick_range, seeded, tf, tf_case
from .common import same_quant, verdict


def element_count(model, op) -> tuple:
    """Input and output hold the same number of elements."""
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    return verdict([] if inp.size == out.size else
                   [f"{inp.size} input elements but {out.size} output elements"])


def equal_quantization(model, op) -> tuple:
    """Input and output quantization are equal."""
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    return verdict([] if same_quant(inp, out) else ["input and output quantization differ"])


def lower(model, op) -> Lowered:
    out = model.tensors[op.outputs[0]]
    return Lowered(kernel="tc_copy_s8", params_type="tc_copy_params", params={"bytes": out.nbytes},
                   arrays={}, inputs=[op.inputs[0]], output=op.outputs[0], in_place=True)


# The new shape (input 1 or ReshapeOptions) only names the output's shape, which is static here.
def _reshape_case(rng, seed):
    dims = [int(v) for v in rng.integers(1, 6, 3)]
    size = int(np.prod(dims))
    target = (1, size) if rng.random() < 0.5 else (1, dims[2], dims[0] * dims[1])
    fn = lambda x: tf().reshape(x, target)  # noqa: E731
    return tf_case(("RESHAPE",), fn, [(1, *dims)], [pick_range(rng)], seed, f"{dims} -> {target}")


SPECS = {"RESHAPE": OpSpec(lower=lower, output_shape=None, operands=(1, 2),
                           options="ReshapeOptions", constraints=(element_count, equal_quantization),
                           cases=seeded("RESHAPE", _reshape_case))}

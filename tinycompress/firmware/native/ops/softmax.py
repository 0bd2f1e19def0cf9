"""SOFTMAX int8 -> int8 over the last dimension; parameters as TFLM's CalculateSoftmaxParams."""
from __future__ import annotations

import math

import numpy as np

from ..lowering import Lowered
from ..quant import (calculate_input_radius, quantize_multiplier_greater_than_one,
                     tensor_scale, tensor_zero_point)
from . import OpSpec
from .cases import seeded, tf, tf_case
from .common import probability_output, same_shape, verdict

SCALED_DIFF_INTEGER_BITS = 5


def scaled_beta(model, op) -> tuple:
    """Beta times the input scale is at least 2^-26 and finite (TFLM aborts below)."""
    beta = float(np.float32(op.options.get("beta", 1.0)))
    real = beta * tensor_scale(model.tensors[op.inputs[0]]) * (1 << (31 - SCALED_DIFF_INTEGER_BITS))
    return verdict([] if math.isfinite(real) and real >= 1 else
                   [f"beta {beta:g} times the input scale is below 2^-26 (TFLM aborts on it)"])


def softmax_params(beta: float, input_scale: float) -> tuple:
    """(input_multiplier, input_left_shift, diff_min), TFLite's PreprocessSoftmaxScaling."""
    real = min(float(np.float32(beta)) * float(input_scale) * (1 << (31 - SCALED_DIFF_INTEGER_BITS)),
               (1 << 31) - 1.0)
    multiplier, left_shift = quantize_multiplier_greater_than_one(real)
    diff_min = -calculate_input_radius(SCALED_DIFF_INTEGER_BITS, left_shift)
    return multiplier, left_shift, diff_min


def lower(model, op) -> Lowered:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    depth = inp.shape[-1] if inp.shape else 1
    multiplier, left_shift, diff_min = softmax_params(op.options.get("beta", 1.0), tensor_scale(inp))
    params = dict(outer=inp.size // depth, depth=depth, input_multiplier=multiplier,
                  input_left_shift=left_shift, diff_min=diff_min)
    return Lowered(kernel="tc_softmax_s8", params_type="tc_softmax_params", params=params,
                   arrays={}, inputs=[op.inputs[0]], output=op.outputs[0])


def _softmax_case(rng, seed):
    shape = [(1, int(rng.integers(1, 41))), (1, *(int(v) for v in rng.integers(1, 6, 2)), int(rng.integers(2, 20))),
             (1, int(rng.integers(1, 5)), int(rng.integers(2, 30)))][rng.integers(3)]
    lo = -float(rng.choice([0.5, 2, 8, 30, 100]))
    hi = float(rng.choice([0.1, 1, 5, 20]))
    fn = lambda x: tf().nn.softmax(x)  # noqa: E731
    return tf_case(("SOFTMAX",), fn, [shape], [(lo, hi)], seed, f"{shape} range ({lo}, {hi})")


SPECS = {"SOFTMAX": OpSpec(lower=lower, output_shape=same_shape, options="SoftmaxOptions",
                           options_required=True, constraints=(probability_output, scaled_beta),
                           cases=seeded("SOFTMAX", _softmax_case))}

"""LOGISTIC and TANH int8 -> int8; parameters as TFLM's logistic and tanh Prepare compute
them (the same for both)."""
from __future__ import annotations

import math

import numpy as np

from ..lowering import Lowered
from ..quant import calculate_input_radius, tensor_scale, tensor_zero_point, tflite_round
from . import OpSpec
from .cases import seeded, tf, tf_case
from .common import probability_output, same_shape, verdict

INPUT_INTEGER_BITS = 4


def logistic_params(input_scale: float) -> tuple:
    """(multiplier, left_shift, range_radius): frexp of scale * 2^27, no renormalisation."""
    q, left_shift = math.frexp(float(input_scale) * float(1 << (31 - INPUT_INTEGER_BITS)))
    multiplier = tflite_round(q * (1 << 31))
    if multiplier == 1 << 31:      # TFLM casts 2^31 to int32 without the usual fix-up
        multiplier = -(1 << 31)
    return multiplier, left_shift, calculate_input_radius(INPUT_INTEGER_BITS, left_shift, 31)


def tanh_output(model, op) -> tuple:
    """Output scale 1/128 and zero point 0 (what TFLM's int8 tanh writes)."""
    out = model.tensors[op.outputs[0]]
    ok = tensor_zero_point(out) == 0 and np.float32(tensor_scale(out)) == np.float32(1 / 128)
    return verdict([] if ok else [f"output '{out.name}' must have scale 1/128 and zero point 0 "
                                  "(what TFLM's int8 tanh writes)"])


def lower(model, op, kernel: str = "tc_logistic_s8") -> Lowered:
    inp = model.tensors[op.inputs[0]]
    multiplier, left_shift, radius = logistic_params(tensor_scale(inp))
    params = dict(size=inp.size, input_zero_point=tensor_zero_point(inp),
                  input_range_radius=radius, input_multiplier=multiplier,
                  input_left_shift=left_shift)
    return Lowered(kernel=kernel, params_type="tc_logistic_params", params=params,
                   arrays={}, inputs=[op.inputs[0]], output=op.outputs[0])


def lower_tanh(model, op) -> Lowered:
    return lower(model, op, kernel="tc_tanh_s8")


def _logistic_case(rng, seed, op="LOGISTIC"):
    shape = tuple([1] + [int(v) for v in rng.integers(1, 8, int(rng.integers(1, 4)))])
    rng_ = [(-10.0, 10.0), (-0.5, 0.5), (0.0, 8.0), (-16.0, 4.0), (-3.0, 3.0), (-40.0, 40.0)][rng.integers(6)]
    fn = lambda x: (tf().sigmoid if op == "LOGISTIC" else tf().tanh)(x)  # noqa: E731
    return tf_case((op,), fn, [shape], [rng_], seed, f"{shape} range {rng_}")


SPECS = {"LOGISTIC": OpSpec(lower=lower, output_shape=same_shape, options=None,
                            constraints=(probability_output,), cases=seeded("LOGISTIC", _logistic_case)),
         "TANH": OpSpec(lower=lower_tanh, output_shape=same_shape, options=None,
                        constraints=(tanh_output,), cases=seeded("TANH", lambda rng, seed: _logistic_case(rng, seed, "TANH")))}

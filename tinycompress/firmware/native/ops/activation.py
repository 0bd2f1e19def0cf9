"""RELU, RELU6 and LEAKY_RELU as standalone int8 ops, parameters as TFLM's Prepare computes
them; one kernel (tc_leaky_relu_s8) rescales the offset input by one multiplier at or above
zero and another below it, then clamps."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import (INT8_MAX, INT8_MIN, quantize_multiplier, tensor_scale, tensor_zero_point,
                     tflite_round)
from . import OpSpec
from .cases import pick_range, seeded, tf, tf_case
from .common import same_shape

IDENTITY = (1 << 30, 1)      # multiplier 0.5 * 2^1: tc_requantize(v) == v exactly


def _scales(model, op):
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    return np.float32(tensor_scale(inp)), np.float32(tensor_scale(out)), inp, out


def _lowered(model, op, inp, out, identity, alpha, act, output_zero_point=None) -> Lowered:
    params = dict(size=inp.size, input_zero_point=tensor_zero_point(inp),
                  output_zero_point=(tensor_zero_point(out) if output_zero_point is None
                                     else output_zero_point),
                  identity_multiplier=identity[0], identity_shift=identity[1],
                  alpha_multiplier=abs(alpha[0]), alpha_shift=alpha[1],
                  alpha_negative=int(alpha[0] < 0), act_min=act[0], act_max=act[1])
    return Lowered(kernel="tc_leaky_relu_s8", params_type="tc_leaky_relu_params", params=params,
                   arrays={}, inputs=[op.inputs[0]], output=op.outputs[0])


def lower_relu(model, op) -> Lowered:
    # TFLM: multiplier from the float32 quotient of the scales; clamped at the output's zero
    s_in, s_out, inp, out = _scales(model, op)
    act_min = max(INT8_MIN, tensor_zero_point(out))
    return _lowered(model, op, inp, out, quantize_multiplier(float(s_in / s_out)), (0, 0),
                    (act_min, INT8_MAX))


def lower_relu6(model, op) -> Lowered:
    # TFLM clamps the raw input between its own zero and six: the output's scale is not read
    s_in, _, inp, out = _scales(model, op)
    zero = tensor_zero_point(inp)
    six = min(max(zero + tflite_round(float(np.float32(6.0) / s_in)), INT8_MIN), INT8_MAX)
    return _lowered(model, op, inp, out, IDENTITY, IDENTITY, (zero, six), output_zero_point=zero)


def lower_leaky_relu(model, op) -> Lowered:
    s_in, s_out, inp, out = _scales(model, op)
    alpha = np.float32(op.options.get("alpha", 0.0))
    return _lowered(model, op, inp, out, quantize_multiplier(float(s_in / s_out)),
                    quantize_multiplier(float(s_in * alpha / s_out)), (INT8_MIN, INT8_MAX))


def _case(op):
    def make(rng, seed):
        shape = tuple([1] + [int(v) for v in rng.integers(1, 8, int(rng.integers(1, 4)))])
        if op == "LEAKY_RELU":
            alpha = float(rng.choice([0.01, 0.1, 0.2, 0.3, 0.5, 0.9, 1.5, -0.25]))
            fn = lambda x: tf().nn.leaky_relu(x, alpha)  # noqa: E731
            describe = f"{shape} alpha {alpha}"
        else:
            fn = lambda x: (tf().nn.relu if op == "RELU" else tf().nn.relu6)(x)  # noqa: E731
            describe = f"{shape}"
        in_range = pick_range(rng)
        return tf_case((op,), fn, [shape], [in_range], seed, f"{describe} range {in_range}")
    return make


SPECS = {
    "RELU": OpSpec(lower=lower_relu, output_shape=same_shape, cases=seeded("RELU", _case("RELU"))),
    "RELU6": OpSpec(lower=lower_relu6, output_shape=same_shape, cases=seeded("RELU6", _case("RELU6"))),
    "LEAKY_RELU": OpSpec(lower=lower_leaky_relu, output_shape=same_shape, options="LeakyReluOptions",
                         cases=seeded("LEAKY_RELU", _case("LEAKY_RELU"))),
}

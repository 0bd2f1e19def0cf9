"""HARD_SWISH int8 -> int8, parameters as TFLM's hard-swish Prepare computes them: two
multipliers from float32 scale quotients, each cut to a Q15 int16."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import quantize_multiplier, tensor_scale, tensor_zero_point
from . import OpSpec
from .cases import pick_range, seeded, tf, tf_case
from .common import same_shape, verdict

INT16_MAX = (1 << 15) - 1
RELUISH_SCALE = np.float32(3.0) / np.float32(32768.0)   # [-3, 3] over the int16 range


def to_int16_multiplier(multiplier: int) -> int:
    """TFLite DownScaleInt32ToInt16Multiplier: the Q31 multiplier rounded to Q15."""
    if multiplier >= (1 << 31) - 1 - (1 << 15):
        return INT16_MAX
    return (multiplier + (1 << 15)) >> 16


def hard_swish_params(model, op) -> dict:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    hires = np.float32(1.0 / 128.0) * np.float32(tensor_scale(inp))
    out_m, out_e = quantize_multiplier(float(hires / np.float32(tensor_scale(out))))
    relu_m, relu_e = quantize_multiplier(float(hires / RELUISH_SCALE))
    return dict(size=inp.size, input_zero_point=tensor_zero_point(inp),
                output_zero_point=tensor_zero_point(out),
                output_multiplier=to_int16_multiplier(out_m), output_exponent=out_e,
                reluish_multiplier=to_int16_multiplier(relu_m), reluish_exponent=relu_e)


def output_scale(model, op) -> tuple:
    """The input scale is below 128 times the output scale (TFLM's output exponent <= 0)."""
    return verdict([] if hard_swish_params(model, op)["output_exponent"] <= 0 else
                   ["input scale / (128 x output scale) must be below 1 (TFLM refuses it)"])


def lower(model, op) -> Lowered:
    return Lowered(kernel="tc_hard_swish_s8", params_type="tc_hard_swish_params",
                   params=hard_swish_params(model, op), arrays={}, inputs=[op.inputs[0]],
                   output=op.outputs[0])


def _case(rng, seed):
    shape = tuple([1] + [int(v) for v in rng.integers(1, 8, int(rng.integers(1, 4)))])
    in_range = [pick_range(rng), (-8.0, 8.0), (-3.0, 3.0), (-5.0, 12.0)][rng.integers(4)]
    fn = lambda x: x * tf().nn.relu6(x + 3.0) / 6.0  # noqa: E731
    return tf_case(("HARD_SWISH",), fn, [shape], [in_range], seed, f"{shape} range {in_range}")


SPECS = {"HARD_SWISH": OpSpec(lower=lower, output_shape=same_shape, options=None,
                              constraints=(output_scale,), cases=seeded("HARD_SWISH", _case))}

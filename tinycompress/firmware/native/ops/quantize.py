"""QUANTIZE int8 -> int8 (requantize), as TFLM's quantize Prepare/Requantize compute it."""
from __future__ import annotations

from ..lowering import Lowered
from ..quant import quantize_multiplier, tensor_scale, tensor_zero_point
from . import OpSpec
import numpy as np

from .cases import Case, seeded, testmodels
from .common import same_shape, verdict


def int8_input(model, op) -> tuple:
    """Input is int8 (int8 -> int8 requantization)."""
    inp = model.tensors[op.inputs[0]]
    return verdict([] if inp.type == "INT8" else
                   [f"input '{inp.name}' is {inp.type}; only int8 -> int8 requantization is supported"])


def lower(model, op) -> Lowered:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    multiplier, shift = quantize_multiplier(tensor_scale(inp) / tensor_scale(out))
    params = dict(size=inp.size, input_zero_point=tensor_zero_point(inp),
                  output_zero_point=tensor_zero_point(out), multiplier=multiplier, shift=shift)
    return Lowered(kernel="tc_quantize_s8", params_type="tc_quantize_params", params=params,
                   arrays={}, inputs=[op.inputs[0]], output=op.outputs[0])


def _quantize_case(rng, seed):
    shape = tuple([1] + [int(v) for v in rng.integers(1, 8, int(rng.integers(1, 4)))])
    scales = np.exp(rng.uniform(np.log(1e-3), np.log(2.0), 2))
    zps = [int(z) for z in rng.choice([-128, 127, 0, int(rng.integers(-128, 128))], 2)]
    tm = testmodels()
    spec_in = tm.TensorSpec(shape, scale=float(scales[0]), zero_point=zps[0], name="in")
    spec_out = tm.TensorSpec(shape, scale=float(scales[1]), zero_point=zps[1], name="requantized")
    return Case(seed, ("QUANTIZE",), [shape], [], None,
                f"{shape} scale {scales[0]:.4g}->{scales[1]:.4g} zp {zps[0]}->{zps[1]}",
                flatbuffer=lambda: tm.build_single_op("QUANTIZE", [spec_in], [spec_out]))


SPECS = {"QUANTIZE": OpSpec(lower=lower, output_shape=same_shape, options=None,
                            constraints=(int8_input,), cases=seeded("QUANTIZE", _quantize_case))}

"""PAD and PADV2 (int8, up to 4-D, constant paddings)."""
from __future__ import annotations

from ..lowering import Lowered
from ..quant import tensor_zero_point
from . import OpSpec
from .common import same_quant, shape4


def check(model, op) -> list:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    paddings = model.tensors[op.inputs[1]]
    problems = []
    if len(inp.shape) > 4:
        problems.append(f"input has {len(inp.shape)} dimensions (at most 4 supported)")
    if not paddings.is_const:
        problems.append("the paddings are not a constant tensor")
    if not same_quant(inp, out):
        problems.append("input and output quantization differ (TFLM requires them equal)")
    if len(op.inputs) > 2 and op.inputs[2] != -1 and not model.tensors[op.inputs[2]].is_const:
        problems.append("the pad value is not a constant tensor")
    return problems


def lower(model, op) -> Lowered:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    pads = model.tensors[op.inputs[1]].data.reshape(-1, 2).astype(int).tolist()
    before = [0] * (4 - len(pads)) + [p[0] for p in pads]
    value = tensor_zero_point(out)
    if len(op.inputs) > 2 and op.inputs[2] != -1:
        value = int(model.tensors[op.inputs[2]].data.ravel()[0])
    params = dict(in_dims=shape4(inp.shape), out_dims=shape4(out.shape), before=before,
                  pad_value=value)
    return Lowered(kernel="tc_pad_s8", params_type="tc_pad_params", params=params, arrays={},
                   inputs=[op.inputs[0]], output=op.outputs[0], macs=0)


SPECS = {"PAD": OpSpec(check=check, lower=lower), "PADV2": OpSpec(check=check, lower=lower)}

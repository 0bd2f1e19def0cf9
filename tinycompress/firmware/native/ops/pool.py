"""AVERAGE_POOL_2D and MAX_POOL_2D (int8, NHWC)."""
from __future__ import annotations

from ..lowering import Lowered
from . import OpSpec
from .common import output_activation, padding_name, padding_offset, same_quant


def check(model, op) -> list:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    problems = []
    if len(inp.shape) != 4 or len(out.shape) != 4:
        problems.append(f"expected 4-D input and output, got {list(inp.shape)} -> {list(out.shape)}")
    if not same_quant(inp, out):
        problems.append("input and output quantization differ (TFLM requires them equal)")
    return problems


def _lower(kernel, model, op) -> Lowered:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    o = op.options
    b, ih, iw, c = inp.shape
    _, oh, ow, _ = out.shape
    fh, fw, sh, sw = o["filterHeight"], o["filterWidth"], o["strideH"], o["strideW"]
    pad = padding_name(op)
    act_min, act_max = output_activation(model, op)
    params = dict(batches=b, in_h=ih, in_w=iw, channels=c, out_h=oh, out_w=ow,
                  filter_h=fh, filter_w=fw, stride_h=sh, stride_w=sw,
                  pad_h=padding_offset(pad, ih, fh, sh, oh),
                  pad_w=padding_offset(pad, iw, fw, sw, ow),
                  act_min=act_min, act_max=act_max)
    return Lowered(kernel=kernel, params_type="tc_pool_params", params=params, arrays={},
                   inputs=[op.inputs[0]], output=op.outputs[0], macs=out.size * fh * fw)


def lower_avg(model, op) -> Lowered:
    return _lower("tc_avgpool_s8", model, op)


def lower_max(model, op) -> Lowered:
    return _lower("tc_maxpool_s8", model, op)


SPECS = {
    "AVERAGE_POOL_2D": OpSpec(check=check, lower=lower_avg),
    "MAX_POOL_2D": OpSpec(check=check, lower=lower_max),
}

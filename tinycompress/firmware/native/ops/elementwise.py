"""ADD and MUL (int8, 4-D broadcasting), parameters as TFLM's Prepare computes them."""
from __future__ import annotations

from ..lowering import Lowered
from ..quant import quantize_multiplier, tensor_scale, tensor_zero_point
from . import OpSpec
from .common import output_activation, shape4

ADD_LEFT_SHIFT = 20   # TFLM's headroom for int8 ADD


def broadcast_strides(in_shape, out_shape) -> list:
    """Element strides of a row-major input per output dimension; 0 where it broadcasts."""
    ins, outs = shape4(in_shape), shape4(out_shape)
    strides, step = [0] * 4, 1
    for k in range(3, -1, -1):
        strides[k] = 0 if ins[k] == 1 and outs[k] != 1 else step
        step *= ins[k]
    return strides

def check(model, op) -> list:
    a, b = (model.tensors[t] for t in op.inputs[:2])
    out = model.tensors[op.outputs[0]]
    problems = [f"tensor '{t.name}' has {len(t.shape)} dimensions (at most 4 supported)"
                for t in (a, b, out) if len(t.shape) > 4]
    if problems:
        return problems
    for t in (a, b):
        if t.type != "INT8" or t.quant is None or t.quant.per_channel:
            problems.append(f"input '{t.name}' must be per-tensor int8")
            continue
        for d_in, d_out in zip(shape4(t.shape), shape4(out.shape)):
            if d_in not in (1, d_out):
                problems.append(f"input '{t.name}' shape {list(t.shape)} does not broadcast to "
                                f"{list(out.shape)}")
                break
    return problems

def _common(model, op) -> dict:
    a, b = (model.tensors[t] for t in op.inputs[:2])
    out = model.tensors[op.outputs[0]]
    act_min, act_max = output_activation(model, op)
    return dict(dims=shape4(out.shape), strides1=broadcast_strides(a.shape, out.shape),
                strides2=broadcast_strides(b.shape, out.shape),
                input1_offset=-tensor_zero_point(a), input2_offset=-tensor_zero_point(b),
                output_offset=tensor_zero_point(out), act_min=act_min, act_max=act_max)

def lower_add(model, op) -> Lowered:
    a, b = (model.tensors[t] for t in op.inputs[:2])
    out = model.tensors[op.outputs[0]]
    s1, s2, so = tensor_scale(a), tensor_scale(b), tensor_scale(out)
    twice_max = 2 * max(s1, s2)
    m1, sh1 = quantize_multiplier(s1 / twice_max)
    m2, sh2 = quantize_multiplier(s2 / twice_max)
    mo, sho = quantize_multiplier(twice_max / ((1 << ADD_LEFT_SHIFT) * so))
    params = _common(model, op)
    params.update(input1_multiplier=m1, input1_shift=sh1, input2_multiplier=m2,
                  input2_shift=sh2, output_multiplier=mo, output_shift=sho,
                  left_shift=ADD_LEFT_SHIFT)
    return Lowered(kernel="tc_add_s8", params_type="tc_add_params", params=params, arrays={},
                   inputs=list(op.inputs[:2]), output=op.outputs[0], macs=out.size)

def lower_mul(model, op) -> Lowered:
    a, b = (model.tensors[t] for t in op.inputs[:2])
    out = model.tensors[op.outputs[0]]
    m, sh = quantize_multiplier(tensor_scale(a) * tensor_scale(b) / tensor_scale(out))
    params = _common(model, op)
    params.update(output_multiplier=m, output_shift=sh)
    return Lowered(kernel="tc_mul_s8", params_type="tc_mul_params", params=params, arrays={},
                   inputs=list(op.inputs[:2]), output=op.outputs[0], macs=out.size)

SPECS = {
    "ADD": OpSpec(check=check, lower=lower_add),
    "MUL": OpSpec(check=check, lower=lower_mul),
}


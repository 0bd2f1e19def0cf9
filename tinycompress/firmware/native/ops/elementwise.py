"""ADD, SUB, MUL, MAXIMUM and MINIMUM (int8, 4-D broadcasting), parameters as TFLM's
Prepare computes them."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import quantize_multiplier, requantize, tensor_scale, tensor_zero_point
from . import OpSpec
from .cases import activation, pick_range, seeded, tf, tf_case
from .common import output_activation, shape4, verdict

ADD_LEFT_SHIFT = 20   # TFLM's headroom for int8 ADD


def broadcast_strides(in_shape, out_shape) -> list:
    """Element strides of a row-major input per output dimension; 0 where it broadcasts."""
    ins, outs = shape4(in_shape), shape4(out_shape)
    strides, step = [0] * 4, 1
    for k in range(3, -1, -1):
        strides[k] = 0 if ins[k] == 1 and outs[k] != 1 else step
        step *= ins[k]
    return strides


def rank(model, op) -> tuple:
    """Inputs and output have at most 4 dimensions."""
    return verdict([f"tensor '{model.tensors[t].name}' has {len(model.tensors[t].shape)} "
                    "dimensions (at most 4 supported)"
                    for t in (*op.inputs, op.outputs[0]) if len(model.tensors[t].shape) > 4])


def int8_operands(model, op) -> tuple:
    """Both operands (constants included) are per-tensor int8."""
    return verdict([f"input '{t.name}' must be per-tensor int8" for t in
                    (model.tensors[i] for i in op.inputs)
                    if t.type != "INT8" or t.quant is None or t.quant.per_channel])


def broadcastable(model, op) -> tuple:
    """The two input shapes broadcast to one another (numpy rules)."""
    a, b = (model.tensors[t] for t in op.inputs)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        return False, f"input shapes {list(a.shape)} and {list(b.shape)} do not broadcast"
    return True, ""


def output_shape(model, op) -> tuple:
    a, b = (model.tensors[t] for t in op.inputs)
    return np.broadcast_shapes(a.shape, b.shape)


def _common(model, op) -> dict:
    a, b = (model.tensors[t] for t in op.inputs[:2])
    out = model.tensors[op.outputs[0]]
    act_min, act_max = output_activation(model, op)
    return dict(dims=shape4(out.shape), strides1=broadcast_strides(a.shape, out.shape),
                strides2=broadcast_strides(b.shape, out.shape),
                input1_offset=-tensor_zero_point(a), input2_offset=-tensor_zero_point(b),
                output_offset=tensor_zero_point(out), act_min=act_min, act_max=act_max)

def lower_add(model, op, kernel: str = "tc_add_s8") -> Lowered:
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
    arrays = dict(table1=scaled_inputs(params["input1_offset"], m1, sh1),
                  table2=scaled_inputs(params["input2_offset"], m2, sh2))
    return Lowered(kernel=kernel, params_type="tc_add_params", params=params, arrays=arrays,
                   inputs=list(op.inputs[:2]), output=op.outputs[0])


def scaled_inputs(offset: int, multiplier: int, shift: int) -> np.ndarray:
    """ADD/SUB's input rescale of every int8 value, indexed by its byte (0..127, then
    -128..-1): the kernels look it up instead of computing it (2 x 1 KiB of flash)."""
    values = np.arange(256).astype(np.uint8).view(np.int8).astype(np.int64)
    return requantize((values + offset) << ADD_LEFT_SHIFT, multiplier, shift).astype(np.int32)


def lower_sub(model, op) -> Lowered:
    """SUB's parameters are ADD's (TFLM's CalculateOpDataSub computes them alike)."""
    return lower_add(model, op, kernel="tc_sub_s8")


def _lower_minmax(kernel):
    def lower(model, op) -> Lowered:
        a, b = (model.tensors[t] for t in op.inputs[:2])
        out = model.tensors[op.outputs[0]]
        params = dict(dims=shape4(out.shape), strides1=broadcast_strides(a.shape, out.shape),
                      strides2=broadcast_strides(b.shape, out.shape))
        return Lowered(kernel=kernel, params_type="tc_minmax_params", params=params, arrays={},
                       inputs=list(op.inputs[:2]), output=op.outputs[0])
    return lower

def lower_mul(model, op) -> Lowered:
    a, b = (model.tensors[t] for t in op.inputs[:2])
    out = model.tensors[op.outputs[0]]
    m, sh = quantize_multiplier(tensor_scale(a) * tensor_scale(b) / tensor_scale(out))
    params = _common(model, op)
    params.update(output_multiplier=m, output_shift=sh)
    return Lowered(kernel="tc_mul_s8", params_type="tc_mul_params", params=params, arrays={},
                   inputs=list(op.inputs[:2]), output=op.outputs[0])


def _binary_case(op):
    def make(rng, seed):
        tf_ = tf()
        rank = int(rng.choice([2, 3, 4], p=[0.2, 0.2, 0.6]))
        shape = tuple(int(v) for v in rng.integers(1, 7, rank))
        shape = (1,) + shape[1:]
        other = list(shape)
        for k in range(1, rank):           # broadcast some dimensions of the second operand
            if rng.random() < 0.35:
                other[k] = 1
        if rng.random() < 0.5:
            shape, other = tuple(other), shape
        act = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"][rng.integers(4)]
        if op in ("MAXIMUM", "MINIMUM"):  # no fused activation
            act = "NONE"
        f = {"ADD": tf_.add, "SUB": tf_.subtract, "MUL": tf_.multiply, "MAXIMUM": tf_.maximum,
             "MINIMUM": tf_.minimum}[op]
        if rng.random() < 0.2:            # a constant operand, emitted in flash
            const = tf_.constant(rng.uniform(-2, 2, other).astype(np.float32))
            fn = lambda x: activation(act)(f(x, const))  # noqa: E731
            return tf_case((op,), fn, [shape], [pick_range(rng)], seed,
                        f"{shape} (+) const{tuple(other)} {act}")
        fn = lambda x, y: activation(act)(f(x, y))  # noqa: E731
        return tf_case((op,), fn, [shape, tuple(other)], [pick_range(rng), pick_range(rng)],
                    seed, f"{shape} (+) {tuple(other)} {act}")
    return make


def _row(op, lower, options):
    return OpSpec(lower=lower, output_shape=output_shape, operands=(2, 2), options=options,
                  constraints=(rank, int8_operands, broadcastable),
                  cases=seeded(op, _binary_case(op)))


SPECS = {"ADD": _row("ADD", lower_add, "AddOptions"), "SUB": _row("SUB", lower_sub, "SubOptions"),
         "MUL": _row("MUL", lower_mul, "MulOptions"),
         "MAXIMUM": _row("MAXIMUM", _lower_minmax("tc_maximum_s8"), None),
         "MINIMUM": _row("MINIMUM", _lower_minmax("tc_minimum_s8"), None)}

"""PAD and PADV2 (int8, up to 4-D, constant paddings)."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from ..quant import tensor_zero_point
from . import OpSpec
from .cases import pick_range, seeded, tf, tf_case
from .common import same_quant, shape4, verdict


def paddings(model, op) -> tuple:
    """Input of at most 4 dimensions; paddings a constant int32/int64 [rank, 2] tensor of values 0 to 65536."""
    inp, pads = model.tensors[op.inputs[0]], model.tensors[op.inputs[1]]
    if len(inp.shape) > 4:
        return False, f"input has {len(inp.shape)} dimensions (at most 4 supported)"
    if not pads.is_const or pads.type not in ("INT32", "INT64"):
        return False, "the paddings are not a constant int32/int64 tensor"
    if tuple(pads.shape) != (len(inp.shape), 2):
        return False, f"paddings of shape {list(pads.shape)} for a {len(inp.shape)}-D input"
    if pads.data.min(initial=0) < 0 or pads.data.max(initial=0) > 1 << 16:
        return False, "paddings must be between 0 and 65536"
    return True, ""


def equal_quantization(model, op) -> tuple:
    """Input and output quantization are equal (TFLM requires it)."""
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    return verdict([] if same_quant(inp, out) else
                   ["input and output quantization differ (TFLM requires them equal)"])


def pad_value(model, op) -> tuple:
    """The pad value (PADV2's third input) is one constant int8 value."""
    if len(op.inputs) < 3 or op.inputs[2] == -1:
        return True, ""
    value = model.tensors[op.inputs[2]]
    return verdict([] if value.is_const and value.type == "INT8" and value.size == 1 else
                   ["the pad value is not one constant int8 value"])


def output_shape(model, op) -> tuple:
    inp = model.tensors[op.inputs[0]]
    pads = model.tensors[op.inputs[1]].data.reshape(-1, 2).astype(np.int64)
    return tuple(int(d + a + b) for d, (a, b) in zip(inp.shape, pads))


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
                   inputs=[op.inputs[0]], output=op.outputs[0])


def _pad_case(rng, seed):
    shape = (1, *(int(v) for v in rng.integers(1, 6, 3)))
    pads = [[0, 0]] + [[int(a), int(b)] for a, b in rng.integers(0, 4, (3, 2))]
    pads[1][0] = max(pads[1][0], 1)   # all-zero paddings would be folded away
    value = 0.0 if rng.random() < 0.6 else float(rng.uniform(-1, 1))
    fn = lambda x: tf().pad(x, pads, constant_values=value)  # noqa: E731
    return tf_case(("PAD", "PADV2"), fn, [shape], [pick_range(rng)], seed, f"{shape} {pads} value {value:.2f}")


_CASES = seeded("PAD", _pad_case)      # one generator for both rows: PAD may convert to PADV2


def _row(options):
    return OpSpec(lower=lower, output_shape=output_shape, operands=(2, 3), options=options,
                  constraints=(paddings, equal_quantization, pad_value),
                  cases=_CASES)


SPECS = {"PAD": _row("PadOptions"), "PADV2": _row("PadV2Options")}

"""AVERAGE_POOL_2D and MAX_POOL_2D (int8, NHWC)."""
from __future__ import annotations

from ..lowering import Lowered
from . import OpSpec
from .cases import activation, pick_range, seeded, tf, tf_case
from .common import (output_activation, padding_name, padding_offset, same_quant, verdict,
                     window_limit_problems)
from .packing import out_size


def nhwc(model, op) -> tuple:
    """Input and output are 4-D (NHWC)."""
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    return verdict([] if len(inp.shape) == 4 and len(out.shape) == 4 else
                   [f"expected 4-D input and output, got {list(inp.shape)} -> {list(out.shape)}"])


def equal_quantization(model, op) -> tuple:
    """Input and output quantization are equal (TFLM requires it)."""
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    return verdict([] if same_quant(inp, out) else
                   ["input and output quantization differ (TFLM requires them equal)"])


def window(model, op) -> tuple:
    """Padding SAME or VALID; filter and stride at most 65536."""
    o = op.options
    problems = [] if padding_name(op) in ("SAME", "VALID") else [f"padding {padding_name(op)} is not supported"]
    return verdict(problems + window_limit_problems(
        filter=max(o["filterHeight"], o["filterWidth"]), stride=max(o["strideH"], o["strideW"])))


def output_shape(model, op) -> tuple:
    b, ih, iw, c = model.tensors[op.inputs[0]].shape
    o, pad = op.options, padding_name(op)
    return (b, out_size(pad, ih, o["filterHeight"], o["strideH"], 1),
            out_size(pad, iw, o["filterWidth"], o["strideW"], 1), c)


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
                   inputs=[op.inputs[0]], output=op.outputs[0])


def lower_avg(model, op) -> Lowered:
    return _lower("tc_avgpool_s8", model, op)


def lower_max(model, op) -> Lowered:
    return _lower("tc_maxpool_s8", model, op)


def _pool_case(op):
    def make(rng, seed):
        h, w, c = (int(v) for v in rng.integers(1, [11, 11, 7]))
        padding = ["SAME", "VALID"][rng.integers(2)]
        fh, fw = int(rng.integers(1, min(h, 4) + 1)), int(rng.integers(1, min(w, 4) + 1))
        sh, sw = (int(v) for v in rng.integers(1, 4, 2))
        act = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"][rng.integers(4)]
        pool = tf().nn.avg_pool2d if op == "AVERAGE_POOL_2D" else tf().nn.max_pool2d
        fn = lambda x: activation(act)(pool(x, (fh, fw), (sh, sw), padding))  # noqa: E731
        return tf_case((op,), fn, [(1, h, w, c)], [pick_range(rng)], seed,
                        f"{h}x{w}x{c} f{fh}x{fw} s{sh}x{sw} {padding} {act}")
    return make


def _row(op, lower):
    return OpSpec(lower=lower, output_shape=output_shape, options="Pool2DOptions",
                  options_required=True, constraints=(nhwc, equal_quantization, window),
                  cases=seeded(op, _pool_case(op)))


SPECS = {"AVERAGE_POOL_2D": _row("AVERAGE_POOL_2D", lower_avg),
         "MAX_POOL_2D": _row("MAX_POOL_2D", lower_max)}

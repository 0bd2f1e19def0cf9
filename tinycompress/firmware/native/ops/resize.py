"""RESIZE_NEAREST_NEIGHBOR (int8, 4-D, constant size): a gather of whole pixels.

TFLM picks each output row and column's source in float32 arithmetic (scale, offset, floor
or round). The sizes are constant, so the generator does that arithmetic once, in numpy
float32, which rounds every step as the device's float does, and the kernel only reads two
tables of byte offsets: no float code on the device.
"""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from . import OpSpec
from .cases import Case, pick_range, seeded, testmodels, tf, tf_case
from .common import MAX_WINDOW, verdict
from .reshape import equal_quantization


def four_d_input(model, op) -> tuple:
    """Input is 4-D (NHWC), as TFLM requires."""
    inp = model.tensors[op.inputs[0]]
    return verdict([] if len(inp.shape) == 4 else
                   [f"input has {len(inp.shape)} dimensions (TFLM requires 4)"])


def constant_size(model, op) -> tuple:
    """Size is a constant int32 tensor of 2 values (height, width), each 1 to 65536."""
    size = model.tensors[op.inputs[1]]
    if not size.is_const or size.type != "INT32" or tuple(size.shape) != (2,):
        return False, "the size is not a constant int32 tensor of 2 values (TFLM requires one)"
    if size.data.min() < 1 or size.data.max() > MAX_WINDOW:
        return False, f"output size {size.data.tolist()} must be 1 to {MAX_WINDOW} per dimension"
    return True, ""


def output_shape(model, op) -> tuple:
    inp = model.tensors[op.inputs[0]]
    h, w = (int(v) for v in model.tensors[op.inputs[1]].data.ravel())
    return (inp.shape[0], h, w, inp.shape[3])


def source_indices(out_size: int, in_size: int, align_corners: bool,
                   half_pixel_centers: bool) -> np.ndarray:
    """The input row (column) each output row (column) copies, in TFLM's float32 arithmetic:
    (i + offset) * scale, floored, or rounded half away from zero with align_corners, then
    kept in [0, in_size - 1]."""
    f32 = np.float32
    if align_corners and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    position = (np.arange(out_size, dtype=f32) + f32(0.5 if half_pixel_centers else 0.0)) * scale
    exact = position.astype(np.float64)              # float32 -> float64 is exact
    index = np.floor(exact)
    if align_corners:                                # ties away from zero (position >= 0)
        index += (exact - index) >= 0.5
    index = np.minimum(index.astype(np.int64), in_size - 1)
    return np.maximum(index, 0) if half_pixel_centers else index


def lower(model, op) -> Lowered:
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    _, in_h, in_w, depth = inp.shape
    batches, out_h, out_w, _ = out.shape
    align = bool(op.options.get("alignCorners", False))
    half = bool(op.options.get("halfPixelCenters", False))
    rows = source_indices(out_h, in_h, align, half) * (in_w * depth)
    cols = source_indices(out_w, in_w, align, half) * depth
    params = dict(batches=batches, out_h=out_h, out_w=out_w, depth=depth,
                  in_batch_bytes=in_h * in_w * depth)
    return Lowered(kernel="tc_resize_nearest_s8", params_type="tc_resize_nearest_params",
                   params=params, arrays={"row_offsets": rows.astype(np.int32),
                                          "col_offsets": cols.astype(np.int32)},
                   inputs=[op.inputs[0]], output=op.outputs[0])


def _resize_case(rng, seed):
    """Upscaling, downscaling and odd sizes, each flag combination TensorFlow emits; every
    fifth case sets both flags, which TensorFlow refuses but a flatbuffer may carry (TFLM
    runs it), so that one is written directly."""
    batch = 2 if rng.random() < 0.15 else 1
    in_hw = [int(v) for v in rng.integers(1, 10, 2)]
    depth = int(rng.choice([1, 2, 3, 4, 8, 16]))
    if rng.random() < 0.3:                           # UpSampling2D: integer factors
        out_hw = [d * int(rng.integers(1, 4)) for d in in_hw]
    else:
        out_hw = [int(v) for v in rng.integers(1, 17, 2)]
    if out_hw == in_hw:
        out_hw[1] += 1
    flags = [(False, False), (True, False), (False, True)][seed % 3]
    if seed % 5 == 4:
        flags = (True, True)
    shape, out_shape = (batch, *in_hw, depth), (batch, *out_hw, depth)
    describe = f"{shape} -> {out_hw} align_corners {flags[0]} half_pixel_centers {flags[1]}"
    if flags == (True, True):
        return _flatbuffer_case(rng, seed, shape, out_shape, flags, describe)
    fn = lambda x: tf().compat.v1.image.resize_nearest_neighbor(  # noqa: E731
        x, out_hw, align_corners=flags[0], half_pixel_centers=flags[1])
    in_range = pick_range(rng)
    return tf_case(("RESIZE_NEAREST_NEIGHBOR",), fn, [shape], [in_range], seed,
                   f"{describe} range {in_range}")


def _flatbuffer_case(rng, seed, shape, out_shape, flags, describe) -> Case:
    scale = float(np.exp(rng.uniform(np.log(1e-3), np.log(1.0))))
    zp = int(rng.integers(-128, 128))

    def build():
        from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
        tm = testmodels()
        options = schema.ResizeNearestNeighborOptionsT()
        options.alignCorners, options.halfPixelCenters = flags
        size = np.array(out_shape[1:3], np.int32)
        return tm.build_single_op(
            "RESIZE_NEAREST_NEIGHBOR",
            [tm.TensorSpec(shape, scale=scale, zero_point=zp, name="in"),
             tm.TensorSpec((2,), type="INT32", data=size, name="size")],
            [tm.TensorSpec(out_shape, scale=scale, zero_point=zp, name="out")],
            options, "ResizeNearestNeighborOptions")

    return Case(seed, ("RESIZE_NEAREST_NEIGHBOR",), [shape], [], None,
                f"{describe} scale {scale:.3g} zero point {zp}", flatbuffer=build)


SPECS = {"RESIZE_NEAREST_NEIGHBOR": OpSpec(
    lower=lower, output_shape=output_shape, operands=(2, 2), options="ResizeNearestNeighborOptions",
    constraints=(four_d_input, constant_size, equal_quantization),
    cases=seeded("RESIZE_NEAREST_NEIGHBOR", _resize_case))}

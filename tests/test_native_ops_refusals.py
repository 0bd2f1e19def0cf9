"""What the native runtime refuses for the slicing and resizing ops, next to what the TFLM host
interpreter does with the same one-op model: where TFLM refuses, we refuse too; where TFLM
runs but computes something else than TensorFlow (masks it ignores) or leaves output bytes
unwritten (its Prepare and Eval disagree, or the output is larger than the size says), we
refuse in one line that names the reason."""
import numpy as np
import pytest
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

import testmodels as tm
from tinycompress import tflm_host
from tinycompress.errors import TinyCompressError
from tinycompress.firmware.native.codegen import check_supported
from tinycompress.tflite_model import parse_tflite


def _int32(name, values):
    return tm.TensorSpec((len(values),), type="INT32", data=np.array(values, np.int32), name=name)


def _act(shape, name):
    return tm.TensorSpec(tuple(shape), scale=0.05, zero_point=3, name=name)


def _slice(shape, begin, end, strides, out_shape, begin_input=False, **masks):
    options = schema.StridedSliceOptionsT()
    for key, value in masks.items():
        setattr(options, key, value)
    first = (tm.TensorSpec((len(begin),), type="INT32", name="begin") if begin_input
             else _int32("begin", begin))
    return tm.build_single_op("STRIDED_SLICE", [_act(shape, "in"), first, _int32("end", end),
                                                _int32("strides", strides)],
                              [_act(out_shape, "out")], options, "StridedSliceOptions")


def _resize(shape, size, out_shape, size_input=False):
    options = schema.ResizeNearestNeighborOptionsT()
    size_spec = (tm.TensorSpec((2,), type="INT32", name="size") if size_input
                 else _int32("size", size))
    return tm.build_single_op("RESIZE_NEAREST_NEIGHBOR", [_act(shape, "in"), size_spec],
                              [_act(out_shape, "out")], options, "ResizeNearestNeighborOptions")


def _tconv(weights_type="INT8", output=(1, 8, 8, 2), output_shape=(1, 8, 8, 2)):
    options = schema.TransposeConvOptionsT()
    options.strideH = options.strideW = 2
    weights = tm.TensorSpec((2, 3, 3, 3), type=weights_type,
                            scale=0.02 if weights_type == "INT8" else None,
                            data=np.ones((2, 3, 3, 3), np.int8 if weights_type == "INT8" else np.float32),
                            name="w")
    return tm.build_single_op("TRANSPOSE_CONV", [_int32("shape", list(output_shape)), weights,
                                                 _act((1, 4, 4, 3), "in")],
                              [_act(output, "out")], options, "TransposeConvOptions")


# (model, what our refusal says, whether TFLM refuses the model too)
CASES = {
    "slice-zero-stride": (lambda: _slice((1, 4, 4), [0, 0, 0], [1, 4, 4], [1, 0, 1], (1, 4, 4)),
                          "a stride is 0", True),
    "slice-5d": (lambda: _slice((1, 2, 2, 2, 2), [0] * 5, [1, 2, 2, 2, 1], [1] * 5,
                                (1, 2, 2, 2, 1)), "5 dimensions", True),
    "slice-begin-not-constant": (lambda: _slice((1, 4), [0, 1], [1, 3], [1, 1], (1, 2),
                                                begin_input=True), "'begin' is INT32", True),
    "slice-wrong-output-shape": (lambda: _slice((1, 6), [0, 1], [1, 5], [1, 1], (1, 3)),
                                 "computes [1, 4]", True),
    # TFLM reads the ellipsis mask as 0 and slices [0:2, 1:3] where TensorFlow would not
    "slice-ellipsis": (lambda: _slice((2, 4), [0, 1], [2, 3], [1, 1], (2, 2), ellipsisMask=1),
                       "ellipsisMask set", False),
    # a backward shrink: TFLM's Prepare keeps one row, its Eval copies none
    "slice-backward-shrink": (lambda: _slice((3, 4), [1, 0], [0, 4], [-1, 1], (4,),
                                             shrinkAxisMask=1), "would copy 0 of the 4", False),
    "tconv-float-weights": (lambda: _tconv(weights_type="FLOAT32"), "weights 'w' are FLOAT32", True),
    # TFLM takes the output tensor's shape and ignores the output-shape input
    "tconv-output-shape-differs": (lambda: _tconv(output=(1, 8, 9, 2)), "computes [1, 8, 8, 2]",
                                   False),
    "resize-3d": (lambda: _resize((4, 4, 2), [8, 8], (8, 8, 2)), "TFLM requires 4", True),
    "resize-size-not-constant": (lambda: _resize((1, 4, 4, 2), [8, 8], (1, 8, 8, 2),
                                                 size_input=True), "'size' is INT32", True),
    # TFLM copies size[0] x size[1] pixels whatever the output's shape says
    "resize-output-larger": (lambda: _resize((1, 4, 4, 2), [8, 8], (1, 8, 9, 2)),
                             "computes [1, 8, 8, 2]", False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_native_refuses_in_one_line_naming_the_reason(name):
    build, reason, _ = CASES[name]
    problems = check_supported(parse_tflite(build(), name))
    assert any(reason in p for p in problems), problems


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_tflm_refuses_the_same_models_or_runs_what_we_refuse_to_copy(name):
    build, _, tflm_refuses = CASES[name]
    data = build()
    vectors = [[np.zeros(t.shape, t.dtype) for t in parse_tflite(data, name).input_tensors]]
    if tflm_refuses:
        with pytest.raises(TinyCompressError):
            tflm_host.run(data, vectors)
    else:
        tflm_host.run(data, vectors)           # TFLM runs it: our refusal is the safe side

"""A Keras Reshape in a model with a free batch converts to SHAPE -> STRIDED_SLICE -> PACK ->
RESHAPE (int32 shape arithmetic at run time). The native runtime evaluates that chain when it
generates code: the RESHAPE becomes a plain alias, and the model runs byte for byte as in TFLM.
A shape the converter could not work out (Reshape((-1, n))) is refused when the model is read,
naming the fix; an int32 value that depends on data is refused naming the op."""
import numpy as np
import pytest
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

import testmodels as tm
from test_native_byom_models import convert_keras
from tinycompress import tflm_host
from tinycompress.errors import TinyCompressError
from tinycompress.firmware.native.codegen import check_supported
from tinycompress.firmware.native.fold import fold_shape_ops
from tinycompress.firmware.native.hostbuild import HostModel
from tinycompress.inspect import inspect_model
from tinycompress.tflite_model import parse_tflite, read_tflite


def _reshape_net(target):
    def build(keras):
        layers = keras.layers
        inp = keras.Input((6, 4, 2))
        x = layers.Conv2D(4, 3, padding="same")(inp)
        x = layers.Reshape(target)(x)
        x = layers.Conv1D(3, 3)(x)
        return keras.Model(inp, layers.Dense(2)(layers.Flatten()(x)))
    return build


def test_keras_reshape_chain_folds_to_an_alias_and_runs_as_tflm(tmp_path):
    tflite, _ = convert_keras("reshape", _reshape_net((12, 8)), (6, 4, 2), tmp_path, classes=2)
    model = read_tflite(tflite)
    assert {"SHAPE", "STRIDED_SLICE", "PACK"} <= {op.op for op in model.operators}
    folded = fold_shape_ops(model)
    assert [op.op for op in folded.operators] == ["CONV_2D", "RESHAPE", "EXPAND_DIMS", "CONV_2D",
                                                  "RESHAPE", "FULLY_CONNECTED"]
    new_shape = folded.tensors[folded.operators[1].inputs[1]]
    assert new_shape.is_const and new_shape.data.tolist() == [1, 12, 8]
    assert check_supported(model) == []
    report = inspect_model(tflite, run_tflm=False)
    assert report.native_problems == [] and all(use.native for use in report.ops)
    vectors = tm.random_inputs(model, 6, seed=1)
    ours = HostModel(model, tmp_path / "host").run(vectors)
    theirs = tflm_host.run(model.data, vectors).outputs
    for mine, ref in zip(ours, theirs):
        np.testing.assert_array_equal(mine[0], ref[0])


def test_reshape_with_an_inferred_dimension_is_refused_naming_the_fix(tmp_path):
    with pytest.raises(TinyCompressError, match=r"dynamic shape .*fixed input shape \(batch 1\)"):
        convert_keras("reshape", _reshape_net((-1, 8)), (6, 4, 2), tmp_path, classes=2)


def test_shape_arithmetic_on_run_time_data_is_refused_naming_the_op():
    options = schema.StridedSliceOptionsT()
    ints = lambda name, v: tm.TensorSpec((1,), type="INT32", data=np.array(v, np.int32), name=name)  # noqa: E731
    data = tm.build_single_op("STRIDED_SLICE", [tm.TensorSpec((4,), type="INT32", name="dims"),
                                                ints("b", [1]), ints("e", [2]), ints("s", [1])],
                              [tm.TensorSpec((1,), type="INT32", name="out")], options,
                              "StridedSliceOptions")
    model = parse_tflite(data, "slice.tflite")
    assert fold_shape_ops(model) is model
    assert any("STRIDED_SLICE computes an int32 shape from a value known only at run time" in p
               for p in check_supported(model))

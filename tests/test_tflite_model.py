"""The .tflite reader rejects every malformed model before TFLM or codegen sees it."""
from collections import Counter

import flatbuffers
import numpy as np
import pytest

from tinycompress.errors import TinyCompressError
from tinycompress.tflite_model import (MAX_TENSOR_BYTES, parse_tflite, read_tflite,
                                       require_full_int8, schema)


@pytest.fixture(scope="module")
def int8_model_bytes():
    from tinycompress.tfcompat import keras, tf
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.layers.Input((6, 6, 2), batch_size=1),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(3),
    ])
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    rng = np.random.default_rng(0)
    converter.representative_dataset = lambda: ([rng.random((1, 6, 6, 2), np.float32)] for _ in range(8))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def mutate(data, change):
    """Unpack the flatbuffer, let `change(model_t)` edit it, and pack it again."""
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(bytearray(data), 0))
    change(model)
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def graph(m):
    return m.subgraphs[0]


def conv_op(m):
    return graph(m).operators[0]


def weight_tensor(m):
    return graph(m).tensors[conv_op(m).inputs[1]]


def activation_tensor(m):
    return graph(m).tensors[conv_op(m).outputs[0]]


def test_valid_model_reads_with_its_ops_and_quantization(int8_model_bytes):
    model = parse_tflite(int8_model_bytes, "ok.tflite")
    assert [op.op for op in model.operators] == ["CONV_2D", "RESHAPE", "FULLY_CONNECTED"]
    require_full_int8(model)
    weights = model.tensors[model.operators[0].inputs[1]]
    assert weights.data.dtype == np.int8 and weights.data.shape == (4, 3, 3, 2)
    assert weights.quant.per_channel and weights.quant.scale.size == 4


def test_repacked_model_is_unchanged_in_content(int8_model_bytes):
    again = parse_tflite(mutate(int8_model_bytes, lambda m: None))
    original = parse_tflite(int8_model_bytes)
    for a, b in zip(original.tensors, again.tensors):
        assert a.shape == b.shape and a.type == b.type
        if a.is_const:
            assert np.array_equal(a.data, b.data)


def _set(obj, attr, value):
    setattr(obj, attr, value)


MALFORMED = {
    "schema version": (lambda m: _set(m, "version", 2), "schema version 2"),
    "two subgraphs": (lambda m: m.subgraphs.append(m.subgraphs[0]), "2 subgraphs"),
    "scale zero": (lambda m: _set(activation_tensor(m).quantization, "scale", [0.0]), "scale 0.0"),
    "scale nan": (lambda m: _set(activation_tensor(m).quantization, "scale", [float("nan")]), "scale nan"),
    "scale negative": (lambda m: _set(activation_tensor(m).quantization, "scale", [-0.5]), "scale -0.5"),
    "zero point out of range": (lambda m: _set(activation_tensor(m).quantization, "zeroPoint", [300]),
                                "zero point 300"),
    "per-channel count": (lambda m: (_set(weight_tensor(m).quantization, "scale", [0.1] * 3),
                                     _set(weight_tensor(m).quantization, "zeroPoint", [0] * 3)),
                          "3 per-channel scales"),
    "tensor index": (lambda m: _set(conv_op(m), "inputs", [999] + list(conv_op(m).inputs[1:])),
                     "input tensor index 999 out of range"),
    "buffer index": (lambda m: _set(weight_tensor(m), "buffer", 999), "buffer index 999 out of range"),
    "input is output": (lambda m: _set(conv_op(m), "outputs", [conv_op(m).inputs[0]]),
                        "both an input and an output"),
    "buffer size": (lambda m: _set(m.buffers[weight_tensor(m).buffer], "data",
                                   np.zeros(5, np.uint8)), "buffer holds 5 bytes"),
    "zero dimension": (lambda m: _set(activation_tensor(m), "shape", [1, 0, 4, 4]), "dimension of size 0"),
    "dynamic shape": (lambda m: _set(activation_tensor(m), "shapeSignature", [1, -1, 4, 4]), "dynamic shape"),
    "zero stride": (lambda m: _set(conv_op(m).builtinOptions, "strideW", 0), "strideW = 0"),
    "opcode index": (lambda m: _set(conv_op(m), "opcodeIndex", 50), "operator code index 50"),
    "cycle": (lambda m: _set(conv_op(m), "inputs", [graph(m).operators[1].outputs[0]] + list(conv_op(m).inputs[1:])),
              "before any op writes it"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_model_is_rejected_with_a_named_reason(int8_model_bytes, case):
    change, expected = MALFORMED[case]
    bad = mutate(int8_model_bytes, change)
    with pytest.raises(TinyCompressError) as err:
        parse_tflite(bad, "bad.tflite")
    message = str(err.value)
    assert message.startswith("bad.tflite:")
    assert expected in message


@pytest.mark.parametrize("content, expected", [
    (b"", "empty"),
    (b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n", "Git LFS pointer"),
    (b"<!DOCTYPE html><html><body>404</body></html>", "HTML page"),
    (b"\x89HDF\r\n\x1a\n" + bytes(64), "Keras .h5"),
    (bytes(np.random.default_rng(1).integers(0, 256, 512, dtype=np.uint8)), "no 'TFL3' identifier"),
])
def test_files_that_are_not_flatbuffers_are_named(tmp_path, content, expected):
    path = tmp_path / "model.tflite"
    path.write_bytes(content)
    with pytest.raises(TinyCompressError, match=expected):
        read_tflite(path)


def test_truncated_model_is_rejected(int8_model_bytes):
    with pytest.raises(TinyCompressError, match="truncated or corrupt"):
        parse_tflite(int8_model_bytes[: len(int8_model_bytes) // 3], "cut.tflite")


def test_flipped_bits_are_refused_as_user_errors_or_read_as_consistent_models(int8_model_bytes):
    """Any other exception fails the test; a flipped model that is accepted must still hold
    every invariant the reader promises, and flips in the graph's structure are caught."""
    rng = np.random.default_rng(7)
    outcomes = Counter()
    for _ in range(40):
        data = bytearray(int8_model_bytes)
        for pos in rng.integers(8, len(data), 4):
            data[pos] ^= 1 << int(rng.integers(0, 8))
        try:
            model = parse_tflite(bytes(data), "flipped.tflite")
        except TinyCompressError as exc:
            assert str(exc).startswith("flipped.tflite: ") and "\n" not in str(exc)
            outcomes["refused"] += 1
            continue
        outcomes["accepted"] += 1
        n = len(model.tensors)
        for op in model.operators:
            assert all(-1 <= t < n for t in op.inputs) and all(0 <= t < n for t in op.outputs)
        for t in model.tensors:
            assert t.data is None or t.data.shape == t.shape
            assert t.nbytes <= MAX_TENSOR_BYTES
        assert set(model.inputs).isdisjoint(model.outputs)
    assert outcomes["refused"] >= 5, outcomes


def test_missing_file_is_named(tmp_path):
    with pytest.raises(TinyCompressError, match="no such file"):
        read_tflite(tmp_path / "nope.tflite")


def test_float_model_is_rejected_with_the_representative_data_hint():
    from tinycompress.tfcompat import keras, tf
    model = keras.Sequential([keras.layers.Input((4,)), keras.layers.Dense(2)])
    float_bytes = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    with pytest.raises(TinyCompressError, match="float model.*representative data"):
        require_full_int8(parse_tflite(float_bytes, "float.tflite"))

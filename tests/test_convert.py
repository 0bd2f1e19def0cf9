"""Full-int8 conversion: the file is int8 from input to output, runs in TFLM, is scored there."""
import gzip

import numpy as np
import pytest

from tinycompress import tflite_eval
from tinycompress.convert import convert_to_int8
from tinycompress.data import Dataset
from tinycompress.errors import TinyCompressError
from tinycompress.tflite_model import read_tflite, require_full_int8


def test_convert_writes_full_int8_model_with_int8_io(tiny_int8):
    path, _, report = tiny_int8
    model = read_tflite(path)
    require_full_int8(model)  # raises on any float tensor
    assert [t.type for t in model.input_tensors + model.output_tensors] == ["INT8", "INT8"]
    assert report.int8_tflite_bytes == path.stat().st_size
    assert report.int8_gzip_bytes == len(gzip.compress(path.read_bytes(), 9, mtime=0))


def test_convert_float_baseline_is_float_and_larger(tiny_int8):
    path, float_path, report = tiny_int8
    with pytest.raises(TinyCompressError, match="float model"):
        require_full_int8(read_tflite(float_path))
    assert report.float_tflite_bytes == float_path.stat().st_size > path.stat().st_size


def test_int8_accuracy_is_measured_in_tflm_and_close_to_float(tiny_int8, digits_data):
    path, _, report = tiny_int8
    again = tflite_eval.score(path.read_bytes(), digits_data.x_test, digits_data.y_test)
    assert again.accuracy == report.int8_accuracy
    assert report.test_samples == len(digits_data.x_test)
    assert report.arena_bytes and report.arena_bytes > 0
    assert abs(report.int8_accuracy - report.float_accuracy) < 0.05


def test_tflm_score_matches_an_independent_argmax(tiny_int8, digits_data):
    """Quantize by hand, run TFLM once per sample, compare with the scorer's accuracy."""
    from tinycompress import tflm_host
    path, _, report = tiny_int8
    model = read_tflite(path)
    inp = model.input_tensors[0]
    x = digits_data.x_test[:40]
    q = np.clip(np.floor(x / inp.quant.scale[0] + 0.5) + inp.quant.zero_point[0], -128, 127)
    out = tflm_host.run(path.read_bytes(), [[s[None].astype(np.int8)] for s in q])
    pred = np.array([o[0].argmax() for o in out.outputs])
    score = tflite_eval.score(path.read_bytes(), x, digits_data.y_test[:40])
    assert score.accuracy == pytest.approx(np.mean(pred == digits_data.y_test[:40]))


def test_convert_loads_a_model_file(tiny_classifier, digits_data, tmp_path):
    _, h5 = tiny_classifier
    out = tmp_path / "from_file.tflite"
    report = convert_to_int8(h5, digits_data, out, representative_samples=20)
    require_full_int8(read_tflite(out))
    assert report.source == str(h5)
    assert report.representative_samples == 20


def test_convert_handles_a_quantization_aware_model(tiny_classifier, digits_data, tmp_path):
    import tensorflow_model_optimization as tfmot
    from tinycompress.tfcompat import keras
    model = tiny_classifier[0]
    qat = tfmot.quantization.keras.quantize_model(keras.models.clone_model(model))
    qat.compile("adam", "sparse_categorical_crossentropy")
    qat.fit(digits_data.x_train[:256], digits_data.y_train[:256], epochs=1, verbose=0)
    out = tmp_path / "qat.tflite"
    report = convert_to_int8(qat, digits_data, out, representative_samples=20)
    require_full_int8(read_tflite(out))
    assert 0.0 <= report.int8_accuracy <= 1.0


def test_convert_autoencoder_reports_reconstruction_error(digits_data, tmp_path):
    from tinycompress.tfcompat import keras
    keras.utils.set_random_seed(0)
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    data = Dataset("digits-flat", flat(digits_data.x_train), np.zeros(len(digits_data.x_train)),
                   flat(digits_data.x_test), (digits_data.y_test == 0).astype(np.int32), 1,
                   task="autoencode")
    model = keras.Sequential([keras.layers.Input((64,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(64)])
    model.compile("adam", "mse")
    model.fit(data.x_train, data.x_train, epochs=3, verbose=0)
    report = convert_to_int8(model, data, tmp_path / "ae.tflite", representative_samples=50)
    assert report.task == "autoencode" and report.int8_accuracy is None
    assert report.int8_mse > 0 and report.float_mse > 0
    assert report.int8_mse < 10 * report.float_mse
    assert 0.0 <= report.int8_auc <= 1.0  # y_test marks the zeros as "anomalies"


def test_failed_conversion_leaves_no_file(tiny_classifier, digits_data, tmp_path):
    from dataclasses import replace
    bad = replace(digits_data, x_train=digits_data.x_train[:, :4], x_test=digits_data.x_test[:, :4])
    out = tmp_path / "never.tflite"
    with pytest.raises(TinyCompressError, match="shape"):
        convert_to_int8(tiny_classifier[0], bad, out)
    assert list(tmp_path.iterdir()) == []


def test_digits_cnn_int8_ptq_within_one_point_of_float(tmp_path):
    """Acceptance: the zoo digits CNN, trained fully, loses < 1.0 pp in int8 PTQ (TFLM)."""
    from tinycompress.zoo import train
    model, data, metrics = train("digits-cnn")
    report = convert_to_int8(model, data, tmp_path / "digits.tflite")
    print(f"digits-cnn float {100 * report.float_accuracy:.2f} %, "
          f"int8 (TFLM) {100 * report.int8_accuracy:.2f} %")
    assert report.float_accuracy >= 0.95
    assert report.float_accuracy - report.int8_accuracy <= 0.010

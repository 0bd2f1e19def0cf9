"""tinycompress.metrics: the one quantizer (TFLite's rounding), task inference and metrics."""
import numpy as np
import pytest

from tinycompress.metrics import (accuracy, auc, dequantize, infer_task, labels, quantize,
                                  reconstruction_errors)


def test_quantize_rounds_half_away_from_zero_and_saturates():
    q = quantize(np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 300.0, -300.0]), 1.0, 0)
    assert q.tolist() == [1, 2, 3, -1, -2, -3, 127, -128]       # np.round: 0, 2, 2, -0, -2, -2


def test_quantize_halves_with_a_scale_and_zero_point():
    scale, zp = 0.25, -5
    x = np.array([0.125, 0.375, -0.125, -0.375])                  # x / scale = +-0.5, +-1.5
    assert quantize(x, scale, zp).tolist() == [zp + 1, zp + 2, zp - 1, zp - 2]
    assert dequantize(quantize(x, scale, zp), scale, zp).tolist() == [0.25, 0.5, -0.25, -0.5]


def test_quantize_other_integer_types():
    assert quantize([70000.0, -1.5], 1.0, 0, dtype=np.int16).tolist() == [32767, -2]


def test_accuracy_takes_int8_scores_and_one_hot_labels():
    out = np.array([[1, -3], [-128, 127], [5, 5]], np.int8)
    assert accuracy(out, [0, 1, 1]) == pytest.approx(2 / 3)       # a tie goes to the first
    assert labels(np.eye(3)[[2, 0]]).tolist() == [2, 0]


def test_auc_of_one_class_is_nan_and_ties_count_half():
    assert np.isnan(auc([1.0, 2.0], [1, 1]))
    assert auc([0.3, 0.3], [0, 1]) == 0.5


def test_reconstruction_errors_per_sample():
    x = np.zeros((2, 2, 2))
    assert reconstruction_errors(np.array([[0, 0, 0, 0], [1, 1, 1, 1]]), x).tolist() == [0, 1]


class _T:
    def __init__(self, size):
        self.size = size


class _TFLite:                         # the attributes infer_task reads of a TFLiteModel
    def __init__(self, ins, outs):
        self.input_tensors, self.output_tensors = [_T(n) for n in ins], [_T(n) for n in outs]


def test_infer_task_from_input_and_output_sizes():
    assert infer_task(_TFLite([64], [64])) == "autoencode"
    assert infer_task(_TFLite([64], [10])) == "classify"
    assert infer_task(_TFLite([64, 64], [64])) == "classify"

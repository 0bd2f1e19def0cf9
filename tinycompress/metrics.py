"""The numbers every stage reports, computed one way: int8 quantize/dequantize (TFLite's
rounding), task inference, top-1 accuracy, reconstruction error and anomaly AUC.

No TensorFlow and no other tinycompress module: convert, evaluate, tflite_eval and the
firmware's golden vectors all import from here, so none of them imports another for a metric.
"""
from __future__ import annotations

import numpy as np

TASKS = ("classify", "autoencode")


# --- int8 <-> float ------------------------------------------------------------------------

def quantize(x, scale: float, zero_point: int, dtype=np.int8) -> np.ndarray:
    """Float -> integer as TFLite does it: round half away from zero (np.round would round
    half to even: 2.5 -> 2 where TFLite gives 3), add the zero point, saturate."""
    info = np.iinfo(dtype)
    v = np.asarray(x, dtype=np.float64) / scale
    q = np.sign(v) * np.floor(np.abs(v) + 0.5) + zero_point
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize(q, scale: float, zero_point: int) -> np.ndarray:
    return (np.asarray(q, dtype=np.float32) - zero_point) * np.float32(scale)


# --- tasks ---------------------------------------------------------------------------------

def infer_task(model) -> str:
    """One output with as many values as the one input: a reconstruction ("autoencode");
    anything else a classifier. `model` is a Keras model or a parsed TFLiteModel."""
    if hasattr(model, "input_tensors"):
        ins = [t.size for t in model.input_tensors]
        outs = [t.size for t in model.output_tensors]
    else:
        ins = [int(np.prod(t.shape[1:])) for t in model.inputs]
        outs = [int(np.prod(t.shape[1:])) for t in model.outputs]
    return "autoencode" if len(ins) == 1 and len(outs) == 1 and ins == outs else "classify"


def primary_metric(task: str) -> str:
    """The number that stands for quality: accuracy for classifiers, AUC for autoencoders."""
    return "auc" if task == "autoencode" else "accuracy"


# --- classifiers ---------------------------------------------------------------------------

def labels(y, n: int | None = None) -> np.ndarray:
    """Integer labels from integer labels or one-hot rows."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    return y.reshape(len(y) if n is None else n).astype(np.int64)


def accuracy(outputs, y) -> float:
    """Top-1 accuracy of a batch of outputs (scores, logits or int8: argmax is unchanged by
    an output scale) against integer or one-hot labels."""
    outputs = np.asarray(outputs)
    return float(np.mean(outputs.reshape(len(outputs), -1).argmax(axis=1)
                         == labels(y, len(outputs))))


def top1_accuracy(predict, x, y) -> float:
    return accuracy(predict(x), y)


# --- autoencoders --------------------------------------------------------------------------

def reconstruction_errors(outputs, x) -> np.ndarray:
    """Per-sample mean squared error between inputs `x` and their reconstructions."""
    x = np.asarray(x, np.float32).reshape(len(x), -1)
    return np.mean((np.asarray(outputs, np.float32).reshape(x.shape) - x) ** 2, axis=1)


def auc(scores, y) -> float:
    """Area under the ROC curve of anomaly scores (label 1 anomalous, 0 normal; ties count
    half), by scikit-learn. NaN when one class is absent."""
    from sklearn.metrics import roc_auc_score
    y = np.asarray(y).reshape(-1).astype(bool)
    if y.all() or not y.any():
        return float("nan")
    return float(roc_auc_score(y, np.asarray(scores, np.float64).reshape(-1)))


def autoencoder_metrics(errors, y) -> dict:
    """Reconstruction MSE over the normal samples (label 0; all samples when there are no
    labels) and the anomaly AUC of the per-sample errors."""
    errors = np.asarray(errors, np.float64)
    if y is None:
        return {"reconstruction_mse": float(errors.mean()), "auc": float("nan")}
    normal = np.asarray(y).reshape(-1) == 0
    return {"reconstruction_mse": float(np.mean(errors[normal] if normal.any() else errors)),
            "auc": auc(errors, y)}


def metrics(predict, dataset) -> dict:
    """The task's metrics on the test split: {"accuracy"} or {"reconstruction_mse", "auc"}."""
    if dataset.task == "autoencode":
        x = np.asarray(dataset.x_test, np.float32)
        return autoencoder_metrics(reconstruction_errors(predict(x), x), dataset.y_test)
    return {"accuracy": top1_accuracy(predict, dataset.x_test, dataset.y_test)}

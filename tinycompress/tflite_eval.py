"""Score an int8 .tflite model on a test set with the real TFLM host interpreter.

Inputs are quantized with the model's input scale and zero point; classifiers are scored
by top-1 accuracy (argmax of the int8 output, which the output scale cannot reorder),
autoencoders by the reconstruction error after dequantizing the output (the same metrics
as evaluate.py: MSE over the normal samples and the anomaly AUC).
No TensorFlow import: the TFLM interpreter runs in a child process (tflm_host).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import tflm_host
from .errors import TinyCompressError
from .metrics import (TASKS, accuracy, autoencoder_metrics, dequantize, infer_task, quantize,
                      reconstruction_errors)
from .tflite_model import parse_tflite


@dataclass
class TFLiteScore:
    task: str                  # "classify" | "autoencode"
    samples: int
    accuracy: float | None     # top-1, classifiers
    mse: float | None          # mean squared reconstruction error of the normal samples, autoencoders
    errors: np.ndarray | None  # per-sample reconstruction error, autoencoders
    arena_bytes: int | None
    auc: float | None = None   # anomaly AUC of that error when y marks anomalies (1) and normal (0)


def int8_io(tflite_bytes: bytes, source: str = "model"):
    """(model, input tensor, output tensor) of a model with one int8 input and one int8
    output, the shape every scorer here needs; raises naming the file otherwise."""
    model = parse_tflite(bytes(tflite_bytes), source)
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise TinyCompressError(f"{source}: {len(model.inputs)} inputs and {len(model.outputs)} "
                                "outputs; scoring needs a model with one input and one output")
    inp, out = model.input_tensors[0], model.output_tensors[0]
    for t in (inp, out):
        if t.type != "INT8" or t.quant is None:
            raise TinyCompressError(f"{source}: tensor '{t.name}' is {t.type}, not quantized int8; "
                                    "convert with `tinycompress convert MODEL --data DATA`")
    return model, inp, out


def score(tflite_bytes: bytes, x, y=None, task: str | None = None, source: str = "model",
          max_samples: int | None = None) -> TFLiteScore:
    """Run every sample of `x` through TFLM and score it against `y` (labels) or `x` itself."""
    model, inp, out = int8_io(tflite_bytes, source)
    task = task or infer_task(model)
    if task not in TASKS:
        raise TinyCompressError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    x = np.asarray(x)
    if max_samples is not None:
        x = x[:max_samples]
        y = None if y is None else np.asarray(y)[:max_samples]
    if len(x) == 0:
        raise TinyCompressError(f"{source}: no test samples to score the model on")
    per_sample = int(np.prod(x.shape[1:], dtype=np.int64))
    if per_sample != inp.size:
        raise TinyCompressError(f"{source}: input '{inp.name}' has shape {list(inp.shape)} "
                                f"({inp.size} values) but the data samples have shape "
                                f"{list(x.shape[1:])} ({per_sample} values)")
    s_in, z_in = float(inp.quant.scale[0]), int(inp.quant.zero_point[0])
    q = quantize(x.astype(np.float32), s_in, z_in).reshape((len(x),) + tuple(inp.shape))
    result = _run_counted(tflite_bytes, q, source)
    outputs = np.stack([o[0].reshape(-1) for o in result.outputs])
    if task == "classify":
        if y is None:
            raise TinyCompressError(f"{source}: a classifier needs labels to be scored")
        return TFLiteScore(task, len(x), accuracy(outputs, y), None, None, result.arena_bytes)
    s_out, z_out = float(out.quant.scale[0]), int(out.quant.zero_point[0])
    errors = reconstruction_errors(dequantize(outputs, s_out, z_out), x)
    found = autoencoder_metrics(errors, y)
    auc = None if np.isnan(found["auc"]) else found["auc"]
    return TFLiteScore(task, len(x), None, found["reconstruction_mse"], errors, result.arena_bytes, auc)


def _run_counted(tflite_bytes: bytes, q, source: str, chunk: int = 500):
    """tflm_host.run over every sample; with progress on, in chunks that advance a bar (each
    sample runs alone either way, so the outputs are the same)."""
    from . import progress
    if not progress.enabled() or len(q) <= chunk:
        with progress.step(f"TFLM host interpreter: {len(q)} samples of {source}"):
            return tflm_host.run(tflite_bytes, [[sample] for sample in q], source=source)
    results = []
    with progress.step(f"TFLM host interpreter: samples of {source}", len(q)) as advance:
        for start in range(0, len(q), chunk):
            part = q[start:start + chunk]
            results.append(tflm_host.run(tflite_bytes, [[s] for s in part], source=source))
            advance(len(part))
    return tflm_host.TFLMResult(outputs=[o for r in results for o in r.outputs], tensors=[],
                                arena_bytes=results[0].arena_bytes)

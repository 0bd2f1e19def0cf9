"""Convert a Keras model to a full-integer int8 .tflite, then prove the result is usable.

Full integer means TFLITE_BUILTINS_INT8 only and int8 graph input and output, calibrated on
a representative sample of the training data. After conversion the model is read back with
our own validating reader (no float tensor anywhere), run in the real TFLM host interpreter,
and scored on the test set with it. Only then is the file written (atomically).
"""
from __future__ import annotations

import gzip
import hashlib
import io
import logging
import os
import sys
import tempfile
from contextlib import contextmanager, redirect_stderr
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import tflite_eval
from .metrics import accuracy, infer_task, reconstruction_errors
from .errors import TinyCompressError
from .fileio import check_output_file, write_bytes
from .tflite_model import parse_tflite, require_full_int8



@dataclass
class ConvertSection:
    """[convert] in a recipe, and the defaults of `convert_to_int8` and `tinycompress convert`."""
    representative_samples: int = 200   # training samples that calibrate the int8 ranges


@dataclass
class ConvertReport:
    source: str                     # the Keras model (file name or "<model>")
    out_path: str
    task: str                       # "classify" | "autoencode"
    representative_samples: int
    test_samples: int
    float_tflite_bytes: int | None  # the same model converted without quantization
    int8_tflite_bytes: int
    int8_gzip_bytes: int            # what the int8 model costs to download / store compressed
    sha256: str
    float_accuracy: float | None    # Keras float model on the test set (classifiers)
    int8_accuracy: float | None     # int8 model in the TFLM host interpreter (classifiers)
    float_mse: float | None         # reconstruction error (autoencoders)
    int8_mse: float | None
    int8_auc: float | None          # anomaly AUC of the int8 reconstruction error (autoencoders)
    arena_bytes: int | None         # TFLM arena measured while scoring

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        if self.task == "classify":
            fl = "n/a" if self.float_accuracy is None else f"{100 * self.float_accuracy:.2f} %"
            metric = f"accuracy float {fl}, int8 (TFLM) {100 * self.int8_accuracy:.2f} %"
        else:
            fl = "n/a" if self.float_mse is None else f"{self.float_mse:.5g}"
            metric = f"reconstruction MSE float {fl}, int8 (TFLM) {self.int8_mse:.5g}"
        fsize = "n/a" if self.float_tflite_bytes is None else f"{self.float_tflite_bytes} B"
        return (f"{self.out_path}: int8 {self.int8_tflite_bytes} B ({self.int8_gzip_bytes} B "
                f"gzipped), float {fsize}; {metric} on {self.test_samples} test samples")


def load_keras(path):
    """Load a Keras model file with the shared loader (TF-MOT scopes, clear errors)."""
    from .keras_io import load_model
    return load_model(path)


def _check_outputs(out_path, float_out_path):
    """Before the conversion: both outputs writable, neither an input nor the other."""
    check_output_file(out_path)
    if float_out_path is not None:
        check_output_file(float_out_path)
        if Path(float_out_path).absolute() == Path(out_path).absolute():
            raise TinyCompressError(f"{out_path}: given both as -o and as --float-output; "
                                    "give the float model another name")


def convert_to_int8(model_or_path, dataset, out_path,
                    representative_samples: int = ConvertSection.representative_samples,
                    float_out_path=None, task: str | None = None, seed: int = 0,
                    log=None) -> ConvertReport:
    """Convert to full-int8 TFLite at `out_path`; `dataset` is a data.Dataset or a source name/path.

    Also writes the unquantized conversion to `float_out_path` when given (for size reports).
    """
    log = log or (lambda msg: None)
    out_path = Path(out_path)
    if representative_samples < 1:
        raise TinyCompressError(f"representative_samples is {representative_samples}; "
                                "it must be at least 1")
    source, model = _model(model_or_path)
    dataset = _dataset(dataset, model, task)
    _check_outputs(out_path, float_out_path)
    x_train = np.asarray(dataset.x_train)
    if len(x_train) == 0:
        raise TinyCompressError(f"data '{dataset.name}': the training split is empty; "
                                "representative data for int8 calibration comes from it")
    task = task or getattr(dataset, "task", None) or infer_task(model)

    log(f"converting {source} to full int8 ({representative_samples} representative samples)")
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(x_train), size=min(representative_samples, len(x_train)), replace=False)
    int8_bytes = _convert(model, source, x_train[np.sort(picks)].astype(np.float32), int8=True)
    float_bytes = _try_float(model, source, log)

    # Read it back with the validating reader: it must be int8 from input to output.
    tflite = parse_tflite(int8_bytes, str(out_path))
    require_full_int8(tflite)
    log(f"scoring the int8 model in the TFLM host interpreter on {len(dataset.x_test)} test samples")
    y_test = getattr(dataset, "y_test", None)
    int8 = tflite_eval.score(int8_bytes, dataset.x_test, y_test, task, source=str(out_path))
    float_acc, float_mse = _keras_score(model, dataset, task)

    if float_out_path is not None and float_bytes is not None:
        write_bytes(float_out_path, float_bytes)
    write_bytes(out_path, int8_bytes)
    return ConvertReport(
        source=source, out_path=str(out_path), task=task,
        representative_samples=int(len(picks)), test_samples=int8.samples,
        float_tflite_bytes=None if float_bytes is None else len(float_bytes),
        int8_tflite_bytes=len(int8_bytes), int8_gzip_bytes=gzip_size(int8_bytes),
        sha256=hashlib.sha256(int8_bytes).hexdigest(),
        float_accuracy=float_acc, int8_accuracy=int8.accuracy,
        float_mse=float_mse, int8_mse=int8.mse, int8_auc=int8.auc, arena_bytes=int8.arena_bytes)


def convert_float(model_or_path) -> bytes:
    """The unquantized float32 conversion (the baseline of size reports)."""
    source, model = _model(model_or_path)
    return _convert(model, source, None, int8=False)


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


# --- helpers ------------------------------------------------------------------------------

def _model(model_or_path):
    if isinstance(model_or_path, (str, os.PathLike)):
        return str(model_or_path), load_keras(model_or_path)
    from .keras3 import as_tf_keras
    return f"<model '{getattr(model_or_path, 'name', 'keras')}'>", as_tf_keras(model_or_path)


def _dataset(dataset, model, task):
    from . import data
    if isinstance(dataset, (str, os.PathLike)):
        dataset = data.load_dataset(str(dataset))
    return data.check_dataset(dataset, model, task)


@contextmanager
def _quiet():
    """TensorFlow's converter logs MLIR chatter from C++ straight to file descriptor 2;
    keep it out of the user's terminal (errors still arrive as the exception's message)."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as sink, redirect_stderr(io.StringIO()):
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        logger.setLevel(level)


def _convert(model, source: str, representative, int8: bool) -> bytes:
    from .tfcompat import tf
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([sample[None]] for sample in representative)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    from . import progress
    try:
        with progress.step(f"converting {source} to {'int8' if int8 else 'float'} TFLite"), \
                _quiet():
            return bytes(converter.convert())
    except Exception as exc:  # the converter raises many types; its message names the op
        raise TinyCompressError(f"{source}: conversion to {'int8' if int8 else 'float'} TFLite "
                                f"failed: {_first_error_line(exc)}") from None


def _try_float(model, source, log):
    try:
        return _convert(model, source, None, int8=False)
    except TinyCompressError as exc:  # the float baseline is informative only
        log(f"warning: no float baseline: {exc}")
        return None


def _first_error_line(exc) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    for ln in lines:
        if "error:" in ln:
            return ln[ln.index("error:") + 6:].strip()
    return lines[0] if lines else type(exc).__name__


def _keras_score(model, dataset, task):
    x = np.asarray(dataset.x_test, dtype=np.float32)
    pred = np.asarray(model.predict(x, batch_size=256, verbose=0))
    if task == "classify":
        return accuracy(pred, dataset.y_test), None
    return None, float(reconstruction_errors(pred, x).mean())

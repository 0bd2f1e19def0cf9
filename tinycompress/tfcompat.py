"""Imports TensorFlow with tf_keras (Keras 2), which TF-MOT needs; import this, not tensorflow."""
import contextlib
import os

from .errors import TinyCompressError

if os.environ.get("TF_USE_LEGACY_KERAS", "1") not in ("1", "true", "True"):
    raise TinyCompressError(
        "TF_USE_LEGACY_KERAS is set to %r: tinycompress needs tf_keras (Keras 2) for "
        "TF-MOT; unset it or set TF_USE_LEGACY_KERAS=1" % os.environ["TF_USE_LEGACY_KERAS"])
os.environ["TF_USE_LEGACY_KERAS"] = "1"


@contextlib.contextmanager
def _native_stderr_silenced():
    """TensorFlow's C++ start-up lines (oneDNN, CUDA probes, CPU features) are written to fd 2
    before its log level applies; users of a CLI should not see them. Python errors still raise."""
    if os.environ.get("TINYCOMPRESS_TF_LOGS"):
        yield
        return
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


with _native_stderr_silenced():
    import tensorflow as tf  # noqa: E402
    tf.get_logger().setLevel("ERROR")
    tf.config.list_physical_devices("GPU")  # probe devices now, so a missing CUDA says nothing
    try:
        import tf_keras as keras  # noqa: E402
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise TinyCompressError(
            "tf_keras is not installed: run `pip install tf-keras` (tinycompress uses Keras 2 "
            "through tf_keras because TF-MOT does not support Keras 3)") from exc

__all__ = ["tf", "keras"]

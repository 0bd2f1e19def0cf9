"""Imports TensorFlow with tf_keras (Keras 2), which TF-MOT needs; import this, not tensorflow."""
import os

from .errors import TinyCompressError

if os.environ.get("TF_USE_LEGACY_KERAS", "1") not in ("1", "true", "True"):
    raise TinyCompressError(
        "TF_USE_LEGACY_KERAS is set to %r: tinycompress needs tf_keras (Keras 2) for "
        "TF-MOT; unset it or set TF_USE_LEGACY_KERAS=1" % os.environ["TF_USE_LEGACY_KERAS"])
os.environ["TF_USE_LEGACY_KERAS"] = "1"

try:
    import tf_keras as keras  # noqa: E402
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise TinyCompressError(
        "tf_keras is not installed: run `pip install tf-keras` (tinycompress uses Keras 2 "
        "through tf_keras because TF-MOT does not support Keras 3)") from exc

import tensorflow as tf  # noqa: E402

__all__ = ["tf", "keras"]

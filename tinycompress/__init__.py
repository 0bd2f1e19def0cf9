"""tinycompress: Keras models compressed, converted to int8 and run on Cortex-M."""
import os

# tf_keras (Keras 2) is what TF-MOT supports; this must be set before TensorFlow loads.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"

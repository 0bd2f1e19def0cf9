"""tinycompress: Keras models compressed, converted to int8 and run on Cortex-M.

The stages are functions of this package (README "Python API"): compress, convert, inspect,
export, firmware, build, simulate, search (and load_model), from tinycompress.api, imported when
first used so that `import tinycompress` does not load TensorFlow.
"""
import os
import sys
import types

# tf_keras (Keras 2) is what TF-MOT supports; this must be set before TensorFlow loads.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"

API = ("compress", "convert", "inspect", "export", "firmware", "build", "simulate", "search",
       "load_model")


def _stage(name):
    # A property, not a plain module __getattr__: most stage names are also submodules
    # (tinycompress.convert, ...), and importing one sets the package attribute to the
    # module; the property keeps the function and stores the module where imports find it
    # (sys.modules), so `from tinycompress.convert import X` works as before.
    def get(self):
        from . import api
        return getattr(api, name)

    def set_(self, value):
        if not isinstance(value, types.ModuleType):
            raise AttributeError(f"tinycompress.{name} is a stage function; it cannot be replaced")
    return property(get, set_)


sys.modules[__name__].__class__ = type("_Package", (types.ModuleType,),
                                       {name: _stage(name) for name in API})
__all__ = list(API)

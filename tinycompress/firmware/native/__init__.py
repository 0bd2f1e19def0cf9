"""The native runtime: lower an int8 .tflite to straight-line C calls into our own kernels.

Stages in data order: ops/ (check and lower each op to a `Lowered` kernel call), planner
(static activation memory plan), codegen (render model.c/model.h from templates),
hostbuild (compile and run the result with the host gcc, for tests).
"""
from .codegen import NativeInfo, check_supported, generate, runtime_sources  # noqa: F401

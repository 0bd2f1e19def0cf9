"""CONCATENATION (int8, up to 4-D): bytes copied as TFLM's int8 kernel does."""
from __future__ import annotations

import numpy as np

from ..lowering import Lowered
from . import OpSpec


def _axis(model, op) -> int:
    out = model.tensors[op.outputs[0]]
    return int(op.options.get("axis", 0)) % len(out.shape)


def check(model, op) -> list:
    out = model.tensors[op.outputs[0]]
    if len(out.shape) > 4:
        return [f"output has {len(out.shape)} dimensions (at most 4 supported)"]
    return []


def lower(model, op) -> Lowered:
    out = model.tensors[op.outputs[0]]
    axis = _axis(model, op)
    sizes = [int(np.prod(model.tensors[t].shape[axis:], dtype=np.int64)) for t in op.inputs]
    outer = int(np.prod(out.shape[:axis], dtype=np.int64))
    params = dict(num_inputs=len(op.inputs), outer=outer)
    return Lowered(kernel="tc_concat_s8", params_type="tc_concat_params", params=params,
                   arrays={"copy_sizes": np.array(sizes, dtype=np.int32)},
                   inputs=list(op.inputs), output=op.outputs[0], macs=0)


SPECS = {"CONCATENATION": OpSpec(check=check, lower=lower)}

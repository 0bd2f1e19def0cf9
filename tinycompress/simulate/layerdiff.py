"""--dump-layers: compare every layer's device output with the host TFLM interpreter's tensor.

The firmware numbers layers in graph order (layer i = operator i, its first output tensor);
the host interpreter runs with kPreserveAllTensors so every intermediate tensor is readable.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import TinyCompressError


def first_layer_difference(project_dir, dumps: dict) -> str | None:
    """A sentence naming the first (vector, layer) whose bytes differ, or None if all match."""
    from .. import tflm_host
    from ..tflite_model import parse_tflite

    project_dir = Path(project_dir)
    model_path = project_dir / "model.tflite"
    if not model_path.is_file():
        raise TinyCompressError(f"{model_path}: missing; --dump-layers needs the model in the project")
    model = parse_tflite(model_path.read_bytes(), str(model_path))
    if _runtime(project_dir) == "native":   # its layers: the ops left once shapes are constants
        from ..firmware.native.fold import fold_shape_ops
        model = fold_shape_ops(model)
    golden = np.load(project_dir / "golden.npz")
    vector_ids = sorted({v for v, _ in dumps})
    inputs = [_split_inputs(model, golden["inputs"][v]) for v in vector_ids]
    tensors = [op.outputs[0] for op in model.operators]
    host = tflm_host.run(model.data, inputs, preserve_all=True, tensor_indices=tensors,
                         source=str(model_path))
    for row, v in enumerate(vector_ids):
        for layer, op in enumerate(model.operators):
            device = dumps.get((v, layer))
            if device is None:
                return f"vector {v}: the device printed no output for layer {layer} ({model.describe(op)})"
            expected = np.asarray(host.tensors[row][op.outputs[0]]).astype(np.int8).tobytes()
            if device != expected:
                return f"vector {v}: first differing layer is {layer} {model.describe(op)}: " + \
                    _bytes_diff(device, expected, model.tensors[op.outputs[0]])
    return None


def _runtime(project_dir: Path) -> str:
    from ..firmware.project import load_project
    return load_project(project_dir).get("runtime", "native")


def _split_inputs(model, flat: np.ndarray) -> list:
    arrays, offset = [], 0
    for t in model.input_tensors:
        arrays.append(flat[offset:offset + t.size].astype(np.int8).reshape(t.shape))
        offset += t.size
    return arrays


def _bytes_diff(device: bytes, expected: bytes, tensor) -> str:
    from .golden import OutputSpec, describe_difference
    return describe_difference(expected, device, [OutputSpec.of(tensor)])

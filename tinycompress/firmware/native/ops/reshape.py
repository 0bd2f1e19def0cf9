"""RESHAPE, EXPAND_DIMS and SQUEEZE: the bytes do not change, so the output aliases the
input; only when the output must land in the caller's buffer is it copied."""
from __future__ import annotations

from ..lowering import Lowered
from . import OpSpec
import numpy as np

from .cases import Case, pick_range, seeded, testmodels, tf, tf_case
from .common import same_quant, verdict


def element_count(model, op) -> tuple:
    """Input and output hold the same number of elements."""
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    return verdict([] if inp.size == out.size else
                   [f"{inp.size} input elements but {out.size} output elements"])


def equal_quantization(model, op) -> tuple:
    """Input and output quantization are equal."""
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    return verdict([] if same_quant(inp, out) else ["input and output quantization differ"])


def lower(model, op) -> Lowered:
    out = model.tensors[op.outputs[0]]
    return Lowered(kernel="tc_copy_s8", params_type="tc_copy_params", params={"bytes": out.nbytes},
                   arrays={}, inputs=[op.inputs[0]], output=op.outputs[0], in_place=True)


# The new shape (input 1 or ReshapeOptions) only names the output's shape, which is static here.
def _reshape_case(rng, seed):
    dims = [int(v) for v in rng.integers(1, 6, 3)]
    size = int(np.prod(dims))
    target = (1, size) if rng.random() < 0.5 else (1, dims[2], dims[0] * dims[1])
    fn = lambda x: tf().reshape(x, target)  # noqa: E731
    return tf_case(("RESHAPE",), fn, [(1, *dims)], [pick_range(rng)], seed, f"{dims} -> {target}")


def _alias_case(op):
    """EXPAND_DIMS / SQUEEZE written as flatbuffers: the converter folds static ones into
    RESHAPE, while Conv1D graphs with a dynamic batch keep them."""
    def make(rng, seed):
        from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
        tm = testmodels()
        dims = [int(v) for v in rng.integers(1, 7, int(rng.integers(1, 3)))]
        scale = float(np.exp(rng.uniform(np.log(1e-3), np.log(1.0))))
        zp = int(rng.choice([-128, 127, 0, int(rng.integers(-128, 128))]))
        extra = []
        if op == "EXPAND_DIMS":
            shape = (1, *dims)
            axis = int(rng.integers(-len(shape) - 1, len(shape) + 1))
            out_shape = np.expand_dims(np.zeros(shape), axis).shape
            extra = [tm.TensorSpec((1,), type="INT32", data=np.array([axis], np.int32), name="axis")]
            options, describe = schema.ExpandDimsOptionsT(), f"{shape} axis {axis}"
        else:
            shape = [1, *dims]
            for _ in range(int(rng.integers(1, 4 - len(dims)))):   # unit dims, rank <= 4
                shape.insert(int(rng.integers(1, len(shape) + 1)), 1)
            ones = [k for k, d in enumerate(shape) if d == 1]
            picked = sorted(int(k) for k in rng.choice(ones, int(rng.integers(0, len(ones) + 1)),
                                                        replace=False))
            squeeze = [k - len(shape) if rng.random() < 0.3 else k for k in picked]
            out_shape = tuple(d for k, d in enumerate(shape)
                              if not (d == 1 and (not picked or k in picked)))
            shape = tuple(shape)
            options = schema.SqueezeOptionsT()
            options.squeezeDims = squeeze
            describe = f"{shape} squeeze {squeeze or 'all'}"
        spec_in = tm.TensorSpec(shape, scale=scale, zero_point=zp, name="in")
        spec_out = tm.TensorSpec(out_shape, scale=scale, zero_point=zp, name="out")
        return Case(seed, (op,), [shape], [], None, f"{describe} -> {out_shape}",
                    flatbuffer=lambda: tm.build_single_op(op, [spec_in, *extra], [spec_out],
                                                          options, f"{_title(op)}Options"))
    return make


def _title(op: str) -> str:
    return "".join(part.title() for part in op.split("_"))


def _alias_row(op: str, operands: tuple) -> OpSpec:
    return OpSpec(lower=lower, output_shape=None, operands=operands, options=f"{_title(op)}Options",
                  constraints=(element_count, equal_quantization), cases=seeded(op, _alias_case(op)))


SPECS = {"EXPAND_DIMS": _alias_row("EXPAND_DIMS", (2, 2)), "SQUEEZE": _alias_row("SQUEEZE", (1, 1)),
         "RESHAPE": OpSpec(lower=lower, output_shape=None, operands=(1, 2),
                           options="ReshapeOptions", constraints=(element_count, equal_quantization),
                           cases=seeded("RESHAPE", _reshape_case))}

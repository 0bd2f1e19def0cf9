"""Swap a dense CONV_2D / FULLY_CONNECTED kernel call for its compressed-weight variant.

The op modules lower every op to the dense kernel; this step then picks a weight format
per tensor (weights.choose) and, unless it is dense, rewrites the call: the dense
parameter struct becomes `base` of the variant's struct (its weights pointer unused) and
the encoded arrays fill `w` (tc_cweights, firmware/runtime/tc_cweights.h).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .lowering import Lowered
from .ops.packing import pack_pairs
from .weights import DEFAULT_MAX_SLOWDOWN, FORMATS, choose


@dataclass(frozen=True)
class Variant:
    prefix: str            # kernel name before the format: tc_conv2d -> tc_conv2d_lut_s8
    params_type: str
    scratch: object        # (dense Lowered) -> bytes the variant needs


def _conv_scratch(low: Lowered) -> int:
    p = low.params
    k = p["k_h"] * p["k_w"] * p["in_c"]
    return 0 if p["direct"] else 2 * ((k + 3) // 4 * 4) + 4


VARIANTS = {
    "CONV_2D": Variant("tc_conv2d", "tc_conv2d_cw_params", _conv_scratch),
    "FULLY_CONNECTED": Variant("tc_fully_connected", "tc_fully_connected_cw_params", lambda low: 0),
}


def weight_matrix(model, op):
    """(the [channels, k] int8 matrix the kernels read, tensor name), or None when the op
    has no compressible weights."""
    if op.op not in VARIANTS:
        return None
    flt = model.tensors[op.inputs[1]]
    return flt.data.reshape(flt.shape[0], -1), flt.name


def compress(model, op, low: Lowered, policy: str = "dense",
             max_slowdown: float = DEFAULT_MAX_SLOWDOWN):
    """(Lowered, Choice or None): the op's call with the weight format `policy` gives."""
    found = weight_matrix(model, op)
    if found is None or policy == "dense":
        return low, None
    w, name = found
    choice = choose(w, name, policy, max_slowdown)
    if choice.format == "dense":
        return low, choice
    fmt = FORMATS[choice.format]
    encoded = fmt.encode(w, name)
    variant = VARIANTS[op.op]
    params = {f"base.{k}": v for k, v in low.params.items()}
    params["base.weights"] = "NULL"
    arrays = {f"base.{k}": v for k, v in low.arrays.items() if k != "weights"}
    params.update({"w.counts": "NULL", "w.codebook": "NULL", "w.cb_stride": 0, "w.bits": 0,
                   "w.row_bytes": 0})
    params.update({f"w.{k}": v for k, v in encoded.params.items()})
    for k in encoded.arrays:
        params.pop(f"w.{k}", None)
    arrays.update({f"w.{k}": v for k, v in encoded.arrays.items()})
    return replace(low, kernel=f"{variant.prefix}_{fmt.kernel_suffix}_s8",
                   params_type=variant.params_type, params=params, arrays=arrays,
                   scratch_bytes=variant.scratch(low)), choice


def weight_format(model, op, low: Lowered) -> dict:
    """LayerInfo fields: the op's weight format and its bytes against dense."""
    found = weight_matrix(model, op)
    if found is None:
        return {}
    dense = int(pack_pairs(found[0]).nbytes)
    variant = VARIANTS[op.op]
    for fmt in FORMATS.values():
        if fmt.kernel_suffix and low.kernel == f"{variant.prefix}_{fmt.kernel_suffix}_s8":
            used = sum(int(a.nbytes) for k, a in low.arrays.items() if k.startswith("w."))
            return dict(weights=fmt.name, weight_bytes=used, dense_weight_bytes=dense)
    return dict(weights="dense", weight_bytes=dense, dense_weight_bytes=dense)


def format_table(model, max_slowdown: float = DEFAULT_MAX_SLOWDOWN) -> list:
    """Per compressible weight tensor: {layer, tensor, dense, formats: name -> bytes | reason,
    auto}: what `inspect` shows and --weights auto would pick."""
    rows = []
    for op in model.operators:
        if op.op not in VARIANTS or len(op.inputs) < 2:
            continue
        flt = model.tensors[op.inputs[1]]
        if not flt.is_const or flt.type != "INT8" or flt.data is None or len(flt.shape) < 2:
            continue
        w, name = weight_matrix(model, op)
        choice = choose(w, name, "auto", max_slowdown)
        rows.append(dict(layer=model.layer_name(op), tensor=name, dense=int(w.size),
                         formats=choice.options, auto=choice.format))
    return rows

"""Swap a dense CONV_2D / FULLY_CONNECTED kernel call for its compressed-weight variant.

The op modules lower every op to the dense kernel; this step then picks a weight format
per tensor (weights.choose) and, unless it is dense, rewrites the call: the dense
parameter struct becomes `base` of the variant's struct (its weights pointer unused) and
the encoded arrays fill `w` (tc_cweights, firmware/runtime/tc_cweights.h).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .lowering import Lowered
from .ops import OPS
from .weights import AUTO, DEFAULT_MAX_SLOWDOWN, FORMATS, choose


@dataclass(frozen=True)
class Variant:
    prefix: str            # kernel name before the format: tc_conv2d -> tc_conv2d_lut_s8
    params_type: str
    scratch: object        # (dense Lowered) -> bytes the variant needs
    matrix: object         # (filter tensor) -> [channels, k] int8 in the variant's read order
    auto: bool = True      # auto may pick a compressed format (False: only when asked by name)


# the dense kernels' weight arrays, unused (NULL) in a variant's `base`
WEIGHT_ARRAYS = ("weights", "wquads")


def _conv_scratch(low: Lowered) -> int:
    p = low.params
    k = p["k_h"] * p["k_w"] * p["in_c"]
    return 0 if p["direct"] else 2 * ((k + 3) // 4 * 4) + 4


def _rows(flt):
    return flt.data.reshape(flt.shape[0], -1)


def _depthwise_rows(flt):
    return np.ascontiguousarray(flt.data.reshape(-1, flt.shape[3]).T)   # [out_c, taps]


# Depthwise: the variants walk the dense kernel's tap pointers (same scratch, no copy).
VARIANTS = {
    "CONV_2D": Variant("tc_conv2d", "tc_conv2d_cw_params", _conv_scratch, _rows),
    "FULLY_CONNECTED": Variant("tc_fully_connected", "tc_fully_connected_cw_params",
                               lambda low: 0, _rows),
    "DEPTHWISE_CONV_2D": Variant("tc_depthwise_conv2d", "tc_depthwise_conv2d_cw_params",
                                 lambda low: low.scratch_bytes, _depthwise_rows),
}


# auto spends its instruction budget over the whole model: each tensor may go up to one of
# these slowdowns (of its own dense estimate) while the model's sum stays within max_slowdown
LADDER = (1.0, 1.2, 1.5, 2.0, 3.0)


def _output_rows(model, op) -> int:
    """Rows the kernel computes: output pixels x batches (conv, depthwise) or batch rows (FC)."""
    shape = model.tensors[op.outputs[0]].shape
    return int(np.prod(shape[:-1])) if len(shape) > 1 else 1


# dense CONV_2D with int16 pre-extended weights (codegen.wide_choice), per output row: fitted
# on DS-CNN's pointwise convs in QEMU (675k instructions for 125 pixels x 4096 weights)
def _wide_dense_cost(w):
    return 1.0 * w.size + 20 * w.shape[0]


def auto_slowdowns(model, max_slowdown: float = DEFAULT_MAX_SLOWDOWN, policy: str = "auto",
                   wide=frozenset()) -> dict:
    """Op index -> the slowdown auto allows that op's weights, chosen so that the estimated
    instructions of all compressible ops stay within max_slowdown of theirs with dense
    weights and the bytes are fewest: every tensor starts at its smallest encoding, then the
    step that gives back the most instructions per byte added is taken until the sum fits.
    `wide`: the op indices whose dense reference is the int16-weight CONV_2D kernel."""
    from .codegen import _op_problems
    steps = {}
    for i, op in enumerate(model.operators):
        if op.op not in VARIANTS or not VARIANTS[op.op].auto or _op_problems(model, op):
            continue
        w, name = weight_matrix(model, op)
        rows = _output_rows(model, op)
        ladder = []
        for f in (*[f for f in LADDER if f < max_slowdown], max_slowdown,
                  *[f for f in LADDER if f > max_slowdown]):
            c = choose(w, name, policy, f)
            cost = FORMATS[c.format].cost(w, c.limit if c.format != "dense" else None)
            if not ladder or ladder[-1][1:] != (c.bytes, cost * rows):   # the lowest f of a tie
                ladder.append((f, c.bytes, cost * rows))
        dense = _wide_dense_cost(w) if i in wide else FORMATS["dense"].cost(w)
        steps[i] = (dense * rows, ladder)
    budget = max_slowdown * sum(d for d, _ in steps.values())
    pick = {i: len(ladder) - 1 for i, (_, ladder) in steps.items()}

    def spent():
        return sum(steps[i][1][k][2] for i, k in pick.items())

    while spent() > budget:
        moves = [((steps[i][1][k][2] - steps[i][1][k - 1][2]) /
                  max(steps[i][1][k - 1][1] - steps[i][1][k][1], 0.5), i)
                 for i, k in pick.items() if k > 0]
        if not moves:
            break
        pick[max(moves)[1]] -= 1
    return {i: steps[i][1][k][0] for i, k in pick.items()}


def weight_matrix(model, op):
    """(the [channels, k] int8 matrix the kernels read, tensor name), or None when the op
    has no compressible weights."""
    if op.op not in VARIANTS:
        return None
    flt = model.tensors[op.inputs[1]]
    return VARIANTS[op.op].matrix(flt), flt.name


def compress(model, op, low: Lowered, policy: str = "dense",
             max_slowdown: float = DEFAULT_MAX_SLOWDOWN):
    """(Lowered, Choice or None): the op's call with the weight format `policy` gives
    (auto: max_slowdown is this op's share, from auto_slowdowns)."""
    found = weight_matrix(model, op)
    if found is None or policy == "dense":
        return low, None
    w, name = found
    variant = VARIANTS[op.op]
    if not variant.auto and policy in AUTO:     # only the formats auto+<format> names
        policy = AUTO[policy][0] if AUTO[policy] else "dense"
    choice = choose(w, name, policy, max_slowdown)
    if choice.format != "dense" and choice.bytes >= _dense_bytes(low):   # huffman's bytes are
        choice = replace(choice, format="dense", bytes=_dense_bytes(low))   # against int8 ones
    if choice.format == "dense":
        return low, choice
    fmt = FORMATS[choice.format]
    encoded = fmt.encode(w, name, choice.limit)
    params = {f"base.{k}": v for k, v in low.params.items()}
    params.update({f"base.{k}": "NULL" for k in WEIGHT_ARRAYS if k in low.arrays})
    arrays = {f"base.{k}": v for k, v in low.arrays.items() if k not in WEIGHT_ARRAYS}
    if fmt.name == "huffman":
        return _huffman_call(op, variant, low, encoded, params, arrays), choice
    params.update({"w.counts": "NULL", "w.codebook": "NULL", "w.cb_stride": 0, "w.bits": 0,
                   "w.row_bytes": 0, "w.run_bits": 0})
    params.update({f"w.{k}": v for k, v in encoded.params.items()})
    for k in encoded.arrays:
        params.pop(f"w.{k}", None)
    arrays.update({f"w.{k}": v for k, v in encoded.arrays.items()})
    return replace(low, kernel=f"{variant.prefix}_{fmt.kernel_suffix}_s8",
                   params_type=variant.params_type, params=params, arrays=arrays,
                   scratch_bytes=variant.scratch(low)), choice


def weight_format(model, op, low: Lowered) -> dict:
    """LayerInfo fields: the op's weight format and its bytes against dense."""
    if weight_matrix(model, op) is None:
        return {}
    variant = VARIANTS[op.op]
    for fmt in FORMATS.values():
        if fmt.kernel_suffix and low.kernel == f"{variant.prefix}_{fmt.kernel_suffix}_s8":
            used = sum(int(a.nbytes) for k, a in low.arrays.items() if k.startswith("w."))
            dense_low = OPS[op.op].lower(model, op)
            extra = max(0, low.scratch_bytes - dense_low.scratch_bytes) if fmt.name == "huffman" else 0
            return dict(weights=fmt.name, weight_bytes=used, dense_weight_bytes=_dense_bytes(dense_low),
                        weight_scratch_bytes=extra)
    dense = _dense_bytes(low)
    return dict(weights="dense", weight_bytes=dense, dense_weight_bytes=dense)


# huffman (firmware/runtime/tc_huffman.h): CONV_2D / FULLY_CONNECTED decode `group` output
# channels at a time into scratch in the dense channel-pair layout, at most this many bytes
# (two channels at least); DEPTHWISE_CONV_2D decodes the whole layer (its dense kernel walks
# every channel per pixel).
HUFFMAN_SCRATCH = 2048
HUFFMAN_READER = 576     # TC_HUFF_READER_BYTES: the decoder's state and tables, in scratch too


def _huffman_call(op, variant, low: Lowered, encoded, params: dict, arrays: dict) -> Lowered:
    channels, k = encoded.shape
    if op.op == "DEPTHWISE_CONV_2D":
        group = channels
        decoded = _dense_bytes(low)
    else:
        pair_bytes = 8 * ((k + 3) // 4)
        group = min(channels, 2 * max(1, HUFFMAN_SCRATCH // pair_bytes))
        decoded = (group + 1) // 2 * pair_bytes
    params.update({f"w.{key}": v for key, v in encoded.params.items()})
    params["w.group"] = group
    if "codebook" not in encoded.arrays:
        params["w.codebook"] = "NULL"
    arrays.update({f"w.{key}": v for key, v in encoded.arrays.items()})
    # several groups revisit every input pixel: no shared input/output buffer then
    stream = low.stream if group >= channels else None
    return replace(low, kernel=f"{variant.prefix}_huffman_s8", params_type=f"{variant.prefix}_hw_params",
                   params=params, arrays=arrays, stream=stream,
                   scratch_bytes=8 + HUFFMAN_READER + decoded + low.scratch_bytes)


def _dense_bytes(low: Lowered) -> int:
    return sum(int(np.asarray(low.arrays[k]).nbytes) for k in WEIGHT_ARRAYS if k in low.arrays)


def format_table(model, max_slowdown: float = DEFAULT_MAX_SLOWDOWN) -> list:
    """Per compressible weight tensor: {layer, tensor, dense, formats: name -> bytes | reason,
    auto}: what `inspect` shows and --weights auto would pick."""
    from .codegen import _op_problems
    rows = []
    shares = auto_slowdowns(model, max_slowdown)
    for i, op in enumerate(model.operators):
        if op.op not in VARIANTS or _op_problems(model, op):   # only ops the runtime lowers
            continue
        w, name = weight_matrix(model, op)
        choice = choose(w, name, "auto" if VARIANTS[op.op].auto else "dense",
                        shares.get(i, max_slowdown))
        rows.append(dict(layer=model.layer_name(op), tensor=name, dense=int(w.size),
                         formats=choice.options, auto=choice.format))
    return rows

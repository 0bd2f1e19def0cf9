"""Compressed weight formats (native/weights.py, firmware/runtime/tc_cweights.h).

Python: every format round-trips exactly, a codebook holds only values that occur, a tensor
with too many distinct values is refused naming it, auto never picks what does not fit.
C: CONV_2D, FULLY_CONNECTED and DEPTHWISE_CONV_2D with lut / sparse / lut_sparse weights equal the TFLM host
interpreter byte for byte over seeded configurations of pruned and clustered weights: 1 to
127 distinct nonzero values per channel (the k-bit boundaries), 0-95 % zeros, zero runs
longer than a format can say (filler entries), odd channel counts, input zero points at
-128 and 127, all fused activations. Default: 10 configurations per op in one model per
format; slow: 30 more per op.
"""
import functools

import numpy as np
import pytest

from _native_mac_cases import (ACTIVATIONS, RANGES, Case, activate, assert_bit_exact, bias_for,
                               build_model, channel_weights)
from tinycompress.errors import TinyCompressError
from tinycompress.firmware.native.weights import FORMATS, _checked, choose, options

COMPRESSED = ["lut", "sparse", "lut_sparse", "huffman", "packed"]
# distinct nonzero values per channel: around every index width's boundary
VALUE_COUNTS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 63, 64, 127]
SPARSITY = [0.0, 0.5, 0.75, 0.75, 0.9, 0.95]


def clustered(rng, w, channel_axis, values, sparsity):
    """Pruned and clustered weights as TF-MOT leaves them: per output channel, each weight
    snapped to the nearest of `values` centroids, then the smallest `sparsity` set to 0."""
    w = np.moveaxis(w, channel_axis, 0).copy()
    for c in range(w.shape[0]):
        flat = w[c].reshape(-1)
        # centroids spread over the channel's range, then taken from its actual weights
        cents = np.unique(rng.choice(flat, size=min(values, flat.size), replace=False))
        flat[:] = cents[np.argmin(np.abs(flat[:, None] - cents[None, :]), axis=1)]
        cut = int(sparsity * flat.size)
        if cut:
            flat[np.argsort(np.abs(flat), kind="stable")[:cut]] = 0
        w[c] = flat.reshape(w[c].shape)
    return np.moveaxis(w, 0, channel_axis).astype(np.float32)


# huffman's degenerate distributions, on [channels, k] weights as `clustered` leaves them
DEGENERATE = {
    "zeros": lambda rng, w: np.zeros_like(w),                                   # no entries
    "one value": lambda rng, w: np.full_like(w, 0.5),                           # one symbol
    "two values": lambda rng, w: np.where(rng.random(w.shape) < 0.5, 0.5, -0.5),
    "one nonzero": lambda rng, w: np.where(np.arange(w.size).reshape(w.shape) == w.size // 2, 0.5, 0.0),
    "zero rows": lambda rng, w: np.where(rng.random((w.shape[0], 1)) < 0.7, 0.0, w),   # runs cross rows
}


def _weights(rng, w, axis, values, sparsity, kind=None):
    """clustered(), then DEGENERATE[kind] applied per output channel (axis)."""
    w = np.moveaxis(clustered(rng, w, axis, values, sparsity), axis, 0)
    if kind is not None:
        w = DEGENERATE[kind](rng, w.reshape(w.shape[0], -1)).reshape(w.shape)
    return np.moveaxis(w, 0, axis).astype(np.float32)


def _draw(rng, seed):
    values = VALUE_COUNTS[seed % len(VALUE_COUNTS)]
    sparsity = SPARSITY[int(rng.integers(len(SPARSITY)))]
    return values, sparsity, ACTIVATIONS[seed % len(ACTIVATIONS)], RANGES[int(rng.integers(len(RANGES)))]


def conv_case(seed: int, kind=None) -> Case:
    rng = np.random.default_rng(7000 + seed)
    values, sparsity, act, in_range = _draw(rng, seed)
    k = (1, 1) if seed % 6 == 0 else tuple(int(v) for v in rng.integers(1, 6, 2))
    stride = tuple(int(v) for v in rng.integers(1, 3, 2))
    padding = str(rng.choice(["SAME", "VALID"]))
    hw = [int(rng.integers(k[i], k[i] + 6)) for i in range(2)]
    in_c = int(rng.choice([1, 3, 5, 8, 16, 33]))
    out_c = int(rng.choice([1, 3, 7, 8, 13]))
    w = _weights(rng, channel_weights(rng, (k[0], k[1], in_c, out_c), 3, k[0] * k[1] * in_c, in_range),
                 3, values, sparsity, kind)
    b = bias_for(rng, out_c, act)

    def fn(x):
        from tinycompress.tfcompat import tf
        y = tf.nn.conv2d(x, tf.constant(w), [1, stride[0], stride[1], 1], padding) + tf.constant(b)
        return activate(tf, act, y)

    return Case(seed, (1, hw[0], hw[1], in_c), in_range, fn,
                f"seed {seed}: in {(1, *hw, in_c)} k {k} out_c {out_c} stride {stride} {padding} "
                f"{act} range {in_range} values {values} sparsity {sparsity}")


def fc_case(seed: int, kind=None) -> Case:
    rng = np.random.default_rng(8000 + seed)
    values, sparsity, act, in_range = _draw(rng, seed)
    depth = int(rng.choice([3, 8, 13, 64, 100, 300, 700]))
    out_c = int(rng.choice([1, 2, 5, 10, 17]))
    batch = int(rng.choice([1, 1, 2, 3]))
    w = _weights(rng, channel_weights(rng, (depth, out_c), 1, depth, in_range), 1, values, sparsity, kind)
    b = bias_for(rng, out_c, act)

    def fn(x):
        from tinycompress.tfcompat import tf
        return activate(tf, act, tf.matmul(x, tf.constant(w)) + tf.constant(b))

    return Case(seed, (batch, depth), in_range, fn,
                f"seed {seed}: in {(batch, depth)} out_c {out_c} {act} range {in_range} "
                f"values {values} sparsity {sparsity}")


def dw_case(seed: int, kind=None) -> Case:
    rng = np.random.default_rng(9000 + seed)
    values, sparsity, act, in_range = _draw(rng, seed)
    k = tuple(int(v) for v in rng.integers(1, 6, 2)) if seed % 3 else (3, 3)
    stride = tuple(int(v) for v in rng.integers(1, 3, 2))
    padding = str(rng.choice(["SAME", "VALID"]))
    hw = [int(rng.integers(k[i], k[i] + 6)) for i in range(2)]
    in_c = int(rng.choice([1, 3, 4, 8, 13]))
    mult = 2 if seed % 5 == 4 else 1
    flat = _weights(rng, channel_weights(rng, (k[0] * k[1], in_c * mult), 1, k[0] * k[1], in_range),
                    1, values, sparsity, kind)
    w = flat.reshape(k[0], k[1], in_c, mult)
    b = bias_for(rng, in_c * mult, act)

    def fn(x):
        from tinycompress.tfcompat import tf
        y = tf.nn.depthwise_conv2d(x, tf.constant(w), [1, stride[0], stride[1], 1], padding)
        return activate(tf, act, y + tf.constant(b))

    return Case(seed, (1, hw[0], hw[1], in_c), in_range, fn,
                f"seed {seed}: in {(1, *hw, in_c)} k {k} mult {mult} stride {stride} {padding} "
                f"{act} range {in_range} values {values} sparsity {sparsity}")


DEFAULT_CASES = 10
SLOW_CASES = 30
OPS = {"CONV_2D": conv_case, "FULLY_CONNECTED": fc_case, "DEPTHWISE_CONV_2D": dw_case}


@functools.lru_cache(maxsize=None)
def _model(op, first, count):
    """One converted model per op and seed range, shared by the formats' tests."""
    cases = [OPS[op](s) for s in range(first, first + count)]
    return build_model(cases), cases


@pytest.mark.parametrize("fmt", COMPRESSED + ["auto"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_compressed_weights_match_tflm(op, fmt):
    model, cases = _model(op, 0, DEFAULT_CASES)
    info = assert_bit_exact(model, op, len(cases), describe=[c.describe for c in cases], weights=fmt)
    _assert_formats(model, info, fmt)


def _assert_formats(model_bytes, info, fmt):
    """Each tensor got `fmt` exactly when it fits (auto: a fitting one), dense otherwise,
    and the bytes recorded are what that format takes."""
    from tinycompress.firmware.native.compressed import auto_slowdowns, weight_matrix
    from tinycompress.tflite_model import parse_tflite
    model = parse_tflite(model_bytes, "t")
    shares = auto_slowdowns(model)
    used = []
    for i, (op, layer) in enumerate(zip(model.operators, info.layers)):
        w, name = weight_matrix(model, op)
        fits = FORMATS[fmt].fits(w, name) if fmt != "auto" else None
        pays = isinstance(fits, int) and fits < layer.dense_weight_bytes
        want = layer.weights if fmt == "auto" else (fmt if pays else "dense")
        assert layer.weights == want, (name, fits)
        if layer.weights != "dense":    # auto encodes within its instruction limit
            limit = choose(w, name, "auto", shares[i]).limit if fmt == "auto" else None
            assert layer.weight_bytes == FORMATS[layer.weights].fits(w, name, limit) < layer.dense_weight_bytes
        used.append(layer.weights)
    assert used.count("dense") < len(used), used


@pytest.mark.slow
@pytest.mark.parametrize("fmt", COMPRESSED)
@pytest.mark.parametrize("op", sorted(OPS))
def test_compressed_weights_match_tflm_many_configurations(op, fmt):
    model, cases = _model(op, DEFAULT_CASES, SLOW_CASES)
    info = assert_bit_exact(model, op, len(cases), describe=[c.describe for c in cases], weights=fmt)
    _assert_formats(model, info, fmt)


# --- Python side: round trips, refusals, auto ---------------------------------------------

def _matrix(rng, channels, k, values, sparsity):
    return np.round(clustered(rng, rng.normal(size=(channels, k)) * 40, 0, values, sparsity)
                    ).clip(-127, 127).astype(np.int8)


@pytest.mark.parametrize("values", VALUE_COUNTS)
def test_every_format_round_trips_exactly(values):
    rng = np.random.default_rng(values)
    for sparsity in (0.0, 0.6, 0.97):
        w = _matrix(rng, 5, 300, values, sparsity)
        w[2] = 0                                   # an all-zero channel
        for fmt in FORMATS.values():
            if isinstance(fmt.fits(w, "t"), str):
                continue
            e = fmt.encode(w, "t")
            assert e.nbytes == fmt.fits(w, "t")
            np.testing.assert_array_equal(fmt.decode(e), w)


def test_lut_codebook_is_the_set_of_values_so_nothing_changes():
    rng = np.random.default_rng(1)
    w = _matrix(rng, 4, 200, 16, 0.5)
    e = FORMATS["lut"].encode(w, "t")
    book = e.arrays["codebook"].reshape(-1, 1 << e.params["bits"]) if e.params["cb_stride"] else \
        e.arrays["codebook"].reshape(1, -1)
    for c in range(w.shape[0]):
        used = set(np.unique(w[c]).tolist())
        assert used <= set(book[c if e.params["cb_stride"] else 0].tolist())
    # an encoding whose codebook lost or changed a value is refused by the round-trip check
    # every encoder ends with
    e.arrays["codebook"] = e.arrays["codebook"].copy()
    e.arrays["codebook"][0] ^= 1
    with pytest.raises(AssertionError, match="round-trip"):
        _checked(w, e, "t")


def test_too_many_distinct_values_are_refused_naming_the_tensor():
    rng = np.random.default_rng(2)
    w = rng.integers(-127, 128, (3, 400)).astype(np.int8)    # ~255 values per channel
    for name in ("lut", "lut_sparse"):
        reason = FORMATS[name].fits(w, "conv2d/kernel")
        assert isinstance(reason, str) and "conv2d/kernel" in reason and "distinct" in reason
        with pytest.raises(TinyCompressError, match="conv2d/kernel"):
            FORMATS[name].encode(w, "conv2d/kernel")
    choice = choose(w, "conv2d/kernel", "auto")
    assert choice.format == "dense"
    assert choose(w, "conv2d/kernel", "lut").format == "dense"     # asked for, but it does not fit


def test_auto_picks_the_smallest_fitting_format_within_the_slowdown():
    rng = np.random.default_rng(3)
    w = _matrix(rng, 16, 288, 16, 0.75)
    opts = options(w, "t")
    choice = choose(w, "t", "auto")
    assert choice.format == "lut_sparse" and choice.bytes == opts["lut_sparse"] < opts["sparse"]
    assert choice.bytes < 0.35 * w.size
    slower = choose(w, "t", "auto", max_slowdown=2.0)      # packed: fewer bytes, slower
    assert slower.format == "packed" and slower.bytes == opts["packed"] < choice.bytes
    assert choose(w, "t", "auto", max_slowdown=0.5).format == "dense"
    dense_ish = _matrix(rng, 16, 288, 16, 0.0)
    assert choose(dense_ish, "t", "auto").format == "dense"          # lut is too slow for 1.2
    assert choose(dense_ish, "t", "auto", max_slowdown=10).format == "lut"


def test_auto_spends_the_slowdown_over_the_model_not_per_tensor():
    # the model's estimated instructions stay within max_slowdown of dense; a tensor may go
    # past it where another gives instructions back, and bytes only shrink against 1.2 each
    from tinycompress.firmware.native.compressed import _output_rows, auto_slowdowns, weight_matrix
    from tinycompress.tflite_model import parse_tflite
    model = parse_tflite(_model("CONV_2D", 0, DEFAULT_CASES)[0], "t")
    shares = auto_slowdowns(model)
    spent = dense = per_tensor = total = 0
    for i, op in enumerate(model.operators):
        w, name = weight_matrix(model, op)
        c, own = choose(w, name, "auto", shares[i]), choose(w, name, "auto")
        spent += FORMATS[c.format].cost(w, c.limit if c.format != "dense" else None) * _output_rows(model, op)
        dense += FORMATS["dense"].cost(w) * _output_rows(model, op)
        total, per_tensor = total + c.bytes, per_tensor + own.bytes
    assert spent <= 1.2 * dense and total <= per_tensor
    assert max(shares.values()) > 1.2 or total == per_tensor


def test_weights_option_needs_the_native_runtime(tmp_path):
    from click.testing import CliRunner
    from tinycompress.cli import cli
    result = CliRunner().invoke(cli, ["firmware", str(tmp_path / "m.tflite"), "--runtime", "tflm",
                                      "--weights", "lut", "-o", str(tmp_path / "fw")])
    assert result.exit_code == 1
    assert "--weights lut needs --runtime native" in result.output
    assert not (tmp_path / "fw").exists()


def test_inspect_shows_every_format_per_weight_tensor(tmp_path):
    from tinycompress.inspect import inspect_model
    model, cases = _model("FULLY_CONNECTED", 0, DEFAULT_CASES)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    report = inspect_model(path, run_tflm=False)
    assert len(report.weight_formats) == len(cases)
    for row in report.weight_formats:
        assert set(row["formats"]) == set(FORMATS) and row["formats"]["dense"] == row["dense"]
        assert not isinstance(row["formats"][row["auto"]], str)       # auto picks one that fits
    reasons = [f for row in report.weight_formats for f in row["formats"].values() if isinstance(f, str)]
    assert reasons and all("weights '" in r for r in reasons)          # each names its tensor
    assert "Weight formats" in report.to_text()


def test_build_report_gives_flash_per_layer_and_saved_bytes():
    from tinycompress.firmware.build import weight_lines
    layers = [{"name": "conv", "weights": "lut_sparse", "weight_bytes": 250, "dense_weight_bytes": 1000},
              {"name": "fc", "weights": "dense", "weight_bytes": 500, "dense_weight_bytes": 500}]
    text = "\n".join(weight_lines(layers))
    assert "lut_sparse" in text and "saved 750 B: 750 B instead of 1,500 B (0.500x dense)" in text
    assert weight_lines([dict(layers[1])]) == []                        # all dense: nothing to say


def test_recipe_weights_key_is_checked_and_reaches_the_report(tmp_path):
    from tinycompress.deploy import FirmwareSection
    from tinycompress.report import _device_points, plot, render_firmware
    with pytest.raises(TinyCompressError, match="key 'weights'"):
        FirmwareSection(weights="zip").validate()
    with pytest.raises(TinyCompressError, match="max_slowdown"):
        FirmwareSection(max_slowdown=0.5).validate()
    fw = {"weights": "auto", "generate": {"weight_bytes": 12950, "vector_source": "x"},
          "build": {"flash_used": 22000, "flash_size": 1 << 22, "ram_used": 1, "ram_size": 2,
                    "sections": {}},
          "layers": [{"name": "fc", "weights": "lut_sparse", "weight_bytes": 250,
                      "dense_weight_bytes": 1000}]}
    rows = [{"stage": "int8 tflite", "metric": "accuracy", "value": 0.98, "gzip_bytes": 13000}]
    assert [p[:2] for p in _device_points(rows, fw)] == [("device weights (auto)", 12950),
                                                        ("firmware image", 22000)]
    plot(rows, tmp_path / "r.png", "t", firmware=fw)
    assert (tmp_path / "r.png").stat().st_size > 0
    text = "\n".join(render_firmware(fw))
    assert "250 B in flash instead of 1,000 B dense (0.250x, 750 B saved)" in text


def test_auto_takes_the_smallest_lut_sparse_encoding_within_the_slowdown():
    # PCQAT-like: 16 shared centroids, per-channel scales, 73 % zeros, short rows: the
    # smallest encoding (wide per-tensor indices, 2-bit zero runs and many fillers) is too
    # slow for 1.2x; auto takes 4-bit per-channel indices instead, and encodes exactly that
    rng = np.random.default_rng(5)
    cents = rng.normal(size=16) * 9
    scales = rng.choice([1.0, 1.5, 2.0, 3.0], size=64)
    w = np.round(cents[rng.integers(0, 16, (64, 64))] * scales[:, None]).clip(-127, 127)
    w[rng.random(w.shape) < 0.73] = 0
    w = w.astype(np.int8)
    fmt = FORMATS["lut_sparse"]
    smallest = fmt.encode(w, "t")
    choice = choose(w, "t", "auto")
    assert choice.format == "lut_sparse" and choice.limit is not None
    assert fmt.cost(w) > choice.limit >= fmt.cost(w, choice.limit)
    chosen = fmt.encode(w, "t", choice.limit)
    assert chosen.params["bits"] == 4 < smallest.params["bits"]
    assert chosen.nbytes == choice.bytes > smallest.nbytes
    np.testing.assert_array_equal(fmt.decode(chosen), w)


@pytest.mark.parametrize("fmt", COMPRESSED)
def test_compressed_pointwise_chain_shares_its_buffer_and_stays_exact(fmt):
    """1x1 stride-1 convolutions stream pixels in order with compressed weights too, so the
    memory plan overlaps their input and output (planner.STREAMING_KERNELS) as for dense."""
    from tinycompress.firmware.native.codegen import lower_model
    from tinycompress.firmware.native.planner import plan_memory
    from tinycompress.tflite_model import parse_tflite
    model_bytes = _pointwise_chain()
    model = parse_tflite(model_bytes, "chain")
    lowered = lower_model(model, fmt)
    assert [low.kernel for low in lowered][1:] == [f"tc_conv2d_{fmt}_s8"] * 2
    assert plan_memory(model, lowered).shared
    assert_bit_exact(model_bytes, "CONV_2D", 3, weights=fmt)


@functools.lru_cache(maxsize=None)
def _pointwise_chain():
    rng = np.random.default_rng(11)
    w0 = channel_weights(rng, (3, 3, 4, 24), 3, 36, (-1.0, 1.0))
    w1 = clustered(rng, channel_weights(rng, (1, 1, 24, 40), 3, 24, (-1.0, 1.0)), 3, 6, 0.75)
    w2 = clustered(rng, channel_weights(rng, (1, 1, 40, 16), 3, 40, (-1.0, 1.0)), 3, 6, 0.75)

    def fn(x):
        from tinycompress.tfcompat import tf
        y = tf.nn.relu(tf.nn.conv2d(x, tf.constant(w0), 1, "SAME"))
        y = tf.nn.relu(tf.nn.conv2d(y, tf.constant(w1), 1, "SAME"))
        return tf.nn.conv2d(y, tf.constant(w2), 1, "SAME")

    return build_model([Case(0, (1, 7, 5, 4), (-1.0, 1.0), fn, "pointwise chain")])


# --- huffman ------------------------------------------------------------------------------

def _degenerate_model(op, first):
    """One model per op: each DEGENERATE distribution once, from seed `first` on."""
    cases = [OPS[op](first + i, kind) for i, kind in enumerate(DEGENERATE)]
    return build_model(cases), cases


@pytest.mark.parametrize("op", sorted(OPS))
def test_huffman_degenerate_weights_match_tflm(op):
    """All zeros (no entries), one symbol, two symbols, a single nonzero, zero rows (runs
    across channels): byte for byte against TFLM."""
    model, cases = _degenerate_model(op, 100)
    info = assert_bit_exact(model, op, len(cases), describe=[c.describe for c in cases], weights="huffman")
    assert "huffman" in [layer.weights for layer in info.layers]


@pytest.mark.slow
@pytest.mark.parametrize("op", sorted(OPS))
def test_huffman_degenerate_weights_match_tflm_more_seeds(op):
    for first in (200, 300):
        model, cases = _degenerate_model(op, first)
        assert_bit_exact(model, op, len(cases), describe=[c.describe for c in cases], weights="huffman")


def test_huffman_code_lengths_are_bounded_optimal_and_complete():
    import heapq
    from tinycompress.firmware.native import huffman
    fib = [1, 1]
    while len(fib) < 30:
        fib.append(fib[-1] + fib[-2])
    freqs = dict(enumerate(fib))                       # unbounded Huffman: 29-bit codes
    lengths = huffman.code_lengths(freqs)
    assert max(lengths.values()) == huffman.MAX_CODE_BITS
    assert sum(2.0 ** -n for n in lengths.values()) == 1.0          # a complete prefix code
    rng = np.random.default_rng(0)
    for _ in range(20):                                # short codes: package-merge = Huffman
        f = {s: int(v) for s, v in enumerate(rng.integers(1, 50, int(rng.integers(2, 30))))}
        heap = [(v, i) for i, v in f.items()]
        heapq.heapify(heap)
        cost = 0
        while len(heap) > 1:
            a, b = heapq.heappop(heap), heapq.heappop(heap)
            cost += a[0] + b[0]
            heapq.heappush(heap, (a[0] + b[0], -len(heap) - 1000))
        assert huffman.stream_bits(f, huffman.code_lengths(f)) == cost
    assert huffman.code_lengths({7: 5}) == {7: 1}      # one symbol still takes a bit


def test_huffman_encoding_that_would_change_a_weight_is_refused():
    rng = np.random.default_rng(4)
    w = _matrix(rng, 8, 200, 16, 0.75)
    fmt = FORMATS["huffman"]
    e = fmt.encode(w, "t")
    assert e.nbytes == fmt.fits(w, "t") < 0.35 * w.size
    np.testing.assert_array_equal(fmt.decode(e), w)
    e.arrays["stream"] = e.arrays["stream"].copy()
    e.arrays["stream"][len(e.arrays["stream"]) // 2] ^= 0x10
    with pytest.raises((AssertionError, ValueError, IndexError)):
        _checked(w, e, "t")


def test_auto_takes_huffman_only_when_asked():
    rng = np.random.default_rng(3)
    w = _matrix(rng, 16, 288, 16, 0.75)
    opts = options(w, "t")
    assert opts["huffman"] < opts["lut_sparse"]
    assert choose(w, "t", "auto").format in ("lut_sparse", "packed")      # not huffman
    picked = choose(w, "t", "auto+huffman")
    assert picked.format == "huffman" and picked.bytes == opts["huffman"]


def test_huffman_scratch_is_planned_and_groups_are_bounded():
    """The decoded channel group is scratch of the memory plan (so in the arena), at most
    HUFFMAN_SCRATCH bytes; a layer decoded in several groups does not share its input's
    buffer with its output."""
    from tinycompress.firmware.native.codegen import lower_model
    from tinycompress.firmware.native.codegen import _runtime_dir
    from tinycompress.firmware.native.compressed import HUFFMAN_READER, HUFFMAN_SCRATCH
    assert f"#define TC_HUFF_READER_BYTES {HUFFMAN_READER} " in (_runtime_dir() / "tc_huffman.h").read_text()
    from tinycompress.firmware.native.planner import plan_memory
    from tinycompress.tflite_model import parse_tflite
    model_bytes, _ = _model("FULLY_CONNECTED", 0, DEFAULT_CASES)
    model = parse_tflite(model_bytes, "fc")
    dense, coded = lower_model(model, "dense"), lower_model(model, "huffman")
    plan = plan_memory(model, coded)
    groups = 0
    for i, (d, h) in enumerate(zip(dense, coded)):
        if h.kernel != "tc_fully_connected_huffman_s8":
            continue
        k = h.params["base.depth"]
        decoded = (h.params["w.group"] + 1) // 2 * 8 * ((k + 3) // 4)
        assert decoded <= max(HUFFMAN_SCRATCH, 8 * ((k + 3) // 4))
        assert h.scratch_bytes == 8 + HUFFMAN_READER + decoded and i in plan.scratch
        groups = max(groups, -(-h.params["base.out_c"] // h.params["w.group"]))
    assert groups > 1                                   # some layer decodes in several groups
    assert plan.arena_bytes >= plan_memory(model, dense).arena_bytes
    chain = parse_tflite(_pointwise_chain(), "chain")
    lowered = lower_model(chain, "huffman")
    assert [low.stream for low in lowered][1:] == [(24, 40), (40, 16)]    # one group each


def test_build_report_shows_huffman_scratch_per_layer():
    from tinycompress.firmware.build import weight_lines
    layers = [{"name": "fc", "weights": "huffman", "weight_bytes": 200, "dense_weight_bytes": 1000,
               "weight_scratch_bytes": 2632},
              {"name": "conv", "weights": "dense", "weight_bytes": 500, "dense_weight_bytes": 500}]
    text = "\n".join(weight_lines(layers))
    assert "(+2,632 B arena: decoder and decoded weights)  " not in text
    assert "fc  (+2,632 B arena: decoder and decoded weights)" in text
    assert "at most 2,632 B of arena scratch" in text


def test_cli_weights_choices_are_the_policies():
    from tinycompress.cli import firmware
    from tinycompress.firmware.native.weights import CHOICES
    option = next(p for p in firmware.params if p.name == "weights")
    assert set(option.type.choices) == set(CHOICES)

"""Compressed weight formats of the native runtime: one table, one row per format.

A weight matrix is [channels, k] int8 in the order a kernel reads it (CONV_2D: each
output channel's HWC taps; FULLY_CONNECTED: each output's row). Each row of FORMATS says
whether the format fits a matrix (bytes, or the reason it does not), encodes it into the
arrays of the kernel variant (tc_cweights in firmware/runtime/tc_cweights.h), decodes it
back (every encoder asserts the round trip) and estimates the kernel's instructions.

- dense       the int8 weights as they are (the existing kernels).
- lut         k-bit indices (k = 1..7) into a codebook that IS the set of distinct values
              of each channel (or of the tensor, when that needs no more bits): clustered
              weights keep every value, nothing is rounded.
- sparse      nonzeros only, each an int8 value and the number of zeros before it; the
              kernel skips the zero multiply-accumulates.
- lut_sparse  both: one byte per nonzero, zero run (8-k bits) and codebook index (k bits).
- packed      lut_sparse's entries bit-packed in one stream over the whole matrix: per
              nonzero the zeros since the previous one (run_bits, across channel ends, so
              no counts) and its index (bits), both widths chosen per tensor.

Codebooks hold only values that occur, so an encoding cannot change a weight; a tensor
with more distinct values per channel than a format holds is refused, naming the tensor.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ...errors import TinyCompressError
from . import huffman

MAX_LUT_BITS = 7
MAX_COUNT = 0xFFFF                 # entries per channel, uint16


@dataclass
class Encoded:
    """What a kernel variant reads: tc_cweights fields -> arrays (flash) and scalars."""
    format: str
    arrays: dict                   # field -> np.ndarray (uint8 / int8 / uint16)
    params: dict                   # field -> int
    shape: tuple                   # the [channels, k] matrix encoded

    @property
    def nbytes(self) -> int:
        return sum(int(a.nbytes) for a in self.arrays.values())


@dataclass(frozen=True)
class WeightFormat:
    name: str
    description: str
    fits: Callable          # (weights [c, k] int8, name, limit) -> int bytes | str reason
    encode: Callable        # (weights, name, limit) -> Encoded
    decode: Callable        # (Encoded) -> weights [c, k] int8
    cost: Callable          # (weights, limit) -> estimated instructions per output pixel/row
    # limit: None, or the most instructions auto allows; a format with several encodings
    # (lut_sparse: index widths) takes the smallest within it, the same in all three
    kernel_suffix: str      # C kernel: tc_conv2d_<suffix>_s8, tc_fully_connected_<suffix>_s8
    auto: bool = True       # auto may pick it; False: only by name or with auto+<name>


# --- helpers -------------------------------------------------------------------------------

def _bits_for(n: int) -> int:
    """Index bits for n codebook entries (at least 1)."""
    return max(1, int(n - 1).bit_length())


def _distinct_per_channel(w: np.ndarray, nonzero: bool = False) -> list:
    return [np.unique(row[row != 0] if nonzero else row) for row in w]


def _codebooks(rows: list, bits: int, tensor_values=None):
    """(codebook [channels or 1, 2^bits] int8, per_tensor) from the distinct values of each
    channel; one per-tensor codebook when the tensor's values fit in the same bits."""
    size = 1 << bits
    if tensor_values is not None and len(tensor_values) <= size:
        book = np.zeros((1, size), np.int8)
        book[0, :len(tensor_values)] = tensor_values
        return book, True
    book = np.zeros((len(rows), size), np.int8)
    for c, values in enumerate(rows):
        book[c, :len(values)] = values
    return book, False


def _index(book_row: np.ndarray, values: np.ndarray, used: int) -> np.ndarray:
    """Positions of values in the first `used` entries of a codebook row (all present)."""
    order = np.argsort(book_row[:used], kind="stable")
    pos = np.searchsorted(book_row[:used][order], values)
    return order[pos]


def _pack_bits(codes: np.ndarray, bits: int) -> np.ndarray:
    """Little-endian bit stream: code j occupies bits [j*bits, (j+1)*bits)."""
    n = len(codes)
    bitarr = ((codes[:, None].astype(np.uint32) >> np.arange(bits, dtype=np.uint32)) & 1).astype(np.uint8)
    flat = bitarr.reshape(-1)
    nbytes = (n * bits + 7) // 8
    padded = np.zeros(nbytes * 8, np.uint8)
    padded[:flat.size] = flat
    return np.packbits(padded.reshape(-1, 8), axis=1, bitorder="little").reshape(-1)


def _unpack_bits(stream: np.ndarray, bits: int, n: int) -> np.ndarray:
    flat = np.unpackbits(stream, bitorder="little")[:n * bits].reshape(n, bits).astype(np.int64)
    return (flat << np.arange(bits)).sum(axis=1)


def _tensor_distinct(w):
    return np.unique(w)


def _required(layout):
    """A layout, or the TinyCompressError its reason (a string) stands for."""
    if isinstance(layout, str):
        raise TinyCompressError(layout)
    return layout


def _paying(size: int, w, name, what: str):
    """size when it beats dense, else the reason."""
    if size < w.size:
        return size
    return f"weights '{name}': {what} take {size} B, no less than the {w.size} B dense"


# --- dense -------------------------------------------------------------------------------

def _dense_fits(w, name, limit=None):
    return int(w.size)


def _dense_encode(w, name, limit=None):
    return Encoded("dense", {"weights": np.ascontiguousarray(w, np.int8).ravel()}, {}, w.shape)


def _dense_decode(e):
    return e.arrays["weights"].reshape(e.shape)


# Instruction estimates per output row (pixel or batch row), fitted on the digits CNN in
# QEMU mps2-an386 (tools/bench_weights.py): instructions per stored weight or entry, im2col
# share included, plus PER_CHANNEL for the requantization every format pays.
PER_CHANNEL = 20


def _dense_cost(w, limit=None):
    return 1.7 * w.size + PER_CHANNEL * w.shape[0]   # tc_mac.h 2x2 SMLAD core


# --- lut ---------------------------------------------------------------------------------

def _lut_layout(w, name):
    rows = _distinct_per_channel(w)
    most = max(len(r) for r in rows)
    if most > 1 << MAX_LUT_BITS:
        worst = int(np.argmax([len(r) for r in rows]))
        return (f"weights '{name}' have {most} distinct values in channel {worst}; lut holds at "
                f"most {1 << MAX_LUT_BITS} per channel ({MAX_LUT_BITS}-bit indices)")
    bits = _bits_for(most)
    tensor_values = _tensor_distinct(w)
    book, per_tensor = _codebooks(rows, bits, tensor_values if _bits_for(len(tensor_values)) == bits
                                  else None)
    row_bytes = (w.shape[1] * bits + 7) // 8
    return rows, bits, book, per_tensor, row_bytes


def _lut_fits(w, name, limit=None):
    layout = _lut_layout(w, name)
    if isinstance(layout, str):
        return layout
    _, bits, book, _, row_bytes = layout
    return _paying(book.size + w.shape[0] * row_bytes + 1, w, name, f"{bits}-bit indices and codebooks")


def _lut_encode(w, name, limit=None):
    rows, bits, book, per_tensor, row_bytes = _required(_lut_layout(w, name))
    stream = np.zeros(w.shape[0] * row_bytes + 1, np.uint8)     # +1: the decoder reads 2 bytes
    for c in range(w.shape[0]):
        b = book[0 if per_tensor else c]
        used = len(_tensor_distinct(w)) if per_tensor else len(rows[c])
        codes = _index(b, w[c], used)
        stream[c * row_bytes:(c + 1) * row_bytes] = _pack_bits(codes, bits)
    return _checked(w, Encoded("lut", {"codebook": book.ravel(), "stream": stream},
                               {"bits": bits, "cb_stride": 0 if per_tensor else 1 << bits,
                                "row_bytes": row_bytes}, w.shape), name)


def _lut_decode(e):
    c, k = e.shape
    bits, rb, stride = e.params["bits"], e.params["row_bytes"], e.params["cb_stride"]
    book, stream = e.arrays["codebook"], e.arrays["stream"]
    out = np.zeros(e.shape, np.int8)
    for ch in range(c):
        codes = _unpack_bits(stream[ch * rb:(ch + 1) * rb], bits, k)
        out[ch] = book[ch * stride + codes]
    return out


def _lut_cost(w, limit=None):
    return 6.8 * w.size + PER_CHANNEL * w.shape[0]   # bit extract + codebook load per weight


# --- sparse and lut_sparse: nonzero entries with the zero run before each ------------------

def _runs(w: np.ndarray, max_run: int) -> list:
    """Per row of w: (zeros skipped before each entry, entry positions) for its nonzeros; a run
    longer than max_run gets filler entries at zero weights (value 0, multiply adds 0).
    Computed for the whole tensor at once and remembered: auto asks for the same layouts
    several times per tensor (each format, each index width, with and without a limit)."""
    w = np.ascontiguousarray(w, np.int8)
    return _runs_cached(w.tobytes(), w.shape, max_run)


@functools.lru_cache(maxsize=32)
def _runs_cached(data: bytes, shape: tuple, max_run: int) -> list:
    w = np.frombuffer(data, np.int8).reshape(shape)
    rows, cols = np.nonzero(w)
    first = np.ones(rows.size, bool)
    first[1:] = rows[1:] != rows[:-1]
    prev = np.where(first, -1, np.concatenate(([-1], cols[:-1])))
    gaps = cols - prev - 1
    step = max_run + 1
    fillers = gaps // step                        # entries inserted before each nonzero
    per_nonzero = fillers + 1
    owner = np.repeat(np.arange(cols.size), per_nonzero)
    nth = np.arange(owner.size) - np.repeat(np.cumsum(per_nonzero) - per_nonzero, per_nonzero)
    is_value = nth == fillers[owner]
    positions = np.where(is_value, cols[owner], prev[owner] + step * (nth + 1))
    runs = np.where(is_value, gaps[owner] % step, max_run)
    ends = np.cumsum(np.bincount(rows[owner], minlength=shape[0]))[:-1]
    return [(r.tolist(), p.tolist())
            for r, p in zip(np.split(runs, ends), np.split(positions, ends))]


def _count_problem(w, name, counts):
    if max(counts, default=0) > MAX_COUNT:
        return f"weights '{name}' have more than {MAX_COUNT} nonzeros in one channel"
    return None


def _sparse_layout(w, name):
    entries = _runs(w, 255)
    counts = [len(r) for r, _ in entries]
    return _count_problem(w, name, counts) or (entries, counts)


def _sparse_fits(w, name, limit=None):
    layout = _sparse_layout(w, name)
    if isinstance(layout, str):
        return layout
    zeros = 100.0 * float(np.mean(w == 0))
    return _paying(2 * sum(layout[1]) + 2 * w.shape[0], w, name,
                   f"{zeros:.0f} % zeros: nonzeros and zero runs")


def _sparse_encode(w, name, limit=None):
    entries, counts = _required(_sparse_layout(w, name))
    pairs = []
    for c, (runs, positions) in enumerate(entries):
        for run, p in zip(runs, positions):
            pairs.append((run, int(w[c, p]) & 0xFF))
    stream = np.asarray(pairs, np.uint8).reshape(-1) if pairs else np.zeros(2, np.uint8)
    return _checked(w, Encoded("sparse", {"stream": stream, "counts": np.asarray(counts, np.uint16)},
                               {}, w.shape), name)


def _walk(e, value_of):
    """Decode an entry stream: value_of(channel, entry index, stream) -> (run, value)."""
    c, k = e.shape
    out = np.zeros(e.shape, np.int8)
    i = 0
    for ch, n in enumerate(e.arrays["counts"]):
        pos = -1
        for _ in range(int(n)):
            run, value = value_of(ch, i)
            pos += run + 1
            out[ch, pos] = value
            i += 1
    return out


def _sparse_decode(e):
    s = e.arrays["stream"]
    return _walk(e, lambda ch, i: (int(s[2 * i]), np.int8(np.uint8(s[2 * i + 1]))))


def _sparse_cost(w, limit=None):
    return 5.3 * np.count_nonzero(w) + PER_CHANNEL * w.shape[0]


def _entry_codebooks(w, rows, tensor_values, bits, entries):
    """(codebook, per_tensor) for nonzero entries with `bits`-bit indices, or None when a
    channel's values do not fit; a channel with filler entries needs 0 in its codebook."""
    fillers = [len(r) > np.count_nonzero(row) for (r, _), row in zip(entries, w)]
    need = [len(r) + int(f) for r, f in zip(rows, fillers)]
    if max(need, default=0) > 1 << bits:
        return None
    t_values = np.concatenate([tensor_values, [0]]) if any(fillers) else tensor_values
    return _codebooks([np.concatenate([r, [0]]) if f else r for r, f in zip(rows, fillers)], bits,
                      t_values if len(t_values) <= 1 << bits else None)


def _within(sized, cost, limit):
    """The smallest (bytes, option), or the smallest whose cost is within `limit` (the
    cheapest when none is)."""
    if limit is not None:
        within = [so for so in sized if cost(so[1]) <= limit]
        sized = within or [min(sized, key=lambda so: cost(so[1]))]
    return min(sized, key=lambda so: so[0])


def _lut_sparse_options(w, name):
    """Every (bits, codebook, per_tensor, entries) that fits, from the fewest index bits."""
    rows = _distinct_per_channel(w, nonzero=True)
    tensor_values = np.unique(w[w != 0])
    most = max((len(r) for r in rows), default=0)
    options = []
    for bits in range(_bits_for(most), MAX_LUT_BITS + 1):
        max_run = (1 << (8 - bits)) - 1
        entries = _runs(w, max_run)
        books = _entry_codebooks(w, rows, tensor_values, bits, entries)
        if books is not None:
            options.append((bits, *books, entries))
    if not options:
        worst = int(np.argmax([len(r) for r in rows]))
        return (f"weights '{name}' have {most} distinct nonzero values in channel {worst}; "
                f"lut_sparse holds at most {(1 << MAX_LUT_BITS) - 1} per channel")
    return options


def _lut_sparse_option_cost(w, option):
    """Entries (fillers included) x per entry: 4-bit indices take the constant-shift path."""
    per_entry = 5.8 if option[0] == 4 else 6.3
    return per_entry * sum(len(r) for r, _ in option[3]) + PER_CHANNEL * w.shape[0]


def _lut_sparse_best(w, name, limit=None):
    """(bytes, option): the smallest option, or the smallest within `limit` instructions
    (the fastest when none is)."""
    options = _lut_sparse_options(w, name)
    if isinstance(options, str):
        return options
    sized = [(o[1].size + sum(len(r) for r, _ in o[3]) + 2 * w.shape[0], o) for o in options]
    size, best = _within(sized, lambda o: _lut_sparse_option_cost(w, o), limit)
    problem = _count_problem(w, name, [len(r) for r, _ in best[3]])
    return problem or (size, best)


def _lut_sparse_fits(w, name, limit=None):
    best = _lut_sparse_best(w, name, limit)
    if isinstance(best, str):
        return best
    return _paying(best[0], w, name, "nonzero entries and codebooks")


def _lut_sparse_encode(w, name, limit=None):
    bits, book, per_tensor, entries = _required(_lut_sparse_best(w, name, limit))[1]
    stride = 0 if per_tensor else 1 << bits
    stream, counts = [], []
    for c, (runs, positions) in enumerate(entries):
        b = book[0 if per_tensor else c]
        for run, p in zip(runs, positions):
            code = int(np.flatnonzero(b == w[c, p])[0])
            stream.append((run << bits) | code)
        counts.append(len(runs))
    stream = np.asarray(stream or [0], np.uint8)
    return _checked(w, Encoded("lut_sparse", {"codebook": book.ravel(), "stream": stream,
                                              "counts": np.asarray(counts, np.uint16)},
                               {"bits": bits, "cb_stride": stride}, w.shape), name)


def _lut_sparse_decode(e):
    s, bits, stride = e.arrays["stream"], e.params["bits"], e.params["cb_stride"]
    book = e.arrays["codebook"]
    return _walk(e, lambda ch, i: (int(s[i]) >> bits,
                                   book[ch * stride + (int(s[i]) & ((1 << bits) - 1))]))


def _lut_sparse_cost(w, limit=None):
    best = _lut_sparse_best(w, "", limit)
    if isinstance(best, str):
        return float("inf")
    return _lut_sparse_option_cost(w, best[1])


# --- huffman: the weights entropy-coded, decoded per channel group into a scratch buffer -----

ESCAPES = (0, 3, 7, 15, 31, 63, 127, 255)   # 0: no zero runs (every weight is a value symbol)
STREAM_PAD = 4                              # tc_huffman.h reads up to 4 bytes ahead


def _huffman_gaps(w):
    flat = np.asarray(w, np.int8).ravel()
    nz = np.flatnonzero(flat)
    return nz, np.diff(np.concatenate([[-1], nz])) - 1


def _huffman_values(w, nz, book):
    """Value symbols of the nonzeros at flat positions nz: the int8 value as uint8, or with
    a codebook ([channels, stride], each row the channel's sorted distinct nonzeros) its
    index in its channel's row."""
    flat = np.asarray(w, np.int8).ravel()
    if book is None:
        return flat[nz].view(np.uint8)
    index = np.zeros((book.shape[0], 256), np.int64)     # channel, value + 128 -> index
    for c, row in enumerate(book):
        used = row[:max(1, np.count_nonzero(row))]
        index[c, used.astype(np.int64) + 128] = np.arange(used.size)
    return index[nz // w.shape[1], flat[nz].astype(np.int64) + 128]


def _huffman_codebook(w):
    """[channels, stride] int8: each channel's distinct nonzero values, sorted, zero-padded."""
    rows = _distinct_per_channel(w, nonzero=True)
    book = np.zeros((w.shape[0], max(1, max(len(r) for r in rows))), np.int8)
    for c, r in enumerate(rows):
        book[c, :len(r)] = r
    return book


def _huffman_entries(w, escape: int, book):
    """Per entry (run symbols or None, value symbol) of w in row-major order: per nonzero,
    the zeros before it (runs cross rows; the symbol `escape` says `escape` zeros and no
    value yet) and its value symbol; escape 0: every weight is an entry, no runs."""
    if escape == 0:
        return [(None, v) for v in np.asarray(w, np.int8).ravel().view(np.uint8).tolist()]
    nz, gaps = _huffman_gaps(w)
    return [([escape] * (g // escape) + [g % escape], v)
            for g, v in zip(gaps.tolist(), _huffman_values(w, nz, book).tolist())]


def _huffman_frequencies(w, escape: int, book):
    """(run symbol -> count, value symbol -> count) of _huffman_entries, without the list."""
    if escape == 0:
        return {}, _counted(np.asarray(w, np.int8).ravel().view(np.uint8))
    nz, gaps = _huffman_gaps(w)
    runs = _counted(gaps % escape)
    if int((gaps // escape).sum()):
        runs[escape] = int((gaps // escape).sum())
    return runs, _counted(_huffman_values(w, nz, book))


def _counted(symbols):
    values, counts = np.unique(np.asarray(symbols, np.int64), return_counts=True)
    return dict(zip(values.tolist(), counts.tolist()))


def _huffman_plan(w, name):
    """(bytes, escape, codebook or None, run code lengths, value code lengths): the smallest
    coding: escape per ESCAPES, values raw or as per-channel codebook indices (escape > 0).
    Remembered per tensor (fits, auto and encode ask for the same plan)."""
    w = np.ascontiguousarray(w, np.int8)
    return _huffman_plan_cached(w.tobytes(), w.shape)


@functools.lru_cache(maxsize=32)
def _huffman_plan_cached(data: bytes, shape: tuple):
    w = np.frombuffer(data, np.int8).reshape(shape)
    best = None
    book = _huffman_codebook(w)
    for escape in ESCAPES:
        for b in (None, book) if escape else (None,):
            rf, vf = _huffman_frequencies(w, escape, b)
            rl, vl = huffman.code_lengths(rf), huffman.code_lengths(vf)
            bits = huffman.stream_bits(rf, rl) + huffman.stream_bits(vf, vl)
            size = ((bits + 7) // 8 + STREAM_PAD + huffman.table_bytes(rl) + huffman.table_bytes(vl)
                    + (0 if b is None else b.size))
            if best is None or size < best[0]:
                best = (size, escape, b, rl, vl)
    return best


def _huffman_fits(w, name, limit=None):
    """Its bytes, or the reason when they reach 2 bytes a weight: depthwise kernels store
    dense weights as int16, so up to that huffman can still pay (compressed.compress keeps
    whatever the dense kernel stores when that is smaller)."""
    size = _huffman_plan(w, name)[0]
    return size if size < 2 * w.size else \
        f"weights '{name}': Huffman-coded zero runs and values take {size} B, 2 per weight or more"


def _huffman_encode(w, name, limit=None):
    _, escape, book, rl, vl = _huffman_plan(w, name)
    entries = _huffman_entries(w, escape, book)
    run_codes, run_table = huffman.canonical(rl)
    value_codes, value_table = huffman.canonical(vl)
    out = huffman.BitWriter()
    for runs, v in entries:
        for s in runs or ():
            out.put(*run_codes[s])
        out.put(*value_codes[v])
    arrays = {"stream": out.bytes(STREAM_PAD), "tables": np.concatenate([run_table, value_table])}
    if book is not None:
        arrays["codebook"] = book.ravel()
    return _checked(w, Encoded("huffman", arrays, {"entries": len(entries), "escape": escape,
                                                   "cb_stride": 0 if book is None else book.shape[1]},
                               w.shape), name)


def _huffman_decode(e):
    tables, escape, stride = e.arrays["tables"], e.params["escape"], e.params["cb_stride"]
    run_counts, run_symbols, at = huffman.Decoder.read_table(tables, 0)
    value_counts, value_symbols, _ = huffman.Decoder.read_table(tables, at)
    d = huffman.Decoder(e.arrays["stream"])
    flat = np.zeros(int(np.prod(e.shape)), np.int8)
    pos = 0
    for _ in range(e.params["entries"]):
        while escape:
            s = d.symbol(run_counts, run_symbols)
            pos += s
            if s != escape:
                break
        v = d.symbol(value_counts, value_symbols)
        flat[pos] = e.arrays["codebook"][pos // e.shape[1] * stride + v] if stride else np.uint8(v).view(np.int8)
        pos += 1
    return flat.reshape(e.shape)


def _huffman_cost(w, limit=None):
    """Per output row: the dense kernel's, plus decoding every entry once (one row: FC with
    batch 1; a convolution shares the decoding among its pixels)."""
    return _dense_cost(w) + 40 * np.count_nonzero(w)


# --- packed: entries bit-packed in one stream over the whole matrix ------------------------

MAX_RUN_BITS = 8


def _packed_entries(w, run_bits):
    """(runs, positions) over the row-major matrix, channel boundaries not marked: a run
    counts the zeros since the previous entry, in this channel or the ones before; the last
    entry is a sentinel at position w.size (its run carries the decoder past the end)."""
    flat = np.concatenate([np.asarray(w, np.int8).ravel(), [1]]).astype(np.int8)
    return _runs(flat.reshape(1, -1), (1 << run_bits) - 1)[0]


def _packed_options(w, name):
    """Every (bits, run_bits, codebook, per_tensor, entries) that fits."""
    rows = _distinct_per_channel(w, nonzero=True)
    tensor_values = np.unique(w[w != 0])
    most = max((len(r) for r in rows), default=0)
    k = max(w.shape[1], 1)
    options = []
    for run_bits in range(0, MAX_RUN_BITS + 1):
        runs, positions = _packed_entries(w, run_bits)
        inside = np.asarray(positions[:-1], np.int64)
        filler_rows = np.unique(inside[w.ravel()[inside] == 0] // k)
        fillers = np.isin(np.arange(w.shape[0]), filler_rows)
        t_values = np.concatenate([tensor_values, [0]]) if fillers.any() else tensor_values
        for bits in range(_bits_for(most), MAX_LUT_BITS + 1):
            if max((len(r) + int(f) for r, f in zip(rows, fillers)), default=0) > 1 << bits:
                continue
            book, per_tensor = _codebooks([np.concatenate([r, [0]]) if f else r
                                           for r, f in zip(rows, fillers)], bits,
                                          t_values if len(t_values) <= 1 << bits else None)
            options.append((bits, run_bits, book, per_tensor, (runs, positions)))
    if not options:
        worst = int(np.argmax([len(r) for r in rows]))
        return (f"weights '{name}' have {most} distinct nonzero values in channel {worst}; "
                f"packed holds at most {(1 << MAX_LUT_BITS) - 1} per channel")
    return options


PACKED_PAD = 3        # the decoder reads 32 bits from the byte of an entry's first bit


def _packed_size(w, option) -> int:
    bits, run_bits, book, _, (runs, _) = option
    return book.size + (len(runs) * (bits + run_bits) + 7) // 8 + PACKED_PAD


def _packed_option_cost(w, option):
    """Entries (fillers and sentinel included) x per entry: lut_sparse's decode plus the bit
    reader; 8-bit entries (4-bit index, 4-bit run) are read a byte at a time (fitted on the
    digits CNN's 3x3 conv in QEMU mps2-an386: 8.5 and 12 per entry and pixel)."""
    per_entry = 8.5 if option[0] + option[1] == 8 else 12.0   # digits conv2 in QEMU
    return per_entry * len(option[4][0]) + PER_CHANNEL * w.shape[0]


def _packed_best(w, name, limit=None):
    options = _packed_options(w, name)
    if isinstance(options, str):
        return options
    return _within([(_packed_size(w, o), o) for o in options], lambda o: _packed_option_cost(w, o),
                   limit)


def _packed_fits(w, name, limit=None):
    best = _packed_best(w, name, limit)
    if isinstance(best, str):
        return best
    return _paying(best[0], w, name, "bit-packed nonzero entries and codebooks")


def _packed_encode(w, name, limit=None):
    bits, run_bits, book, per_tensor, (runs, positions) = _required(_packed_best(w, name, limit))[1]
    k = max(w.shape[1], 1)
    flat = np.asarray(w, np.int8).ravel()
    codes = np.zeros(len(runs), np.int64)       # the sentinel's index: 0, never read
    for i, p in enumerate(positions[:-1]):
        c = p // k
        codes[i] = _index(book[0 if per_tensor else c], flat[p:p + 1], 1 << bits)[0]
    fields = (np.asarray(runs, np.int64) << bits) | codes
    stream = np.concatenate([_pack_bits(fields, bits + run_bits), np.zeros(PACKED_PAD, np.uint8)])
    return _checked(w, Encoded("packed", {"codebook": book.ravel(), "stream": stream},
                               {"bits": bits, "cb_stride": 0 if per_tensor else 1 << bits,
                                "run_bits": run_bits}, w.shape), name)


def _packed_decode(e):
    bits, run_bits, stride = e.params["bits"], e.params["run_bits"], e.params["cb_stride"]
    width, book, size = bits + run_bits, e.arrays["codebook"], int(np.prod(e.shape))
    fields = _unpack_bits(e.arrays["stream"], width, len(e.arrays["stream"]) * 8 // width)
    positions = np.cumsum((fields >> bits) + 1) - 1
    used = positions < size
    positions, codes = positions[used], fields[used] & ((1 << bits) - 1)
    out = np.zeros(size, np.int8)
    out[positions] = book[positions // max(e.shape[1], 1) * stride + codes]
    return out.reshape(e.shape)


def _packed_cost(w, limit=None):
    best = _packed_best(w, "", limit)
    if isinstance(best, str):
        return float("inf")
    return _packed_option_cost(w, best[1])


def _checked(w, encoded: Encoded, name) -> Encoded:
    """Every encoder's promise: decoding gives back exactly the weights."""
    back = FORMATS[encoded.format].decode(encoded)
    if not np.array_equal(back, w):
        raise AssertionError(f"{encoded.format} encoding of '{name}' does not round-trip")
    return encoded


FORMATS = {f.name: f for f in [
    WeightFormat("dense", "int8 weights as they are", _dense_fits, _dense_encode, _dense_decode,
                 _dense_cost, ""),
    WeightFormat("lut", "k-bit indices (1..7) into per-channel or per-tensor codebooks", _lut_fits,
                 _lut_encode, _lut_decode, _lut_cost, "lut"),
    WeightFormat("sparse", "nonzeros only (int8 value + zero run), zero MACs skipped", _sparse_fits,
                 _sparse_encode, _sparse_decode, _sparse_cost, "sparse"),
    WeightFormat("lut_sparse", "nonzeros only, one byte each: zero run and codebook index",
                 _lut_sparse_fits, _lut_sparse_encode, _lut_sparse_decode, _lut_sparse_cost,
                 "lut_sparse"),
    WeightFormat("huffman", "zero runs and values Huffman-coded per tensor, decoded per channel "
                 "group into scratch RAM for the dense kernel", _huffman_fits, _huffman_encode,
                 _huffman_decode, _huffman_cost, "huffman", auto=False),
    WeightFormat("packed", "nonzeros only, bit-packed zero run and codebook index, widths per tensor",
                 _packed_fits, _packed_encode, _packed_decode, _packed_cost, "packed"),
]}

# auto policies: "auto" picks among the formats with auto=True; "auto+huffman" also takes
# huffman wherever it is smaller (its decoding runs once per layer, outside the speed limit)
AUTO = {"auto": (), **{f"auto+{f.name}": (f.name,) for f in FORMATS.values() if not f.auto}}
CHOICES = (*AUTO, *FORMATS)
DEFAULT_MAX_SLOWDOWN = 1.2


@dataclass
class Choice:
    """The format picked for one weight tensor, and what every format would take."""
    tensor: str
    format: str
    bytes: int
    dense_bytes: int
    options: dict = field(default_factory=dict)    # format -> bytes | reason (no limit)
    limit: float | None = None     # auto: the instructions allowed (encode with the same)


def options(w: np.ndarray, name: str, limit=None) -> dict:
    """format -> bytes, or the reason it does not fit."""
    return {f.name: f.fits(w, name, limit) for f in FORMATS.values()}


def choose(w: np.ndarray, name: str, policy: str = "auto",
           max_slowdown: float = DEFAULT_MAX_SLOWDOWN) -> Choice:
    """The format for one [channels, k] int8 matrix: `policy` itself (dense when it does not
    fit), or with auto the smallest that fits within max_slowdown of dense's estimate
    (auto+<format>: that format too, whatever its estimate)."""
    if policy not in CHOICES:
        raise TinyCompressError(f"unknown weight format {policy!r}; choose one of {', '.join(CHOICES)}")
    w = np.asarray(w, np.int8)
    opts = options(w, name)
    fitting = {n: b for n, b in opts.items() if not isinstance(b, str)}
    limit = None
    if policy in AUTO:
        limit = max_slowdown * FORMATS["dense"].cost(w)
        limited = options(w, name, limit)
        fitting = {n: b for n, b in limited.items() if not isinstance(b, str)
                   and (n == "dense" or n in AUTO[policy]
                        or (FORMATS[n].auto and FORMATS[n].cost(w, limit) <= limit))}
        pick = min(fitting, key=lambda n: (fitting[n], n != "dense"))
    else:
        pick = policy if policy in fitting else "dense"
    return Choice(name, pick, int(fitting[pick]), int(w.size), opts, limit)

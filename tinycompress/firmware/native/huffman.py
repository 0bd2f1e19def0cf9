"""Canonical Huffman codes with a bounded length, as firmware/runtime/tc_huffman.h decodes them.

A code is stored as its table: the longest code length n, then the number of codes of each
length 1..n (n bytes), then the symbols in canonical order (shorter codes first, equal
lengths by symbol value). Codes are written MSB first; the code of a length is the previous
code plus one, shifted left when the length grows (the usual canonical assignment), so
the table alone defines the code. Lengths come from package-merge, which gives the optimal
prefix code whose longest code has at most MAX_CODE_BITS bits.
"""
from __future__ import annotations

import numpy as np

MAX_CODE_BITS = 12      # the decoder reads a 16-bit window; 12 keeps the tables' counts short


def code_lengths(freqs: dict, limit: int = MAX_CODE_BITS) -> dict:
    """symbol -> code length of an optimal prefix code with no code longer than `limit`
    (package-merge); one symbol alone gets a 1-bit code."""
    symbols = sorted(s for s, f in freqs.items() if f > 0)
    if not symbols:
        return {}
    if len(symbols) == 1:
        return {symbols[0]: 1}
    if len(symbols) > 1 << limit:
        raise ValueError(f"{len(symbols)} symbols do not fit {limit}-bit codes")
    n = len(symbols)
    leaves = sorted(((freqs[s], np.eye(1, n, i, dtype=np.int64)[0]) for i, s in enumerate(symbols)),
                    key=lambda item: item[0])
    items = leaves
    for _ in range(limit - 1):
        packages = [(items[i][0] + items[i + 1][0], items[i][1] + items[i + 1][1])
                    for i in range(0, len(items) - 1, 2)]
        items = sorted(leaves + packages, key=lambda item: item[0])
    depth = sum(vec for _, vec in items[:2 * n - 2])
    return {s: int(d) for s, d in zip(symbols, depth)}


def canonical(lengths: dict) -> tuple:
    """(codes: symbol -> (code, length), table bytes) for code lengths from code_lengths()."""
    order = sorted(lengths, key=lambda s: (lengths[s], s))
    longest = max(lengths.values(), default=0)
    counts = [sum(1 for s in order if lengths[s] == n) for n in range(1, longest + 1)]
    codes, code, prev = {}, 0, 0
    for s in order:
        code <<= lengths[s] - prev
        prev = lengths[s]
        codes[s] = (code, prev)
        code += 1
    table = np.asarray([longest, *counts, *order], np.uint8)
    return codes, table


def table_bytes(lengths: dict) -> int:
    return 1 + max(lengths.values(), default=0) + len(lengths)


def stream_bits(freqs: dict, lengths: dict) -> int:
    return sum(f * lengths[s] for s, f in freqs.items() if f > 0)


class BitWriter:
    def __init__(self):
        self.bits = []

    def put(self, code: int, length: int):
        self.bits.extend((code >> (length - 1 - i)) & 1 for i in range(length))

    def bytes(self, pad: int) -> np.ndarray:
        """The stream MSB first, zero-filled to a byte, plus `pad` zero bytes (the decoder
        reads whole bytes ahead of the bits it uses)."""
        bits = np.asarray(self.bits + [0] * (-len(self.bits) % 8), np.uint8)
        return np.concatenate([np.packbits(bits), np.zeros(pad, np.uint8)]).astype(np.uint8)


class Decoder:
    """Reads symbols of canonical codes from a stream (the Python twin of tc_huffman.h)."""

    def __init__(self, stream: np.ndarray):
        self.bits = np.unpackbits(np.asarray(stream, np.uint8))
        self.pos = 0

    @staticmethod
    def read_table(tables: np.ndarray, at: int) -> tuple:
        """(counts per length, symbols, offset after the table) of the table at `at`."""
        longest = int(tables[at])
        counts = [int(c) for c in tables[at + 1:at + 1 + longest]]
        start = at + 1 + longest
        return counts, tables[start:start + sum(counts)], start + sum(counts)

    def symbol(self, counts, symbols) -> int:
        code, first, index = 0, 0, 0
        for count in counts:
            code = code << 1 | int(self.bits[self.pos])
            self.pos += 1
            if code - first < count:
                return int(symbols[index + code - first])
            index += count
            first = (first + count) << 1
        raise ValueError("invalid Huffman code in stream")

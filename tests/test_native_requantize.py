"""The kernels' shortcut requantizations (tc_mac.h tc_requantize_fast, and
tc_requantize_rounded for right shifts) equal the reference
form (tc_runtime.h tc_requantize, TFLite's arithmetic) on edge values and 2 million random
(accumulator, multiplier, shift) triples, compiled with the host gcc."""
import shutil
import subprocess

import pytest

from tinycompress.csrc import ROOT

PROGRAM = r"""
#include <stdio.h>
#include "tc_mac.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint32_t next(void) {            /* xorshift64* */
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return (uint32_t)((state * 2685821657736338717ull) >> 32);
}

static int check(int32_t x, int32_t m, int32_t s) {
    /* the generation-time rounding constant of ops/packing.py rounding_table */
    const int64_t rounding = (1LL << 30) + (s <= -1 ? (1LL << (30 - s)) : 0);
    if (m != 0 && s <= -1 && tc_requantize(x, m, s) != tc_requantize_rounded(x, m, rounding, s)) {
        printf("MISMATCH rounded x=%ld m=%ld shift=%ld\n", (long)x, (long)m, (long)s);
        return 1;
    }
    if (tc_requantize(x, m, s) != tc_requantize_fast(x, m, s)) {
        printf("MISMATCH x=%ld m=%ld shift=%ld ref=%ld fast=%ld\n", (long)x, (long)m, (long)s,
               (long)tc_requantize(x, m, s), (long)tc_requantize_fast(x, m, s));
        return 1;
    }
    return 0;
}

int main(void) {
    static const int32_t xs[] = {0, 1, -1, 2, -2, 3, -3, 127, -128, 1 << 20, -(1 << 20),
                                 INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1};
    static const int32_t ms[] = {0, 1 << 30, (1 << 30) + 1, INT32_MAX, INT32_MAX - 1, 1518500250};
    long n = 0;
    for (int32_t s = -31; s <= 0; s++)
        for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; i++)
            for (unsigned j = 0; j < sizeof ms / sizeof ms[0]; j++, n++)
                if (check(xs[i], ms[j], s)) return 1;
    for (long k = 0; k < 2000000; k++, n++) {
        int32_t m = (int32_t)((1u << 30) | (next() >> 2));
        int32_t s = -(int32_t)(next() % 32);
        /* accumulators of every magnitude, and ties: multiples of a power of two */
        int32_t x = (int32_t)next() >> (next() % 31);
        if (k % 4 == 0) s = (int32_t)(next() % 4);           /* left shifts: small x */
        if (s > 0) x >>= 8;
        if (k % 3 == 0) x &= ~(int32_t)((1u << (next() % 16)) - 1u);
        if (check(x, m, s)) return 1;
    }
    printf("OK %ld\n", n);
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no host gcc")
def test_fast_requantize_equals_tflite_reference(tmp_path):
    src = tmp_path / "rq.c"
    src.write_text(PROGRAM)
    exe = tmp_path / "rq"
    subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-std=c99", "-I", str(ROOT / "runtime"),
                    str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], stdout=subprocess.PIPE, text=True).stdout
    assert out.startswith("OK"), out

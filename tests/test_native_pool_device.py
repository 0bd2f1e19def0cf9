"""The fast paths of the pooling and ADD kernels.

tc_pool.c has a Cortex-M DSP path (SSUB8+SEL lane-wise max, SXTAB16 sums) that the host
cannot run: it cross-compiles warning-free for the Cortex-M cores the boards use, with the
SIMD instructions exactly where the CPU has them, and in QEMU on mps2-an386 (Cortex-M4) a
model of pooling and ADD branches (2x2 windows, clipped SAME windows, channel counts that
are not multiples of 4, a 289-value average window past the int16 lanes' limit, fused
activations) reproduces TFLM's outputs byte for byte. The generation-time tables of ADD's
input rescale equal the reference tc_requantize for every int8 input, shift and many
multipliers (host gcc)."""
import shutil
import subprocess

import pytest

from _native_device import CPU_IDS, CPUS, assert_native_matches_tflm_in_qemu, cross_compile_mnemonics
from conftest import requires_arm_gcc, requires_qemu
from tinycompress.csrc import ROOT

SIMD = ("sel", "sxtab16")


@requires_arm_gcc
@pytest.mark.parametrize("flags,dsp", CPUS, ids=CPU_IDS)
def test_pool_and_elementwise_cross_compile_with_simd_where_available(tmp_path, flags, dsp):
    for name in ("tc_pool.c", "tc_elementwise.c"):
        mnemonics = cross_compile_mnemonics(tmp_path, name, flags)
        if name == "tc_pool.c":
            for insn in SIMD:
                assert (insn in mnemonics) == dsp, \
                    f"{name} for {flags[0]}: {insn} {'missing' if dsp else 'present'}"


REQUANT_CHECK = r"""
#include <stdio.h>
#include "tc_runtime.h"

/* tc_requantize (TFLite's reference arithmetic) of every (v + offset) << 20 for the
   multipliers and shifts on stdin, one int32 per value on stdout */
int main(void) {
    long m, shift, offset;
    while (scanf("%ld %ld %ld", &m, &shift, &offset) == 3) {
        for (int32_t v = -128; v <= 127; v++) {
            const int32_t r = tc_requantize((int32_t)((v + offset) * (1 << 20)), (int32_t)m, (int32_t)shift);
            fwrite(&r, sizeof r, 1, stdout);
        }
    }
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no host gcc")
def test_add_input_tables_equal_tflite_reference_for_every_int8(tmp_path):
    """The generation-time ADD/SUB input tables (quant.requantize, numpy) equal the C
    reference tc_requantize for every int8 input, every shift ADD's Prepare can give
    (-30..0), offsets covering v + offset in [-255, 255], edge and random multipliers."""
    import numpy as np
    from tinycompress.firmware.native.quant import requantize
    src, exe = tmp_path / "requant.c", tmp_path / "requant"
    src.write_text(REQUANT_CHECK)
    subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-std=c99", "-I", str(ROOT / "runtime"),
                    str(src), "-o", str(exe)], check=True)
    rng = np.random.default_rng(0)
    ms = [0, 1 << 30, (1 << 30) + 1, 2**31 - 1, 2**31 - 2, 1518500250,
          *(int(x) for x in rng.integers(1 << 30, 1 << 31, 60))]
    rows = [(m, shift, offset) for m in ms for shift in range(-30, 1) for offset in (-127, 128)]
    lines = "".join(f"{m} {shift} {offset}\n" for m, shift, offset in rows)
    out = subprocess.run([str(exe)], input=lines.encode(), stdout=subprocess.PIPE, check=True).stdout
    got = np.frombuffer(out, dtype=np.int32).reshape(len(rows), 256)
    values = np.arange(-128, 128, dtype=np.int64)
    for row, (m, shift, offset) in zip(got, rows):
        want = requantize((values + offset) << 20, m, shift)
        assert np.array_equal(row, want), (m, shift, offset)


# (input shape, input range, branch) — each branch is input -> op -> output
def _branches(tf):
    pool = lambda f, *a: (lambda x: f(x, *a))  # noqa: E731
    return [
        ((1, 8, 8, 32), (-1.0, 1.0), pool(tf.nn.max_pool2d, 2, 2, "VALID")),
        ((1, 7, 9, 6), (0.0, 6.0), lambda x: tf.nn.relu6(tf.nn.max_pool2d(x, 3, 2, "SAME"))),
        ((1, 5, 6, 11), (-3.0, 9.0), lambda x: tf.clip_by_value(tf.nn.max_pool2d(x, 2, 1, "SAME"), -1.0, 1.0)),
        ((1, 6, 5, 12), (-4.0, 2.0), pool(tf.nn.avg_pool2d, 3, 1, "SAME")),
        ((1, 8, 8, 5), (-1.0, 0.0), lambda x: tf.nn.relu(tf.nn.avg_pool2d(x, 2, 2, "VALID"))),
        ((1, 25, 5, 64), (-20.0, 20.0), pool(tf.nn.avg_pool2d, (25, 5), 1, "VALID")),
        ((1, 17, 17, 8), (0.0, 1.0), pool(tf.nn.avg_pool2d, 17, 1, "VALID")),   # 289 values
    ]


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
def test_pool_and_add_fast_paths_match_tflm_in_qemu(tmp_path):
    from testmodels import build_int8
    from tinycompress.tflite_model import parse_tflite
    from tinycompress.tfcompat import tf

    branches = _branches(tf)
    n_pool = len(branches)
    add_shape = (1, 6, 6, 10)

    def fn(*xs):
        outs = [f(x) for (_, _, f), x in zip(branches, xs[:n_pool])]
        a, b, c, row = xs[n_pool:]
        outs.append(a + b)                       # flat ADD, different scales
        outs.append(tf.nn.relu(b + c))           # flat ADD with a fused activation
        outs.append(a + row)                     # broadcast ADD: the general path
        return tuple(outs)

    shapes = [s for s, _, _ in branches] + [add_shape] * 3 + [(1, 1, 6, 10)]
    ranges = [r for _, r, _ in branches] + [(-1.0, 1.0), (-4.0, 0.5), (0.0, 6.0), (-2.0, 2.0)]
    model_bytes = build_int8(fn, shapes, ranges, seed=3)
    ops = sorted(o.op for o in parse_tflite(model_bytes, "m").operators)
    assert ops.count("MAX_POOL_2D") == 3 and ops.count("AVERAGE_POOL_2D") == 4 and ops.count("ADD") == 3
    assert_native_matches_tflm_in_qemu(tmp_path, model_bytes)

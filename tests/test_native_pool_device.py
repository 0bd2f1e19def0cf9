"""The fast paths of the pooling and ADD kernels.

tc_pool.c has a Cortex-M DSP path (SSUB8+SEL lane-wise max, SXTAB16 sums) that the host
cannot run: it cross-compiles warning-free for the Cortex-M cores the boards use, with the
SIMD instructions exactly where the CPU has them, and in QEMU on mps2-an386 (Cortex-M4) a
model of pooling and ADD branches (2x2 windows, clipped SAME windows, channel counts that
are not multiples of 4, a 289-value average window past the int16 lanes' limit, fused
activations) reproduces TFLM's outputs byte for byte. tc_elementwise.c's 32-bit rescale of
ADD inputs equals the reference tc_requantize for every int8 input, shift and many
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


SCALE_CHECK = r"""
#include <stdio.h>
#include "tc_elementwise.c"   /* the static helpers under test */

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint32_t next(void) {            /* xorshift64* */
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return (uint32_t)((state * 2685821657736338717ull) >> 32);
}

int main(void) {
    static const int32_t edges[] = {0, 1 << 30, (1 << 30) + 1, INT32_MAX, INT32_MAX - 1, 1518500250};
    long n = 0;
    for (int k = 0; k < 4000; k++) {
        const int32_t m = k < 6 ? edges[k] : (int32_t)((1u << 30) | (next() >> 2));
        for (int32_t shift = -30; shift <= 0; shift++) {
            /* offsets -127 and 128 make v + offset cover every value in [-255, 255] */
            for (int32_t offset = -127; offset <= 128; offset += 255) {
                const tc_input_scale s = tc_input_scale_of(offset, m, shift);
                for (int32_t v = -128; v <= 127; v++, n++) {
                    const int32_t ref = tc_requantize((v + offset) * (1 << 20), m, shift);
                    if (tc_scale_input(&s, v) != ref) {
                        printf("MISMATCH m=%ld shift=%ld a=%ld\n", (long)m, (long)shift, (long)(v + offset));
                        return 1;
                    }
                }
            }
        }
    }
    printf("OK %ld\n", n);
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no host gcc")
def test_add_input_rescale_equals_tflite_reference_for_every_int8(tmp_path):
    src = tmp_path / "scale.c"
    src.write_text(SCALE_CHECK)
    exe = tmp_path / "scale"
    subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-std=c99", "-I", str(ROOT / "runtime"),
                    str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], stdout=subprocess.PIPE, text=True).stdout
    assert out.startswith("OK"), out


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

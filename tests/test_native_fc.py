"""FULLY_CONNECTED in the native runtime equals the TFLM host interpreter byte for byte
over 2 x 18 seeded configurations: per-channel weights (the converter's default) and
per-tensor weights (a separate model: TFLM computes that multiplier from a float32
product), with and without bias, batches 1-5, 3-D inputs (keep_num_dims), depths that do
and do not fill 4-byte words, input zero points at -128 and 127, all fused activations."""
import numpy as np
import pytest

from _native_mac_cases import (ACTIVATIONS, RANGES, Case, activate, assert_bit_exact, bias_for,
                               build_model, channel_weights)

N_CASES = 18


def fc_case(seed: int) -> Case:
    rng = np.random.default_rng(3000 + seed)
    depth = int(rng.choice([1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 70]))
    out_c = int(rng.choice([1, 2, 3, 4, 7, 10, 16, 33]))
    batch = int(rng.choice([1, 1, 1, 2, 3, 5]))
    keep_dims = seed % 6 == 5                  # a 3-D input keeps its leading dimensions
    shape = (batch, 2, depth) if keep_dims else (batch, depth)
    act = ACTIVATIONS[seed % len(ACTIVATIONS)]
    in_range = RANGES[int(rng.integers(len(RANGES)))]
    w = channel_weights(rng, (depth, out_c), 1, depth, in_range)
    use_bias = seed % 4 != 3
    b = bias_for(rng, out_c, act)

    def fn(x):
        from tinycompress.tfcompat import tf
        y = tf.matmul(x, tf.constant(w))
        if use_bias:
            y = y + tf.constant(b)
        return activate(tf, act, y)

    return Case(seed, shape, in_range, fn,
                f"seed {seed}: in {shape} out_c {out_c} {act} range {in_range} bias {use_bias}")


CASES = [fc_case(s) for s in range(N_CASES)]


@pytest.mark.parametrize("per_channel", [True, False], ids=["per_channel", "per_tensor"])
def test_fully_connected_matches_tflm_on_all_seeded_configurations(per_channel):
    model = build_model(CASES, per_channel_dense=per_channel)
    assert_bit_exact(model, "FULLY_CONNECTED", len(CASES), describe=[c.describe for c in CASES])


@pytest.mark.slow
@pytest.mark.parametrize("per_channel", [True, False], ids=["per_channel", "per_tensor"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c.seed}")
def test_fully_connected_one_op_model_matches_tflm(case, per_channel):
    assert_bit_exact(build_model([case], per_channel_dense=per_channel), "FULLY_CONNECTED", 1,
                     describe=[case.describe])

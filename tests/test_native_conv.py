"""CONV_2D in the native runtime equals the TFLM host interpreter byte for byte over 36
seeded configurations: kernel sizes 1-4 (1x1 takes the direct, no-im2col path), strides
1-3, SAME/VALID, dilation, batches, 1-9 and 16/32 channels, per-channel weight scales
over three decades, input zero points at -128 and 127, biases that push the output zero
point to an extreme, all four fused activations."""
import numpy as np
import pytest

from _native_mac_cases import (ACTIVATIONS, RANGES, Case, activate, assert_bit_exact, bias_for,
                               build_model, channel_weights)

N_CASES = 36


def conv_case(seed: int) -> Case:
    rng = np.random.default_rng(1000 + seed)
    k = (1, 1) if seed % 5 == 0 else tuple(int(v) for v in rng.integers(1, 5, 2))
    stride = tuple(int(v) for v in rng.integers(1, 4, 2))
    dilation = (1, 1)
    if stride == (1, 1) and k != (1, 1) and rng.random() < 0.5:
        dilation = tuple(int(v) for v in rng.integers(1, 4, 2))
    padding = str(rng.choice(["SAME", "VALID"]))
    effective = [(k[i] - 1) * dilation[i] + 1 for i in range(2)]
    hw = [int(rng.integers(effective[i] if padding == "VALID" else 1, effective[i] + 8))
          for i in range(2)]
    in_c = int(rng.choice([1, 2, 3, 4, 5, 7, 8, 9, 16, 32]))
    out_c = int(rng.choice([1, 2, 3, 5, 6, 8, 9, 16]))
    batch = 2 if rng.random() < 0.2 else 1
    act = ACTIVATIONS[seed % len(ACTIVATIONS)]
    in_range = RANGES[int(rng.integers(len(RANGES)))]
    w = channel_weights(rng, (k[0], k[1], in_c, out_c), 3, k[0] * k[1] * in_c, in_range)
    use_bias = rng.random() < 0.85
    b = bias_for(rng, out_c, act)

    def fn(x):
        from tinycompress.tfcompat import tf
        y = tf.nn.conv2d(x, tf.constant(w), [1, stride[0], stride[1], 1], padding,
                         dilations=[1, dilation[0], dilation[1], 1])
        if use_bias:
            y = y + tf.constant(b)
        return activate(tf, act, y)

    return Case(seed, (batch, hw[0], hw[1], in_c), in_range, fn,
                f"seed {seed}: in {(batch, *hw, in_c)} k {k} out_c {out_c} stride {stride} "
                f"dilation {dilation} {padding} {act} range {in_range} bias {use_bias}")


CASES = [conv_case(s) for s in range(N_CASES)]


def test_conv2d_matches_tflm_on_all_seeded_configurations():
    model = build_model(CASES)
    assert_bit_exact(model, "CONV_2D", len(CASES), describe=[c.describe for c in CASES])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c.seed}")
def test_conv2d_one_op_model_matches_tflm(case):
    assert_bit_exact(build_model([case]), "CONV_2D", 1, describe=[case.describe])

"""DEPTHWISE_CONV_2D in the native runtime equals the TFLM host interpreter byte for byte
over 36 seeded configurations: depth multipliers 1-3, kernel sizes 1-5, strides 1-3 (TF
requires equal strides), SAME/VALID, dilation (height and width independently), batches,
channel counts that do and do not fill the 4-channel DSP loop, per-channel weight scales,
input zero points at -128 and 127, all four fused activations; and 8 MobileNet/DS-CNN
cases (3x3, multiplier 1, stride 1 and 2, SAME/VALID, odd sizes, channel counts with and
without a partial 4-channel group) for the unrolled 3x3 DSP loop."""
import numpy as np
import pytest

from _native_mac_cases import (ACTIVATIONS, RANGES, Case, activate, assert_bit_exact, bias_for,
                               build_model, channel_weights)

N_CASES = 36


def depthwise_case(seed: int, mobilenet: bool = False) -> Case:
    rng = np.random.default_rng(2000 + seed)
    k = tuple(int(v) for v in rng.integers(1, 6, 2))
    stride = int(rng.integers(1, 4))
    dilation = (1, 1)
    if mobilenet:
        k, stride = (3, 3), 1 + seed % 2
    elif stride == 1 and rng.random() < 0.5:
        dilation = tuple(int(v) for v in rng.integers(1, 4, 2))
    padding = str(rng.choice(["SAME", "VALID"]))
    effective = [(k[i] - 1) * dilation[i] + 1 for i in range(2)]
    hw = [int(rng.integers(effective[i] if padding == "VALID" else 1, effective[i] + 8))
          for i in range(2)]
    in_c = int(rng.choice([1, 2, 3, 4, 5, 6, 8, 12, 16, 17]))
    mult = 1 if seed % 3 else int(rng.integers(2, 4))
    if mobilenet:
        in_c, mult = [4, 17, 8, 6, 12, 16, 5, 8][seed % 8], 1
    batch = 2 if rng.random() < 0.2 else 1
    act = ACTIVATIONS[seed % len(ACTIVATIONS)]
    in_range = RANGES[int(rng.integers(len(RANGES)))]
    w = channel_weights(rng, (k[0], k[1], in_c, mult), 2, k[0] * k[1], in_range)
    w = w * 10.0 ** rng.uniform(-1, 0.5, (1, 1, in_c, 1)).astype(np.float32)
    use_bias = rng.random() < 0.85
    b = bias_for(rng, in_c * mult, act)

    def fn(x):
        from tinycompress.tfcompat import tf
        y = tf.nn.depthwise_conv2d(x, tf.constant(w), [1, stride, stride, 1], padding,
                                   dilations=list(dilation))
        if use_bias:
            y = y + tf.constant(b)
        return activate(tf, act, y)

    return Case(seed, (batch, hw[0], hw[1], in_c), in_range, fn,
                f"seed {seed}: in {(batch, *hw, in_c)} k {k} multiplier {mult} stride {stride} "
                f"dilation {dilation} {padding} {act} range {in_range} bias {use_bias}")


CASES = ([depthwise_case(s) for s in range(N_CASES)]
         + [depthwise_case(s, mobilenet=True) for s in range(N_CASES, N_CASES + 8)])


def test_depthwise_conv2d_matches_tflm_on_all_seeded_configurations():
    model = build_model(CASES)
    assert_bit_exact(model, "DEPTHWISE_CONV_2D", len(CASES), describe=[c.describe for c in CASES])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c.seed}")
def test_depthwise_conv2d_one_op_model_matches_tflm(case):
    assert_bit_exact(build_model([case]), "DEPTHWISE_CONV_2D", 1, describe=[case.describe])

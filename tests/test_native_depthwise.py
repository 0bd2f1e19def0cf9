"""DEPTHWISE_CONV_2D in the native runtime equals the TFLM host interpreter byte for byte
over 36 seeded configurations: depth multipliers 1-3, kernel sizes 1-5, strides 1-3 (TF
requires equal strides), SAME/VALID, dilation (height and width independently), batches,
channel counts that do and do not fill the 4-channel DSP loop, per-channel weight scales,
input zero points at -128 and 127, all four fused activations; and 8 MobileNet/DS-CNN
cases (3x3, multiplier 1, stride 1 and 2, SAME/VALID, odd sizes, channel counts with and
without a partial 4-channel group) for the unrolled 3x3 DSP loop."""
import pytest

from _native_mac_cases import assert_bit_exact, build_model
from tinycompress.firmware.native.ops import OPS

N_CASES = 36


CASES = ([OPS["DEPTHWISE_CONV_2D"].cases(s) for s in range(N_CASES)]
         + [OPS["DEPTHWISE_CONV_2D"].cases(s, mobilenet=True) for s in range(N_CASES, N_CASES + 8)])


def test_depthwise_conv2d_matches_tflm_on_all_seeded_configurations():
    model = build_model(CASES)
    assert_bit_exact(model, "DEPTHWISE_CONV_2D", len(CASES), describe=[c.describe for c in CASES])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c.seed}")
def test_depthwise_conv2d_one_op_model_matches_tflm(case):
    assert_bit_exact(build_model([case]), "DEPTHWISE_CONV_2D", 1, describe=[case.describe])

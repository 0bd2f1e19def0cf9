"""CONV_2D in the native runtime equals the TFLM host interpreter byte for byte over 36
seeded configurations: kernel sizes 1-4 (1x1 takes the direct, no-im2col path), strides
1-3, SAME/VALID, dilation, batches, 1-9 and 16/32 channels, per-channel weight scales
over three decades, input zero points at -128 and 127, biases that push the output zero
point to an extreme, all four fused activations."""
import pytest

from _native_mac_cases import assert_bit_exact, build_model
from tinycompress.firmware.native.ops import OPS

N_CASES = 36


CASES = [OPS["CONV_2D"].cases(s) for s in range(N_CASES)]


def test_conv2d_matches_tflm_on_all_seeded_configurations():
    model = build_model(CASES)
    assert_bit_exact(model, "CONV_2D", len(CASES), describe=[c.describe for c in CASES])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c.seed}")
def test_conv2d_one_op_model_matches_tflm(case):
    assert_bit_exact(build_model([case]), "CONV_2D", 1, describe=[case.describe])

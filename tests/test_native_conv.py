"""CONV_2D in the native runtime equals the TFLM host interpreter byte for byte over 38
seeded configurations: kernel sizes 1-4 (1x1 takes the direct, no-im2col path), strides
1-3, SAME/VALID, dilation, batches, 1-9 and 16/32 channels, per-channel weight scales
over three decades, input zero points at -128 and 127, biases that push the output zero
point to an extreme, all four fused activations; both weight layouts (int8 channel pairs,
and int16 pre-extended, whose 2 pixel x 4 channel core sees out_c % 4 = 0..3, odd pixel
counts and k % 4 = 0..3 among the cases)."""
import pytest

from _native_mac_cases import assert_bit_exact, build_model
from tinycompress.firmware.native.ops import OPS

N_CASES = 36


# + two seeds whose tap counts (63, 54) leave 7 and 6 taps after the 8-tap passes
CASES = [OPS["CONV_2D"].cases(s) for s in [*range(N_CASES), 98, 109]]


@pytest.fixture(scope="module")
def all_cases_model():
    return build_model(CASES)


@pytest.mark.parametrize("wide", [False, True], ids=["int8_weights", "int16_weights"])
def test_conv2d_matches_tflm_on_all_seeded_configurations(all_cases_model, wide):
    info = assert_bit_exact(all_cases_model, "CONV_2D", len(CASES), describe=[c.describe for c in CASES],
                            wide=wide)
    assert info.conv_weights.startswith("int16" if wide else "int8")


def test_conv2d_cases_reach_every_wide_core_remainder(all_cases_model):
    """The cases reach every remainder of the blocked cores: output channels mod 4 (int16
    core) and mod 2 (int8 core), odd and even output pixel counts, taps mod 4 and mod 8."""
    from tinycompress.tflite_model import parse_tflite
    model = parse_tflite(all_cases_model, "conv cases")
    seen = {"out_c % 4": set(), "pixels % 2": set(), "k % 8": set()}
    for op in model.operators:
        _, out_h, out_w, out_c = model.tensors[op.outputs[0]].shape
        _, k_h, k_w, in_c = model.tensors[op.inputs[1]].shape
        seen["out_c % 4"].add(out_c % 4)
        seen["pixels % 2"].add(out_h * out_w % 2)
        seen["k % 8"].add(k_h * k_w * in_c % 8)
    assert seen == {"out_c % 4": {0, 1, 2, 3}, "pixels % 2": {0, 1}, "k % 8": set(range(8))}, seen


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c.seed}")
def test_conv2d_one_op_model_matches_tflm(case):
    assert_bit_exact(build_model([case]), "CONV_2D", 1, describe=[case.describe])

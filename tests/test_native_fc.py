"""FULLY_CONNECTED in the native runtime equals the TFLM host interpreter byte for byte
over 2 x 18 seeded configurations: per-channel weights (the converter's default) and
per-tensor weights (a separate model: TFLM computes that multiplier from a float32
product), with and without bias, batches 1-5, 3-D inputs (keep_num_dims), depths that do
and do not fill 4-byte words, input zero points at -128 and 127, all fused activations."""
import pytest

from _native_mac_cases import assert_bit_exact, build_model
from tinycompress.firmware.native.ops import OPS

N_CASES = 18


CASES = [OPS["FULLY_CONNECTED"].cases(s) for s in range(N_CASES)]


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

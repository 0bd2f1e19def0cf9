"""The Cortex-M DSP path of the MAC kernels (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED),
which the host cannot run: it cross-compiles warning-free for every Cortex-M the boards
use (SMLAD only where the CPU has the DSP extension), and, in QEMU on mps2-an386
(Cortex-M4), reproduces TFLM's outputs byte for byte on the seeded configurations."""
import pytest

from _native_device import CPU_IDS, CPUS, assert_native_matches_tflm_in_qemu, cross_compile_mnemonics
from conftest import requires_arm_gcc, requires_qemu

KERNELS = ["tc_conv.c", "tc_depthwise.c", "tc_fully_connected.c"]


@requires_arm_gcc
@pytest.mark.parametrize("flags,dsp", CPUS, ids=CPU_IDS)
def test_mac_kernels_cross_compile_with_dsp_path_where_available(tmp_path, flags, dsp):
    for name in KERNELS:
        mnemonics = cross_compile_mnemonics(tmp_path, name, flags)
        used = ("smlad" in mnemonics) if name != "tc_depthwise.c" else ("smlabb" in mnemonics)
        assert used == dsp, f"{name} for {flags[0]}: DSP instructions {'missing' if dsp else 'present'}"


def _device_cases():
    import test_native_conv
    import test_native_depthwise
    import test_native_fc
    return [("CONV_2D", test_native_conv.CASES, {}),
            ("DEPTHWISE_CONV_2D", test_native_depthwise.CASES, {}),
            ("FULLY_CONNECTED", test_native_fc.CASES, {"per_channel_dense": True}),
            ("FULLY_CONNECTED", test_native_fc.CASES, {"per_channel_dense": False})]


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@pytest.mark.parametrize("index", range(4), ids=["conv", "depthwise", "fc_per_channel", "fc_per_tensor"])
def test_mac_kernels_dsp_path_matches_tflm_in_qemu(tmp_path, index):
    from _native_mac_cases import build_model
    from tinycompress.tflite_model import parse_tflite

    op, cases, options = _device_cases()[index]
    model_bytes = build_model(cases, **options)
    assert [o.op for o in parse_tflite(model_bytes, "m").operators] == [op] * len(cases)
    assert_native_matches_tflm_in_qemu(tmp_path, model_bytes)

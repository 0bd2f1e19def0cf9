"""The Cortex-M DSP path of the MAC kernels (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED),
which the host cannot run: it cross-compiles warning-free for every Cortex-M the boards
use (SMLAD only where the CPU has the DSP extension), and, in QEMU on mps2-an386
(Cortex-M4), reproduces TFLM's outputs byte for byte on the seeded configurations."""
import subprocess

import pytest

from conftest import requires_arm_gcc, requires_qemu
from tinycompress.csrc import ROOT

KERNELS = ["tc_conv.c", "tc_depthwise.c", "tc_fully_connected.c"]
# (cpu flags, has the DSP extension)
CPUS = [(["-mcpu=cortex-m0plus", "-mfloat-abi=soft"], False),
        (["-mcpu=cortex-m3", "-mfloat-abi=soft"], False),
        (["-mcpu=cortex-m4", "-mfloat-abi=soft"], True),
        (["-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard"], True),
        (["-mcpu=cortex-m33", "-mfloat-abi=soft"], True),
        (["-mcpu=cortex-m55", "-mfloat-abi=hard"], True)]


@requires_arm_gcc
@pytest.mark.parametrize("flags,dsp", CPUS, ids=[c[0][0].split("=")[1] for c in CPUS])
def test_mac_kernels_cross_compile_with_dsp_path_where_available(tmp_path, flags, dsp):
    for name in KERNELS:
        obj = tmp_path / (name + ".o")
        subprocess.run(["arm-none-eabi-gcc", *flags, "-mthumb", "-O2", "-std=c99", "-Wall", "-Wextra",
                        "-Werror", "-I", str(ROOT / "runtime"), "-c", str(ROOT / "runtime" / name),
                        "-o", str(obj)], check=True)
        asm = subprocess.run(["arm-none-eabi-objdump", "-d", str(obj)], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        used = ("smlad" in asm) if name != "tc_depthwise.c" else ("smlabb" in asm)
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
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project
    from tinycompress.simulate.qemu import simulate
    from tinycompress.tflite_model import parse_tflite

    op, cases, options = _device_cases()[index]
    model_bytes = build_model(cases, **options)
    assert [o.op for o in parse_tflite(model_bytes, "m").operators] == [op] * len(cases)
    path = tmp_path / "model.tflite"
    path.write_bytes(model_bytes)
    generate_project(path, "mps2-an386", tmp_path / "fw", runtime="native", vectors=3)
    build(tmp_path / "fw")
    report = simulate(tmp_path / "fw", timeout=300)
    assert report.failure is None, report.failure
    assert report.passed == 3

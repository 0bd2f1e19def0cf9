"""The TFLite-Micro harness on the device: `firmware --runtime tflm` built against the real TFLM
trees of the shared folder (TFLM_TREES: reference kernels and CMSIS-NN, cortex-m4+fp) and run in
QEMU mps2-an386: every golden vector byte for byte equal to the host TFLM interpreter's output,
one timed layer per operator, TFLM's arena measured on the device, and the instruction counts
of TFLM's own baseline (tflm.json) for its six models.

Each (model, tree) is generated, built and run once per test session (tflm_run): the glue
compiles against TFLM's headers in about 20 s. The default suite runs one: digits_cnn on the
reference tree; the whole matrix is `-m slow`.
"""
import json
import os
import subprocess

import numpy as np
import pytest

from conftest import requires_arm_gcc, requires_qemu, requires_shared
from tinycompress.shared import BASELINE, BASELINE_MODELS, TFLM_TREES, shared_path, shared_root

BOARD = "mps2-an386"
VECTORS = 3
BASELINE_NAMES = ("ad_fc", "digits_cnn", "kws_dscnn", "resnet8", "vww_mbv1", "vww_mbv1_rgb")
# Vectors after the first (the profiled one) against TFLM's Invoke alone: ours adds the input
# and output copies and one trampoline call per operator; the reference kernels' time also
# depends a little on the data (resnet8: 51 ticks fewer than tflm.json's on our inputs).
TICKS_TOLERANCE = 0.002

pytestmark = [requires_arm_gcc, requires_qemu, requires_shared(BASELINE_MODELS)]


def requires_tree(kernels):
    return requires_shared(TFLM_TREES[kernels], "lib", "libtensorflow-microlite.a")


def baseline_row(kernels, name):
    rows = json.loads((shared_root() / BASELINE / "tflm.json").read_text())
    return next(r for r in rows if r["variant"] == kernels and r["model"] == name)


def deploy_tflm(tflite, tflm_dir, out, data=None, vectors=VECTORS, runtime="tflm"):
    """Generate, build (TFLM_DIR=tflm_dir) and simulate; returns (SimReport, project folder)."""
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project
    from tinycompress.simulate.qemu import simulate

    generate_project(tflite, BOARD, out, runtime=runtime, data=data, vectors=vectors)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TFLM_DIR", str(tflm_dir))
        mp.delenv("TFLM_LIB", raising=False)
        build(out)
    report = simulate(out, timeout=300)
    print(f"\n{tflite.name} on {out.name}:\n" + "\n".join(report.lines()))   # the per-op table
    return report, out


@pytest.fixture(scope="session")
def tflm_run(tmp_path_factory):
    """tflm_run(tflite, kernels, data=None) -> (SimReport, project): once per session."""
    cache = {}

    def run(tflite, kernels, data=None, runtime="tflm"):
        """kernels: a TFLM_TREES key (ignored for runtime="native")."""
        key = (str(tflite), kernels, runtime)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"{tflite.stem}-{kernels}") / f"{runtime}-{kernels}"
            tree = shared_path(TFLM_TREES[kernels]) if runtime == "tflm" else ""
            cache[key] = deploy_tflm(tflite, tree, out, data, runtime=runtime)
        return cache[key]
    return run


def assert_bit_exact_per_op(report, project, tflite):
    from tinycompress.tflite_model import read_tflite
    assert report.ok, report.failure
    assert report.passed == len(report.vectors) == VECTORS
    model = read_tflite(tflite)
    # one timed layer per operator, named as the native runtime names them, each > 0 ticks
    assert [l.name for l in report.layers] == [model.layer_name(op) for op in model.operators]
    assert all(l.ticks > 0 for l in report.layers), report.lines()
    # the operators' ticks are part of vector 0's, which holds the whole Invoke
    assert sum(l.ticks for l in report.layers) < report.vectors[0].ticks
    meta = json.loads((project / "project.json").read_text())
    assert meta["runtime"] == "tflm" and len(meta["layers"]) == len(model.operators)


def assert_matches_baseline(report, kernels, name):
    row = baseline_row(kernels, name)
    assert report.tflm_arena_used == row["arena_used"]
    for v in report.vectors[1:]:        # unprofiled: Invoke + copies + trampolines
        assert v.ticks == pytest.approx(row["invoke_ticks"], rel=TICKS_TOLERANCE), (kernels, name)
        assert v.ticks * report.insns_per_tick == pytest.approx(row["est_insns"], rel=TICKS_TOLERANCE)


@requires_tree("ref")
def test_digits_cnn_on_the_reference_tree_is_bit_exact_at_tflms_instruction_count(tflm_run):
    tflite = shared_root() / BASELINE_MODELS / "digits_cnn.tflite"
    report, project = tflm_run(tflite, "ref")
    assert_bit_exact_per_op(report, project, tflite)
    assert_matches_baseline(report, "ref", "digits_cnn")


@pytest.mark.slow
@pytest.mark.parametrize("kernels", sorted(TFLM_TREES))
@pytest.mark.parametrize("name", BASELINE_NAMES)
def test_baseline_model_matches_tflms_own_figures(tflm_run, kernels, name):
    if shared_path(TFLM_TREES[kernels], "lib") is None:
        pytest.skip(f"no TFLM tree {TFLM_TREES[kernels]} in {shared_root()}")
    tflite = shared_root() / BASELINE_MODELS / f"{name}.tflite"
    report, project = tflm_run(tflite, kernels)
    assert_bit_exact_per_op(report, project, tflite)
    assert_matches_baseline(report, kernels, name)


# --- the zoo: trained briefly, converted, golden vectors from its data; native vs TFLM ---------

@pytest.fixture(scope="session")
def zoo_int8(tmp_path_factory):
    """zoo_int8(name) -> (int8 .tflite, data set): trained and converted once per session."""
    from test_zoo_firmware import train_and_convert
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = train_and_convert(name, tmp_path_factory.mktemp(name))
        return cache[name]
    return get


def _zoo_names():
    from tinycompress.zoo import ZOO
    return sorted(ZOO)


@pytest.mark.slow
@pytest.mark.parametrize("kernels", sorted(TFLM_TREES))
@pytest.mark.parametrize("name", _zoo_names())
def test_zoo_model_on_tflm_is_bit_exact_with_the_native_runtimes_vectors(tflm_run, zoo_int8, kernels, name):
    if shared_path(TFLM_TREES[kernels], "lib") is None:
        pytest.skip(f"no TFLM tree {TFLM_TREES[kernels]} in {shared_root()}")
    tflite, data = zoo_int8(name)
    report, project = tflm_run(tflite, kernels, data)
    assert_bit_exact_per_op(report, project, tflite)
    assert report.tflm_arena_used and report.tflm_arena_used <= json.loads(
        (project / "project.json").read_text())["arena_bytes"]
    native, native_project = tflm_run(tflite, None, data, runtime="native")
    assert native.ok, native.failure
    golden, native_golden = (np.load(p / "golden.npz") for p in (project, native_project))
    for key in ("inputs", "outputs"):       # the same vectors, passed by both runtimes
        np.testing.assert_array_equal(golden[key], native_golden[key])
    assert len({row.tobytes() for row in golden["outputs"]}) > 1
    assert len(native.layers) == len(report.layers)     # the same per-layer table


# --- a tflite-micro checkout (library under gen/ at its root) and a library with asserts ------

def checkout_from_tree(tree, out, build_dir="cortex_m_generic_cortex-m4+fp_release_gcc"):
    """A tflite-micro checkout's layout, made of symbolic links into a tree: sources under
    tensorflow/ and signal/, third-party headers under tensorflow/lite/micro/tools/make/downloads/, the
    library where TFLM's Makefile writes it (gen/<build>/lib/ at the root)."""
    out.mkdir(parents=True)
    subprocess.run(["cp", "-rs", str(tree / "tensorflow"), str(out / "tensorflow")], check=True)
    os.symlink(tree / "signal", out / "signal")        # at a checkout's root too
    downloads = out / "tensorflow/lite/micro/tools/make/downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    for name in ("flatbuffers", "gemmlowp", "ruy"):
        os.symlink(tree / "third_party" / name, downloads / name)
    lib = out / "gen" / build_dir / "lib"
    lib.mkdir(parents=True)
    os.symlink(tree / "lib" / "libtensorflow-microlite.a", lib / "libtensorflow-microlite.a")
    return out


@pytest.mark.slow
@requires_tree("ref")
def test_builds_against_a_checkout_with_the_library_under_gen(tmp_path):
    tree = shared_path(TFLM_TREES["ref"])
    checkout = checkout_from_tree(tree, tmp_path / "tflite-micro")
    tflite = shared_root() / BASELINE_MODELS / "digits_cnn.tflite"
    report, project = deploy_tflm(tflite, checkout, tmp_path / "fw")
    assert report.ok, report.failure
    assert str(checkout / "gen") in (project / "build" / ".flags").read_text()


@pytest.mark.slow
@requires_tree("ref")
def test_glue_built_with_asserts_links_through_the_board_assert_hook(tmp_path):
    """TFLM_NDEBUG=0 keeps FLATBUFFERS_ASSERT in the glue: it links (board/assert.c stands in
    for newlib's __assert_func, so no stdio, malloc or _sbrk) and runs bit-exact."""
    tflite = shared_root() / BASELINE_MODELS / "digits_cnn.tflite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TFLM_NDEBUG", "0")
        report, project = deploy_tflm(tflite, shared_path(TFLM_TREES["ref"]), tmp_path / "fw")
    assert report.ok, report.failure
    flags, link_map = ((project / "build" / f).read_text() for f in (".flags", "firmware.map"))
    assert "-DNDEBUG" not in flags
    assert "__assert_func" in link_map and "_sbrk" not in link_map and "malloc" not in link_map


@pytest.mark.slow
@requires_tree("ref")
def test_measure_on_device_gives_tflms_own_arena(monkeypatch):
    """What the run report quotes for TFLM's arena when TFLM_DIR is set (native runs)."""
    from tinycompress.firmware.tflm import measure_on_device
    monkeypatch.setenv("TFLM_DIR", str(shared_path(TFLM_TREES["ref"])))
    monkeypatch.delenv("TFLM_LIB", raising=False)
    figures = measure_on_device(shared_root() / BASELINE_MODELS / "digits_cnn.tflite", BOARD)
    assert figures["arena_used"] == baseline_row("ref", "digits_cnn")["arena_used"]
    assert figures["tflm_lib"].endswith("lib/libtensorflow-microlite.a")

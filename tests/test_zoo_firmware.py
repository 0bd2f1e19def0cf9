"""The zoo's own models on the device: each zoo builder, briefly trained (seeded), converted to
int8 with representative data from its data set, deployed as native firmware on mps2-an386
with golden vectors from its test split, built and run in QEMU: every vector byte for byte
equal to the TFLM host interpreter's output."""
import numpy as np
import pytest

from tinycompress.zoo import ZOO

from conftest import requires_arm_gcc, requires_qemu

BOARD = "mps2-an386"
VECTORS = 3
# Brief training per model: (training samples, epochs). The test split is kept whole: it feeds
# the int8 score, and its first samples are the golden vectors. kws-dscnn and vww-mbv1 need a
# few epochs before their outputs in inference mode depend on the input at all.
BRIEF = {"digits-cnn": (600, 1), "kws-dscnn": (1200, 3), "vww-mbv1": (400, 6),
         "resnet8": (300, 1), "ad-fc": (300, 1)}


def train_and_convert(name, folder, seed=0, snap=False):
    """Train zoo model `name` briefly and convert it to int8: (folder/model_int8.tflite, data).
    snap: kernels pruned 75 % and snapped to 16 values first (compress/snap.py)."""
    from tinycompress.convert import convert_to_int8
    from tinycompress.zoo import train

    samples, epochs = BRIEF[name]
    data = ZOO[name].dataset(seed).subset(samples)
    model, data, _ = train(name, epochs=epochs, data=data, seed=seed)
    if snap:
        from tinycompress.compress.snap import snap_model
        # per tensor, as before scale-aware snapping: scale-aware (no fine-tune) left the
        # briefly trained VWW model giving one output for every golden input
        snap_model(model, sparsity=0.75, clusters=16, scale_aware=False)
    tflite = folder / "model_int8.tflite"
    convert_to_int8(model, data, tflite, representative_samples=50, task=ZOO[name].task,
                    seed=seed)
    return tflite, data


def deploy_zoo_model(name, folder, seed=0, board=BOARD, weights="dense", trained=None):
    """Train zoo model `name` briefly, convert it to int8, generate, build and simulate its
    firmware; returns (SimReport, project.json, golden outputs one row per vector).
    weights != dense: pruned and clustered first, stored in that weight format.
    trained: (tflite, data) from train_and_convert, to deploy one model on several boards."""
    from tinycompress.firmware.build import build
    from tinycompress.firmware.project import generate_project, load_project
    from tinycompress.simulate.qemu import simulate

    tflite, data = trained or train_and_convert(name, folder, seed, snap=weights != "dense")
    project = folder / f"fw-{board}"
    generate_project(tflite, board, project, data=data, vectors=VECTORS, seed=seed, weights=weights)
    build(project)
    report = simulate(project, timeout=600)
    return report, load_project(project), np.load(project / "golden.npz")["outputs"]


def _assert_bit_exact(report, meta, golden, tflite):
    from tinycompress.tflite_model import read_tflite
    assert report.ok, f"{meta['board']}: {report.failure}"
    assert report.passed == len(report.vectors) == VECTORS
    # the vectors tell inputs apart: a constant output would make "bit-exact" say little
    assert len({row.tobytes() for row in golden}) > 1
    assert meta["vectors"] == VECTORS and "quantized with scale" in meta["vector_source"]
    # one timed layer per operator: the whole graph ran on the device
    assert len(report.layers) == len(read_tflite(tflite).operators)
    assert report.instructions_per_inference > 0


# The core matrix (`make test-matrix`): M3 (portable path), M4, M7 and M33 (DSP paths), one
# QEMU machine each (boards.py: an385 Cortex-M3, an386 M4, an500 M7, an505 M33).
CORE_BOARDS = ("mps2-an385", "mps2-an386", "mps2-an500", "mps2-an505")


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@pytest.mark.parametrize("name", sorted(ZOO))
def test_zoo_model_runs_bit_exact_on_m3_m4_m7_m33(name, tmp_path):
    """Trained and converted once, then the same int8 model on each core: every golden
    vector byte for byte, and the same outputs on every core."""
    trained = train_and_convert(name, tmp_path)
    for board in CORE_BOARDS:
        report, meta, golden = deploy_zoo_model(name, tmp_path, board=board, trained=trained)
        _assert_bit_exact(report, meta, golden, trained[0])
        assert meta["board"] == board


@requires_arm_gcc
@requires_qemu
def test_zoo_digits_cnn_runs_bit_exact_in_qemu(tmp_path):
    _assert_bit_exact(*deploy_zoo_model("digits-cnn", tmp_path), tmp_path / "model_int8.tflite")


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@pytest.mark.parametrize("name", sorted(ZOO))
def test_zoo_model_with_auto_weights_runs_bit_exact_in_qemu(name, tmp_path):
    """Pruned and clustered (depthwise kernels too), then --weights auto: the golden vectors
    still pass, and some weight tensor is stored compressed."""
    report, meta, golden = deploy_zoo_model(name, tmp_path, weights="auto")
    _assert_bit_exact(report, meta, golden, tmp_path / "model_int8.tflite")
    formats = {layer["weights"] for layer in meta["layers"] if "weights" in layer}
    assert formats - {"dense"}, formats


@pytest.mark.slow
@requires_arm_gcc
@requires_qemu
@pytest.mark.parametrize("name,board", [("digits-cnn", "mps2-an386"), ("kws-dscnn", "mps2-an386"),
                                        ("vww-mbv1", "mps2-an386"), ("digits-cnn", "mps2-an385")])
def test_zoo_model_with_huffman_weights_runs_bit_exact_in_qemu(name, board, tmp_path):
    """Pruned and clustered, then --weights huffman (decoded per channel group into arena
    scratch; M4 DSP and M3 portable cores): the golden vectors still pass, every compressible
    layer is huffman (or dense where that is smaller), depthwise included."""
    report, meta, golden = deploy_zoo_model(name, tmp_path, board=board, weights="huffman")
    _assert_bit_exact(report, meta, golden, tmp_path / "model_int8.tflite")
    layers = [layer for layer in meta["layers"] if "weights" in layer]
    assert {layer["weights"] for layer in layers} <= {"huffman", "dense"}
    coded = [layer for layer in layers if layer["weights"] == "huffman"]
    assert coded and all(layer["weight_scratch_bytes"] > 0 for layer in coded)
    if name != "digits-cnn":
        assert "DEPTHWISE_CONV_2D" in {layer["op"] for layer in coded}

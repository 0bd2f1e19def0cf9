"""`firmware --runtime tflm`: the golden-vector harness over TFLite-Micro's MicroInterpreter.

What needs no TFLM tree: the rendered project, the op resolver against the tflite-micro
wheel's registered ops, the errors for a missing TFLM, and that the harness side (main.c,
golden.h, model.h, the model array) is the native runtime's and compiles with the cross
compiler. Building and running the glue against real TFLM trees: tests/test_tflm_device.py.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import requires_arm_gcc, requires_shared
from tinycompress.shared import BASELINE_MODELS, shared_root
from tinycompress.errors import TinyCompressError
from tinycompress.firmware import tflm
from tinycompress.firmware.project import RUNTIMES, generate_project
from tinycompress.tflite_model import read_tflite

MODELS = shared_root() / BASELINE_MODELS
DIGITS = MODELS / "digits_cnn.tflite"
KWS = MODELS / "kws_dscnn.tflite"
pytestmark = requires_shared(BASELINE_MODELS, "digits_cnn.tflite")


@pytest.fixture(scope="module")
def tflm_project(tmp_path_factory):
    out = tmp_path_factory.mktemp("tflm") / "fw"
    generate_project(KWS, "mps2-an386", out, runtime="tflm", vectors=2)
    return out


def distinct_ops(model):
    seen = []
    for op in model.operators:
        if op.op not in seen:
            seen.append(op.op)
    return seen


def test_project_has_glue_model_array_and_makefile_fragment(tflm_project):
    for rel in ("Makefile", "tflm.mk", "src/model.cc", "src/model.h", "src/model_data.h",
                "src/model_data.cc", "src/main.c", "src/golden.h", "board/linker.ld"):
        assert (tflm_project / rel).is_file(), rel
    assert not (tflm_project / "src" / "model.c").exists()    # no native model code
    meta = json.loads((tflm_project / "project.json").read_text())
    assert meta["runtime"] == "tflm" and meta["tflm_arch"] == "cortex-m4+fp"
    assert "include tflm.mk" in (tflm_project / "Makefile").read_text()
    assert "TARGET_ARCH=cortex-m4+fp" in (tflm_project / "Makefile").read_text() + \
        (tflm_project / "tflm.mk").read_text().replace("$(TFLM_ARCH)", meta["tflm_arch"])


def test_makefile_and_readme_say_the_tflm_path_keeps_weights_dense(tflm_project):
    for rel in ("Makefile", "README.md"):
        text = " ".join((tflm_project / rel).read_text().split())
        assert "stored dense" in text and "USE_TFLM_COMPRESSION=1" in text, rel


def test_resolver_holds_exactly_the_models_ops_with_their_count(tflm_project):
    model = read_tflite(KWS)
    ops = distinct_ops(model)
    glue = (tflm_project / "src" / "model.cc").read_text()
    assert re.search(r"constexpr int kNumOps = (\d+);", glue)[1] == str(len(ops))
    assert "tflite::MicroMutableOpResolver<kNumOps>" in glue
    added = re.findall(r"resolver\.(Add\w+)\(\)", glue)
    assert added == [tflm.RESOLVER_METHODS[op] for op in ops]
    assert len(set(added)) == len(added)
    meta = json.loads((tflm_project / "project.json").read_text())
    assert [row["op"] for row in meta["tflm_ops"]] == ops
    assert [row["op"] for row in meta["layers"]] == [op.op for op in model.operators]
    assert [row["name"] for row in meta["layers"]] == [model.layer_name(op) for op in model.operators]
    # the profiler wraps each distinct op's invoke: one trampoline per resolver entry
    assert re.findall(r"timed_invoke<(\d+)>", glue.split("kTimedInvokes")[1])[:len(ops)] == \
        [str(i) for i in range(len(ops))]


def test_model_h_sizes_and_arena_come_from_the_model_and_host_interpreter(tflm_project):
    model = read_tflite(KWS)
    header = (tflm_project / "src" / "model.h").read_text()
    define = lambda name: int(re.search(rf"#define {name}\s+(\d+)", header)[1])
    assert define("TC_INPUT_BYTES") == sum(t.nbytes for t in model.input_tensors)
    assert define("TC_OUTPUT_BYTES") == sum(t.nbytes for t in model.output_tensors)
    assert define("TC_NUM_LAYERS") == len(model.operators)    # one timed layer per operator
    meta = json.loads((tflm_project / "project.json").read_text())
    arena = define("TC_ARENA_BYTES")
    assert arena == meta["arena_bytes"] and arena % 16 == 0
    assert arena >= meta["host_arena_bytes"] + 1024
    data_header = (tflm_project / "src" / "model_data.h").read_text()
    assert "extern const unsigned char tc_model_data[]" in data_header
    assert f"tc_model_data_len = {model.data.__len__()}u" in (tflm_project / "src" / "model_data.cc").read_text()


def test_resolver_table_names_only_ops_tflm_registers():
    """Every op of the table is one the tflite-micro wheel's interpreter registers (its
    Register_* symbols), and every op it registers has a resolver method."""
    import tflite_micro
    from tinycompress.tflite_model import BUILTIN_OPS
    lib = next(Path(tflite_micro.__file__).parent.rglob("_runtime*.so"))
    registered = {n.decode() for n in re.findall(rb"Register_([A-Z0-9_]+)Ev", lib.read_bytes())}
    registered &= set(BUILTIN_OPS.values())
    assert set(tflm.RESOLVER_METHODS) == registered


def test_resolver_method_names_follow_the_op_names():
    methods = list(tflm.RESOLVER_METHODS.values())
    assert len(set(methods)) == len(methods)
    for op, method in tflm.RESOLVER_METHODS.items():
        assert re.fullmatch(r"Add[A-Z][A-Za-z0-9]*", method), method
        assert method[3:].lower() == op.replace("_", "").lower(), (op, method)
    # Irregular capitalisations, as spelled in TFLM's micro_mutable_op_resolver.h.
    for op, method in {"BATCH_MATMUL": "AddBatchMatMul", "CUMSUM": "AddCumSum", "PADV2": "AddPadV2",
                       "L2_POOL_2D": "AddL2Pool2D", "SVDF": "AddSvdf", "SPLIT_V": "AddSplitV",
                       "UNIDIRECTIONAL_SEQUENCE_LSTM": "AddUnidirectionalSequenceLSTM"}.items():
        assert tflm.RESOLVER_METHODS[op] == method


def test_op_missing_from_the_table_is_named_with_its_index(tmp_path, monkeypatch):
    model = read_tflite(KWS)
    victim = model.operators[1].op
    first = next(op.index for op in model.operators if op.op == victim)
    monkeypatch.delitem(tflm.RESOLVER_METHODS, victim)
    with pytest.raises(TinyCompressError, match=rf"op {first} {victim} "):
        generate_project(KWS, "mps2-an386", tmp_path / "fw", runtime="tflm", vectors=1)
    assert not (tmp_path / "fw").exists()


def test_dump_layers_is_refused_for_tflm(tmp_path):
    with pytest.raises(TinyCompressError, match="--dump-layers.*--runtime native"):
        generate_project(DIGITS, "mps2-an386", tmp_path / "fw", runtime="tflm", dump_layers=True)
    assert not (tmp_path / "fw").exists()


def test_harness_and_board_files_are_the_native_runtimes(tflm_project, tmp_path):
    native = tmp_path / "native"
    generate_project(KWS, "mps2-an386", native, runtime="native", vectors=2)
    for rel in ("src/main.c", "src/golden.h", "board/startup.c", "board/uart_cmsdk.c",
                "board/tick_systick.c", "board/linker.ld", "board/tc_board.h"):
        assert (tflm_project / rel).read_bytes() == (native / rel).read_bytes(), rel
    tflm_mk, native_mk = ((p / "Makefile").read_text() for p in (tflm_project, native))
    for line in native_mk.splitlines():   # same compiler, CPU flags, defines and linker script
        if line.startswith(("CPUFLAGS", "DEFINES", "CROSS", "OPT")):
            assert line in tflm_mk.splitlines(), line


def test_build_without_tflm_dir_says_what_to_set_before_make(tflm_project, monkeypatch):
    from tinycompress.firmware import build as build_mod
    monkeypatch.delenv("TFLM_DIR", raising=False)
    monkeypatch.delenv("TFLM_LIB", raising=False)
    monkeypatch.setattr(build_mod.subprocess, "run",
                        lambda *a, **k: pytest.fail("make ran without TFLM"))
    with pytest.raises(TinyCompressError, match=r"TFLM_DIR is not set.*TARGET_ARCH=cortex-m4\+fp.*microlite"):
        build_mod.build(tflm_project)


def test_build_with_a_tflm_dir_without_tflm_names_what_is_missing(tflm_project, tmp_path, monkeypatch):
    from tinycompress.firmware import build as build_mod
    monkeypatch.setenv("TFLM_DIR", str(tmp_path))
    monkeypatch.delenv("TFLM_LIB", raising=False)
    monkeypatch.setattr(build_mod.subprocess, "run",
                        lambda *a, **k: pytest.fail("make ran without TFLM"))
    with pytest.raises(TinyCompressError, match=r"micro_interpreter\.h.*TARGET_ARCH=cortex-m4\+fp"):
        build_mod.build(tflm_project)


def test_library_search_order_and_ambiguity(tmp_path):
    """find_library looks where tflm.mk does; these are empty placeholder files for the path
    search only, not a TFLM build."""
    gen = tmp_path / tflm.GEN_DIR
    assert tflm.find_library(str(tmp_path), "cortex-m4+fp") == ""
    for build_dir in ("cortex_m_generic_cortex-m4+fp_release_gcc", "cortex_m_generic_cortex-m4_release_gcc"):
        (gen / build_dir / "lib").mkdir(parents=True)
        (gen / build_dir / "lib" / tflm.LIB_NAME).write_bytes(b"")
    found = tflm.find_library(str(tmp_path), "cortex-m4+fp")
    assert "cortex-m4+fp_release_gcc" in found           # not the soft-float cortex-m4 one
    (gen / "cortex_m_generic_cortex-m4+fp_release_cmsis_nn_gcc" / "lib").mkdir(parents=True)
    (gen / "cortex_m_generic_cortex-m4+fp_release_cmsis_nn_gcc" / "lib" / tflm.LIB_NAME).write_bytes(b"")
    with pytest.raises(TinyCompressError, match="2 TFLite-Micro libraries.*TFLM_LIB"):
        tflm.find_library(str(tmp_path), "cortex-m4+fp")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / tflm.LIB_NAME).write_bytes(b"")
    assert tflm.find_library(str(tmp_path), "cortex-m4+fp") == str(tmp_path / "lib" / tflm.LIB_NAME)


def test_every_board_has_a_tflm_target_or_a_clear_error():
    from tinycompress.firmware.boards import BOARDS_LIST
    for board in BOARDS_LIST:
        assert tflm.tflm_arch(board).split("+")[0] == board.core   # TARGET_ARCH names the core


def test_runtime_table_and_cli_offer_tflm(run_cli, tmp_path):
    assert set(RUNTIMES) >= {"native", "tflm"}
    result = run_cli("firmware", DIGITS, "--runtime", "tflm", "--vectors", "2", "-o", tmp_path / "fw")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "fw" / "project.json").read_text())["runtime"] == "tflm"


@requires_arm_gcc
def test_makefile_stops_without_tflm_and_compiles_the_harness_side(tflm_project, tmp_path):
    """make without TFLM_DIR stops with what to set; the harness C sources and the model array
    (C++) compile with the project's flags. model.cc itself needs TFLM's headers: not built here."""
    project = tmp_path / "fw"
    shutil.copytree(tflm_project, project)
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    proc = subprocess.run(["make", "-C", str(project)], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "TFLM_DIR is not set" in proc.stderr and "TARGET_ARCH=cortex-m4+fp" in proc.stderr
    assert not (project / "build" / "src" / "model.o").exists()
    assert "src/main.c" in proc.stdout        # the default goal is the firmware, not tflm-check
    proc = subprocess.run(["make", "-C", str(project), "build/src/main.o", "build/src/model_data.o",
                           "EXTRA_CFLAGS=-Werror"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "arm-none-eabi-g++" in proc.stdout and "-DTF_LITE_STATIC_MEMORY" in proc.stdout


def _readme_patterns(readme: str) -> list:
    """The file names and globs of the README's Files table."""
    table = readme.split("## Files", 1)[1]
    return [p for row in table.splitlines() if row.startswith("| `")
            for p in re.findall(r"`([^`]+)`", row.split("|")[1])]


@pytest.mark.parametrize("runtime", ["native", "tflm"])
def test_every_project_has_a_readme_naming_how_to_build_and_each_file(tflm_project, tmp_path, runtime):
    import fnmatch
    project = tflm_project
    if runtime == "native":
        project = tmp_path / "native"
        generate_project(KWS, "mps2-an386", project, runtime="native", vectors=2)
    readme = (project / "README.md").read_text()
    assert "arm-none-eabi-gcc" in readme and "make" in readme
    assert ("TFLM_DIR=" in readme and "cortex-m4+fp" in readme) == (runtime == "tflm")
    patterns = _readme_patterns(readme)
    files = [p.relative_to(project).as_posix() for p in project.rglob("*")
             if p.is_file() and p.parts[len(project.parts)] not in ("renode",)]
    undocumented = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns + ["README.md"])]
    assert not undocumented, undocumented
    listed = [pat for pat in patterns if not any(fnmatch.fnmatch(f, pat) for f in files)]
    assert not listed, listed      # and the table names no file the project lacks


def test_report_says_whether_tflms_arena_was_measured_on_the_device():
    from tinycompress.report import tflm_arena_phrase
    fw = {"generate": {"host_arena_bytes": 5664}}
    assert "host interpreter" in tflm_arena_phrase(fw) and "5,664 B" in tflm_arena_phrase(fw)
    assert "set TFLM_DIR" in tflm_arena_phrase(fw)
    fw["tflm_device"] = {"arena_used": 4612, "tflm_lib": "lib/libtensorflow-microlite.a"}
    phrase = tflm_arena_phrase(fw)
    assert "measured on the device: 4,612 B" in phrase and "5,664" not in phrase


def test_protocol_reads_tflms_device_arena():
    from tinycompress.simulate.protocol import SimReport, parse_uart
    report = parse_uart("TC:TFLM arena_used=2756 arena=4688 ops=4\r\nTC:VEC 0 PASS 5\r\nTC:DONE 1/1\r\n",
                        SimReport("mps2-an386", "qemu", 40.0, 0.9, expected_vectors=1))
    assert report.ok and report.tflm_arena_used == 2756
    assert report.as_dict()["tflm_arena_used"] == 2756

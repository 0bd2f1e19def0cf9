"""Malformed models (issue 6, classes 2 and 3) through the CLI: `firmware` refuses each with
one line naming the op before TFLM runs, `inspect` never calls it supported and `export`
either writes a faithful header or refuses with one line; no traceback anywhere.

Each case is a real seed model (tests/fixtures/fuzz) with structural edits, written as the
fuzzer's data (tools/fuzz_mutate.py Edit), so the fuzzer's regressions live here too."""
import json
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "fuzz"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import fuzz_mutate  # noqa: E402
from fuzz_mutate import Edit  # noqa: E402

DIGITS = "digits_cnn"   # 0 CONV_2D (0, 7, 6) -> 8; 1 CONV_2D -> 9; 2 MAX_POOL_2D -> 10;
#                         3 RESHAPE (10, 1) -> 11; 4 FC (11, 3, -1) -> 12; 5 FC (12, 2, -1) -> 13;
#                         6 SOFTMAX 13 -> 14; graph input 0, output 14


def _opcode_of(seed: str, op: int) -> int:
    model = fuzz_mutate.unpack((FIXTURES / f"{seed}.tflite").read_bytes())
    return model.subgraphs[0].operators[op].opcodeIndex


# name -> (seed, edits, words the firmware error must contain; None: the reader refuses it)
CASES = {
    "softmax_output_smaller_than_input": (DIGITS, [Edit("shape", (14,), [1, 5])], ["SOFTMAX", "shape"]),
    "conv_without_options": (DIGITS, [Edit("options_remove", (0,), None)], ["CONV_2D", "Conv2DOptions"]),
    "conv_with_pool_options": (DIGITS, [Edit("options_swap", (0,), "Pool2DOptions")] + [
        Edit("option", (0, key), 1) for key in ("strideW", "strideH", "filterWidth", "filterHeight")],
        ["CONV_2D", "carries Pool2DOptions"]),
    "absurd_dilation": (DIGITS, [Edit("option", (0, "dilationHFactor"), 1 << 30)], ["CONV_2D", "dilation"]),
    "fc_output_shape": (DIGITS, [Edit("shape", (13,), [1, 2, 5])], ["FULLY_CONNECTED", "shape"]),
    "softmax_output_shape": (DIGITS, [Edit("shape", (14,), [10, 1])], ["SOFTMAX", "shape"]),
    "pool_output_shape": (DIGITS, [Edit("shape", (10,), [1, 2, 8, 32])], ["MAX_POOL_2D", "shape"]),
    "conv_one_input": (DIGITS, [Edit("operands", (0, "inputs"), [0])], ["CONV_2D", "inputs"]),
    "fc_one_input": (DIGITS, [Edit("operands", (4, "inputs"), [11])], ["FULLY_CONNECTED", "inputs"]),
    "reshape_no_input": (DIGITS, [Edit("operands", (3, "inputs"), [])], ["RESHAPE", "inputs"]),
    "add_with_one_input": (DIGITS, [Edit("opcode", (_opcode_of(DIGITS, 2),), "ADD")], ["ADD", "inputs"]),
    "max_pool_without_options": (DIGITS, [Edit("options_remove", (2,), None)],
                                 ["MAX_POOL_2D", "Pool2DOptions"]),
    "graph_output_is_a_constant": (DIGITS, [Edit("graph_io", ("outputs",), [7])], None),
    "graph_output_listed_twice": (DIGITS, [Edit("graph_io", ("outputs",), [14, 14])], None),
    "graph_output_is_the_input": (DIGITS, [Edit("graph_io", ("outputs",), [0])], None),
    "dimension_near_2_31": (DIGITS, [Edit("shape", (0,), [1, 1 << 30, 1 << 30, 1])], None),
    "input_of_1_6_gb": (DIGITS, [Edit("shape", (0,), [1, 40000, 40000, 1])], ["CONV_2D", "shape"]),
}


def _regressions() -> dict:
    """Minimized fuzzer findings (tests/fixtures/fuzz/regressions.json): name -> case."""
    path = FIXTURES / "regressions.json"
    rows = json.loads(path.read_text()) if path.exists() else []
    return {row["name"]: (row["seed"], [Edit.from_json(e) for e in row["edits"]], row["words"])
            for row in rows}


# What inspect's "native" line names when it differs from the firmware error's first word.
INSPECT_WORDS = {row["name"]: row["inspect"] for row in json.loads(
    (FIXTURES / "regressions.json").read_text()) if "inspect" in row}


CASES.update(_regressions())


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("malformed")
    paths = {}
    for name, (seed, edits, _) in CASES.items():
        paths[name] = folder / f"{name}.tflite"
        paths[name].write_bytes(fuzz_mutate.mutant((FIXTURES / f"{seed}.tflite").read_bytes(), edits))
    return paths


def _one_line_error(result, *words):
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_firmware_refuses_the_malformed_model_in_one_line(name, models, run_cli, tmp_path):
    words = CASES[name][2]
    result = run_cli("firmware", models[name], "-o", tmp_path / "fw")
    line = _one_line_error(result, *(words or []))
    assert name + ".tflite" in line
    assert not (tmp_path / "fw").exists()


@pytest.mark.parametrize("name", sorted(CASES))
def test_inspect_never_calls_the_malformed_model_supported(name, models, run_cli):
    result = run_cli("inspect", models[name], "--no-tflm")
    if CASES[name][2] is None:          # the reader refuses: one line
        _one_line_error(result, name + ".tflite")
    else:
        assert result.exit_code == 0, result.output
        native = [ln for ln in result.stdout.splitlines() if ln.startswith("native")]
        word = INSPECT_WORDS.get(name, CASES[name][2][0])
        assert native and "all ops supported" not in native[0] and word in native[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_writes_a_faithful_header_or_refuses_in_one_line(name, models, run_cli, tmp_path):
    out = tmp_path / "model_data.h"
    result = run_cli("export", models[name], "-o", out)
    if result.exit_code == 1:
        _one_line_error(result, name + ".tflite")
        assert not out.exists()
        return
    assert result.exit_code == 0, result.output
    from tinycompress.tflite_model import read_tflite
    model = read_tflite(models[name])
    text = out.read_text()
    for i, t in enumerate(model.input_tensors):
        assert f"G_MODEL_INPUT{i}_SIZE {t.size}" in " ".join(text.split())


def test_inspect_does_not_run_tflm_on_gigabyte_activations(models, run_cli):
    result = run_cli("inspect", models["input_of_1_6_gb"])
    assert result.exit_code == 0, result.output
    arena = [ln for ln in result.stdout.splitlines() if ln.startswith("TFLM arena")]
    assert arena and "not run" in arena[0] and "1,6" in arena[0]


def test_firmware_refuses_inputs_larger_than_the_board_before_drawing_golden_vectors(run_cli, tmp_path):
    import testmodels as tm
    spec_in = tm.TensorSpec((1, 20000, 20000), scale=0.1, zero_point=0, name="in")
    spec_out = tm.TensorSpec((1, 20000, 20000), scale=0.2, zero_point=0, name="out")
    path = tmp_path / "huge_io.tflite"
    path.write_bytes(tm.build_single_op("QUANTIZE", [spec_in], [spec_out]))
    result = run_cli("firmware", path, "-o", tmp_path / "fw")
    _one_line_error(result, "huge_io.tflite", "800,000,000 bytes", "RAM")
    assert not (tmp_path / "fw").exists()

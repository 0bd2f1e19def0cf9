"""Validation a user can act on: a failing vector names the differing bytes with their values,
and `simulate --accuracy N` scores N labelled samples on the device next to the host."""
import json
import re

import numpy as np
import pytest

from conftest import requires_arm_gcc, requires_qemu, requires_shared
from tinycompress.shared import BASELINE_MODELS, shared_root
from tinycompress.simulate.golden import OutputSpec, describe_difference, output_metrics
from tinycompress.simulate.protocol import SimReport, parse_uart

DIGITS = shared_root() / BASELINE_MODELS / "digits_cnn.tflite"

def needs_digits(test):
    """QEMU, the cross compiler and the shared digits model."""
    return requires_arm_gcc(requires_qemu(requires_shared(BASELINE_MODELS, "digits_cnn.tflite")(test)))


def test_difference_names_first_indices_and_dequantized_values():
    expected = np.array([0, 10, -5, 7, 1, 2], np.int8).tobytes()
    actual = np.array([0, 12, -5, 7, 1, -2], np.int8).tobytes()
    spec = OutputSpec("probs", 0, 6, scale=0.5, zero_point=-4)
    text = describe_difference(expected, actual, [spec])
    assert text == ("output 'probs': 2 of 6 bytes differ: [1] expected 10 got 12 (7 vs 8), "
                    "[5] expected 2 got -2 (3 vs 1)")
    many = describe_difference(bytes(8), bytes([1] * 8), shown=2)
    assert many.endswith("[1] expected 0 got 1, ...") and "8 of 8 bytes differ" in many
    assert "gave 3 output bytes" in describe_difference(bytes(4), bytes(3))


def test_two_outputs_are_told_apart():
    specs = [OutputSpec("a", 0, 2, 1.0, 0), OutputSpec("b", 2, 3, 0.25, 0)]
    text = describe_difference(bytes(5), bytes([0, 0, 0, 0, 8]), specs)
    assert text == "output 'b': 1 of 3 bytes differ: [2] expected 0 got 8 (0 vs 2)"


def test_output_metrics_follow_their_definitions():
    m = output_metrics(np.array([3.0, 4.0]), np.array([3.0, 0.0]))
    assert m["rmse"] == pytest.approx(np.sqrt(8)) and m["mae"] == pytest.approx(2.0)
    assert m["l2r"] == pytest.approx(4 / 5) and m["cosine"] == pytest.approx(3 / 5)
    same = output_metrics(np.arange(5.0), np.arange(5.0))
    assert same == {"rmse": 0.0, "mae": 0.0, "l2r": 0.0, "cosine": pytest.approx(1.0)}


def test_protocol_reads_the_golden_output_the_firmware_compared_with():
    text = "TC:VEC 0 FAIL 9\nTC:OUT 0 0a0b\nTC:EXP 0 0a0c\nTC:DONE 0/1\n"
    r = parse_uart(text, SimReport("b", "qemu", 1.0, 1.0, expected_vectors=1))
    assert r.vectors[0].expected == b"\x0a\x0c"
    assert "vector 0: output 'output': 1 of 2 bytes differ: [1] expected 12 got 11" in r.failure
    assert "[1] expected 12 got 11" in "\n".join(r.lines())
    assert r.as_dict()["vectors"][0]["detail"] == r.vectors[0].detail


def _alter_golden_output(project, vector: int, value: int) -> int:
    """Set byte 0 of golden output `vector` in src/golden.h (not golden.npz); the old value."""
    path = project / "src" / "golden.h"
    head, outputs = path.read_text().split("tc_golden_outputs", 1)
    rows = re.findall(r"\{\s*([-\d, \n]+?)\s*\}", outputs)
    values = [int(v) for v in rows[vector].split(",")]
    old, values[0] = values[0], value
    outputs = outputs.replace(rows[vector], ", ".join(map(str, values)), 1)
    path.write_text(head + "tc_golden_outputs" + outputs)
    return old


@needs_digits
def test_altered_golden_output_shows_indices_and_values(tmp_path, run_cli):
    from tinycompress.firmware.build import build
    from tinycompress.simulate.golden import output_specs
    out = tmp_path / "fw"
    assert run_cli("firmware", DIGITS, "--data", "digits", "--vectors", "3", "-o", out).exit_code == 0
    old = _alter_golden_output(out, 1, 5)
    assert old != 5            # the model's int8 scores for vector 1 never hit 5 exactly
    build(out)
    result = run_cli("simulate", out, "--json")
    assert result.exit_code == 1
    vectors = json.loads(result.stdout)["vectors"]
    assert [v["passed"] for v in vectors] == [True, False, True]
    spec = output_specs(out)[0]
    as_value = (lambda q: (q - spec.zero_point) * spec.scale)
    detail = (f"output '{spec.name}': 1 of 10 bytes differ: [0] expected 5 got {old} "
              f"({as_value(5):.4g} vs {as_value(old):.4g})")
    assert vectors[1]["detail"] == detail
    assert detail in result.stderr                      # the one-line error names it too


@needs_digits
def test_accuracy_on_digits_equals_the_host_tflm_accuracy(tmp_path, run_cli):
    from tinycompress.data import load_dataset
    from tinycompress.tflite_eval import score
    out = tmp_path / "fw"
    assert run_cli("firmware", DIGITS, "--vectors", "1", "-o", out).exit_code == 0
    assert run_cli("build", out).exit_code == 0
    result = run_cli("simulate", out, "--accuracy", "60", "--data", "digits", "--json")
    assert result.exit_code == 0, result.output
    acc = json.loads(result.stdout)["accuracy"]
    digits = load_dataset("digits")
    host = score(DIGITS.read_bytes(), digits.x_test[:60], digits.y_test[:60]).accuracy
    assert acc["samples"] == 60 and acc["mismatches"] == 0
    assert acc["device_accuracy"] == acc["host_accuracy"] == pytest.approx(host)
    assert acc["outputs"][0]["rmse"] == 0 and acc["outputs"][0]["cosine"] == pytest.approx(1.0)


def test_accuracy_report_prints_both_accuracies_and_the_metrics():
    from tinycompress.simulate.accuracy import AccuracyReport
    r = AccuracyReport("b", "qemu", "digits", 60, "classify", 0.95, 0.9, 3,
                       [{"name": "out", "rmse": 0.5, "mae": 0.25, "l2r": 0.125, "cosine": 0.99}])
    text = "\n".join(r.lines())
    assert "device accuracy 0.9000, host TFLM accuracy 0.9500; 3 of 60 outputs differ" in text
    assert "out" in text and "0.125" in text and "0.99000" in text
    assert r.failure == "3 of 60 accuracy samples differ from the host TFLM interpreter's outputs"


def test_accuracy_needs_data(tmp_path, run_cli):
    from fwtiny import tiny_project
    project = tiny_project(tmp_path / "p").path
    result = run_cli("simulate", project, "--accuracy", "5")
    assert result.exit_code == 1 and "--accuracy needs --data" in result.output

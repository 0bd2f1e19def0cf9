"""The benchmarks in tools/ stop with one line when their inputs are missing (issue 6)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(tmp_path, *args):
    env = dict(os.environ, TINYCOMPRESS_SHARED=str(tmp_path / "no-shared"))
    return subprocess.run([sys.executable, str(ROOT / "tools" / args[0]), *args[1:]], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args, words", [
    (["plan_report.py"], ["no-shared", "baseline models folder not found", "TINYCOMPRESS_SHARED"]),
    (["plan_report.py", "nope.tflite"], ["nope.tflite: no such file"]),
    (["bench_native.py"], ["no-shared", "TFLM baseline figures not found", "--baseline"]),
    (["bench_native.py", "--baseline", "b.json", "--models", "empty"], ["empty", "no .tflite models"]),
    (["bench_native.py", "--baseline", "b.json", "--models", "empty", "--only", "kws"],
     ["--only kws", "no such model"]),
], ids=["plan-default", "plan-missing-model", "bench-default", "bench-empty", "bench-only"])
def test_tool_without_its_inputs_says_so_in_one_line(tmp_path, args, words):
    (tmp_path / "b.json").write_text("[]")
    (tmp_path / "empty").mkdir()
    proc = _tool(tmp_path, *args)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "model" not in proc.stdout      # no empty table printed

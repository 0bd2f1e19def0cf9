"""The op table (tinycompress/firmware/native/ops): one row per op, and everything that is
said about an op comes from its row: README's supported-ops table and the one MAC count."""
import sys
from pathlib import Path

import pytest

from tinycompress import opinfo
from tinycompress.firmware.native import codegen
from tinycompress.firmware.native.ops import OPS
from tinycompress.inspect import inspect_model
from tinycompress.shared import BASELINE_MODELS, shared_path
from tinycompress.tflite_model import read_tflite

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import ops_table  # noqa: E402

FUZZ_SEEDS = sorted((Path(__file__).parent / "fixtures" / "fuzz").glob("*.tflite"))


def test_readme_ops_table_is_the_generated_one():
    assert ops_table.readme_table(ops_table.README.read_text()) == ops_table.table(), \
        "README.md's ops table is stale: run `python tools/ops_table.py --write`"


def test_every_op_row_is_complete_and_each_constraint_documents_itself():
    for name, spec in OPS.items():
        assert callable(spec.lower) and spec.operands[0] <= spec.operands[1], name
        assert spec.options is None or spec.options.endswith("Options"), name
        for constraint in spec.constraints:
            assert constraint.__doc__ and constraint.__doc__.strip()[0].isupper(), (name, constraint)
        assert f"| {name} |" in ops_table.table()


def test_every_native_op_has_a_mac_count():
    """A new op row cannot land without deciding its MAC count (zero for data movement)."""
    missing = sorted(set(OPS) - set(opinfo.MACS))
    assert not missing, f"add opinfo.MACS rows for {missing}"


def _models():
    paths = list(FUZZ_SEEDS)
    baseline = shared_path(BASELINE_MODELS)
    if baseline is not None:
        paths += sorted(baseline.glob("*.tflite"))
    return paths


@pytest.mark.parametrize("path", _models(), ids=lambda p: p.stem)
def test_inspect_and_the_native_layers_count_the_same_macs(path):
    """inspect, the firmware report (project.json's macs) and bench_native all print this."""
    model = read_tflite(path)
    total = sum(opinfo.macs(model, op) for op in model.operators)
    _, _, info = codegen.render(model)
    assert info.macs == total > 0
    assert [layer.macs for layer in info.layers] == [opinfo.macs(model, op) for op in model.operators]
    assert inspect_model(path, run_tflm=False).total_macs == total


def test_kws_macs_count_softmax_as_the_native_layers_did():
    path = shared_path(BASELINE_MODELS, "kws_dscnn.tflite")
    if path is None:
        pytest.skip("baseline models not present (TINYCOMPRESS_SHARED)")
    assert inspect_model(path, run_tflm=False).total_macs == 2_664_780

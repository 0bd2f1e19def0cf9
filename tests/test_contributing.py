"""CONTRIBUTING.md's file lists are true: in a temporary copy of the package, a new board
is one file (its row), a new compression stage two (its module and its STAGES row), and an
op three (its Python row module and its C kernel's .c/.h). Each copy runs in a child
process, importing tinycompress from the copy (laid out as installed: firmware/ as
tinycompress/csrc, models/ as tinycompress/zoo)."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import requires_arm_gcc, requires_qemu

REPO = Path(__file__).resolve().parents[1]
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "build")


class PackageCopy:
    def __init__(self, root: Path):
        self.root = root
        pkg = root / "tinycompress"
        shutil.copytree(REPO / "tinycompress", pkg, ignore=_IGNORE)
        shutil.copytree(REPO / "firmware", pkg / "csrc", ignore=_IGNORE)
        shutil.copytree(REPO / "models", pkg / "zoo", ignore=_IGNORE)
        self.touched = set()

    def path(self, rel: str) -> Path:
        return self.root / "tinycompress" / rel

    def write(self, rel: str, text: str):
        self.touched.add(rel)
        self.path(rel).write_text(text)

    def insert_after(self, rel: str, anchor: str, text: str):
        source = self.path(rel).read_text()
        assert source.count(anchor) == 1, anchor
        self.write(rel, source.replace(anchor, anchor + text))

    def remove(self, rel: str) -> str:
        text = self.path(rel).read_text()
        self.path(rel).unlink()
        return text

    def run(self, code: str, *args) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(self.root), str(REPO / "tests")]))
        check = (f"import tinycompress\nassert tinycompress.__file__.startswith("
                 f"{str(self.root)!r}), tinycompress.__file__\n")
        return subprocess.run([sys.executable, "-c", check + textwrap.dedent(code), *map(str, args)],
                              capture_output=True, text=True, env=env, cwd=self.root, timeout=600)


@pytest.fixture
def copy(tmp_path):
    return PackageCopy(tmp_path / "pkg")


@requires_arm_gcc
@requires_qemu
def test_a_board_on_a_known_cpu_and_uart_is_one_row(copy, tiny_int8, tmp_path):
    copy.insert_after("firmware/boards.py", "BOARDS_LIST = (\n", """\
    Board(name="aaa-test", description="a copy of the AN386 board under a new name",
          cpu="cortex-m4f", **_MPS2, qemu_machine="mps2-an386",
          energy_nj_per_cycle=1.0, energy_source="test row"),
""")
    done = copy.run("""
        import sys
        from tinycompress.firmware.build import build
        from tinycompress.firmware.project import generate_project
        from tinycompress.simulate.qemu import simulate
        generate_project(sys.argv[1], "aaa-test", sys.argv[2], vectors=2)
        build(sys.argv[2])
        report = simulate(sys.argv[2], timeout=120)
        print("RESULT", report.done, report.failure)
    """, tiny_int8[0], tmp_path / "fw")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "RESULT (2, 2) None" in done.stdout, done.stdout
    assert copy.touched == {"firmware/boards.py"}


STAGE = '''"""A do-nothing stage (the test's fake row)."""
from dataclasses import dataclass

from .common import copy_model, evaluate_stage


@dataclass
class IdentityConfig:
    note: str = ""                     # kept in the report


def apply(model, dataset, config=None, verbose=0):
    model = copy_model(model)
    return model, evaluate_stage("identity", model, dataset, details={"note": config.note})
'''


def _identity_stage(copy):
    copy.write("compress/identity.py", STAGE)
    copy.insert_after("compress/__init__.py", "STAGES = {\n",
                      '    "identity": (__import__(__name__ + ".identity", fromlist=["x"]).IdentityConfig,\n'
                      '                 __import__(__name__ + ".identity", fromlist=["x"]).apply),\n')


def test_a_compression_stage_is_its_module_and_one_stages_row(copy, tmp_path):
    """Recipes and --set know the new stage and validate its options (no training here)."""
    _identity_stage(copy)
    recipe = tmp_path / "r.toml"
    recipe.write_text('[model]\nzoo = "digits-cnn"\n[compress.identity]\nnote = "hello"\n')
    done = copy.run("""
        import sys
        from click.testing import CliRunner
        from tinycompress.cli import cli
        from tinycompress.recipe import load_recipe
        assert load_recipe(sys.argv[1]).compress["identity"].note == "hello"
        bad = CliRunner().invoke(cli, ["compress", "m.keras", "--data", "digits", "-o", "out",
                                       "--set", "identity.note=5"])
        print("BAD", bad.exit_code, bad.output.strip())
    """, recipe)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "BAD 1 error: compress [identity]: key 'note' must be str, got int 5" in done.stdout
    assert copy.touched == {"compress/identity.py", "compress/__init__.py"}


@pytest.mark.slow
def test_a_new_stage_runs_in_the_compress_command(copy, tiny_classifier, tmp_path):
    _identity_stage(copy)
    out = tmp_path / "out"
    done = copy.run("""
        import sys
        from click.testing import CliRunner
        from tinycompress.cli import cli
        good = CliRunner().invoke(cli, ["compress", sys.argv[1], "--data", "digits", "-o",
                                        sys.argv[2], "--set", "identity.note=hi"])
        print("GOOD", good.exit_code, good.output)
    """, tiny_classifier[1], out)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "GOOD 0" in done.stdout, done.stdout
    stages = json.loads((out / "compress_report.json").read_text())["stages"]
    assert [s["stage"] for s in stages] == ["float", "identity"]
    assert stages[1]["details"] == {"note": "hi"}


def test_an_op_is_its_python_row_and_its_c_kernel(copy, tmp_path):
    import testmodels as tm
    from tinycompress import tflm_host
    from tinycompress.tflite_model import parse_tflite
    from tinycompress.tfcompat import tf
    blob = tm.build_int8(lambda x: tf.pad(x, [[0, 0], [1, 2], [0, 1], [0, 0]]), [(1, 3, 4, 2)])
    (tmp_path / "pad.tflite").write_bytes(blob)
    inputs = tm.random_inputs(parse_tflite(blob, "pad"), 3, seed=1)
    np.save(tmp_path / "inputs.npy", np.stack([v[0] for v in inputs]))
    expected = np.stack([o[0] for o in tflm_host.run(blob, inputs).outputs])
    files = {"firmware/native/ops/pad.py": None, "csrc/runtime/tc_pad.c": None,
             "csrc/runtime/tc_pad.h": None}
    for rel in files:
        files[rel] = copy.remove(rel)
    code = """
        import sys
        import numpy as np
        from tinycompress.firmware.native import check_supported
        from tinycompress.firmware.native.hostbuild import HostModel
        from tinycompress.tflite_model import read_tflite
        model = read_tflite(sys.argv[1])
        problems = check_supported(model)
        print("PROBLEMS", problems)
        if not problems:
            host = HostModel(model)
            out = np.stack([o[0] for o in host.run([[x] for x in np.load(sys.argv[2])])])
            np.save(sys.argv[3], out)
    """
    args = (tmp_path / "pad.tflite", tmp_path / "inputs.npy", tmp_path / "out.npy")
    without = copy.run(code, *args)
    assert without.returncode == 0, without.stderr[-2000:]
    assert "PAD is not supported by the native runtime" in without.stdout
    for rel, text in files.items():          # the op comes back with exactly these files
        copy.write(rel, text)
    with_op = copy.run(code, *args)
    assert with_op.returncode == 0, with_op.stderr[-2000:]
    assert "PROBLEMS []" in with_op.stdout
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), expected)   # bit-exact
    assert len(copy.touched) == 3

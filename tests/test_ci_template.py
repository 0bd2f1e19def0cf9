"""`tinycompress ci-template`: the GitHub Actions workflow is valid YAML with the steps a
user's CI needs, and its firmware and robot steps pass here against a real Renode."""
import re
import shlex
import shutil

import pytest
import yaml

from conftest import renode_or_skip, requires_arm_gcc, run_renode_test

ROBOT_ACTION = "antmicro/renode-test-action@"


def _workflow(run_cli, path, *options):
    result = run_cli("ci-template", "-o", path, *options)
    assert result.exit_code == 0, result.output
    return yaml.safe_load(path.read_text())


def _step(steps, uses=None, name=None):
    return next(s for s in steps if (uses and s.get("uses", "").startswith(uses))
                or (name and s.get("name", "").startswith(name)))


def test_workflow_is_yaml_with_install_recipe_firmware_renode_and_logs(tmp_path, run_cli):
    doc = _workflow(run_cli, tmp_path / "wf.yml", "--recipe", "models/kws/recipe.toml",
                    "--board", "netduinoplus2")
    assert "push" in doc[True]            # YAML 1.1 reads the key `on` as true
    steps = doc["jobs"]["firmware-in-renode"]["steps"]
    assert "pip install tinycompress" in _step(steps, name="Install")["run"]
    assert _step(steps, name="Compress")["run"] == "tinycompress run models/kws/recipe.toml -o out/ci"
    assert "--board netduinoplus2" in _step(steps, name="Firmware")["run"]
    robot = _step(steps, uses=ROBOT_ACTION)["with"]
    version = tuple(map(int, re.findall(r"\d+", robot["renode-revision"])))
    assert version >= (1, 16, 0)
    logs = _step(steps, uses="actions/upload-artifact@")
    assert logs["if"] == "always()" and robot["artifacts-path"] in logs["with"]["path"]


def test_a_board_renode_cannot_run_is_refused(tmp_path, run_cli):
    result = run_cli("ci-template", "-o", tmp_path / "wf.yml", "--board", "mps3-an547")
    assert result.exit_code == 1 and "Cortex-M55" in result.output
    assert not (tmp_path / "wf.yml").exists()


@requires_arm_gcc
def test_firmware_and_robot_steps_pass_locally(tmp_path, run_cli, monkeypatch, request):
    renode_or_skip()
    tiny_int8 = request.getfixturevalue("tiny_int8")
    monkeypatch.chdir(tmp_path)
    doc = _workflow(run_cli, tmp_path / ".github" / "workflows" / "tinycompress.yml", "--vectors", "3")
    steps = doc["jobs"]["firmware-in-renode"]["steps"]
    # What the recipe step leaves, then the firmware step's commands as written.
    (tmp_path / "out" / "ci").mkdir(parents=True)
    shutil.copy2(tiny_int8[0], tmp_path / "out" / "ci" / "model_int8.tflite")
    _run_tinycompress_lines(run_cli, _step(steps, name="Firmware"))
    robot = _run_robot_step(steps, tmp_path)
    assert (tmp_path / robot["artifacts-path"] / "robot_output.xml").is_file()


def _run_tinycompress_lines(run_cli, step):
    """Each line of a `run:` step, which must be a tinycompress command, through the CLI."""
    for line in step["run"].strip().splitlines():
        tool, *args = shlex.split(line)
        assert tool == "tinycompress"
        result = run_cli(*args)
        assert result.exit_code == 0, result.output


def _run_robot_step(steps, folder):
    """The robot step as the action runs it (renode-test -r ARTIFACTS TESTS); its `with:`."""
    robot = _step(steps, uses=ROBOT_ACTION)["with"]
    code, out = run_renode_test(["-r", robot["artifacts-path"], robot["tests-to-run"]], folder)
    assert code == 0, out
    return robot


SMOKE_RECIPE = """name = "ci-smoke"
[model]
zoo = "digits-cnn"
epochs = 1
[data]
source = "digits"
"""


@pytest.mark.slow
@requires_arm_gcc
def test_every_step_after_the_install_passes_locally(tmp_path, run_cli, monkeypatch):
    """recipe -> firmware -> robot as the workflow orders them, and the logs it keeps exist."""
    renode_or_skip()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "recipe.toml").write_text(SMOKE_RECIPE)
    doc = _workflow(run_cli, tmp_path / "wf.yml", "--vectors", "3")
    steps = doc["jobs"]["firmware-in-renode"]["steps"]
    for step in (_step(steps, name="Compress"), _step(steps, name="Firmware")):
        _run_tinycompress_lines(run_cli, step)
    _run_robot_step(steps, tmp_path)
    kept = _step(steps, uses="actions/upload-artifact@")["with"]["path"].split()
    for pattern in kept:
        assert list(tmp_path.glob(pattern.rstrip("/"))), f"the workflow keeps {pattern}: nothing there"

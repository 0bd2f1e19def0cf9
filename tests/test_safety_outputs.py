"""No command deletes or overwrites a file it did not create (issue 6, defect 1).

Every command that takes -o is pointed at a folder holding a user's files and at `.` (run
from inside a folder holding the user's files and the command's inputs): exit 1, one line
on stderr starting with 'error:', no traceback, and every file still there byte for byte.
"""
import hashlib
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tinycompress.errors import TinyCompressError
from tinycompress.fileio import MARKER, atomic_dir, atomic_file, command_scope, input_file


def snapshot(folder: Path) -> dict:
    """Every file under `folder` with its sha256 (and every folder), to compare before/after."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
    return out


def refused(result, *needles) -> str:
    """Exit 1, one line on stderr starting with 'error:', no traceback, naming every needle."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert str(needle) in lines[0], (needle, lines[0])
    return lines[0]


@pytest.fixture
def workspace(tmp_path, tiny_classifier, tiny_int8):
    """A user's folder: the command inputs, a data file, a recipe and some unrelated files,
    plus a sub-folder `mine/` of unrelated files."""
    import shutil
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(tiny_classifier[1], ws / "model.h5")
    shutil.copy(tiny_int8[0], ws / "model.tflite")
    (ws / "notes.txt").write_text("my notes\n")
    (ws / "thesis.tex").write_bytes(os.urandom(2048))
    rng = np.random.default_rng(0)
    np.savez(ws / "data.npz", x_train=rng.random((20, 8, 8, 1), np.float32),
             y_train=rng.integers(0, 10, 20), x_test=rng.random((10, 8, 8, 1), np.float32),
             y_test=rng.integers(0, 10, 10))
    (ws / "recipe.toml").write_text(textwrap.dedent("""\
        name = "user"
        [model]
        path = "model.h5"
        [data]
        source = "digits"
    """))
    mine = ws / "mine"
    mine.mkdir()
    (mine / "photo.jpg").write_bytes(os.urandom(4096))
    (mine / "sub").mkdir()
    (mine / "sub" / "keep.txt").write_text("keep me\n")
    return ws


# (command args with the output at the end) for every command that takes -o
OUTPUT_COMMANDS = {
    "convert": ["convert", "model.h5", "--data", "digits", "--samples", "10", "-o"],
    "convert-float": ["convert", "model.h5", "--data", "digits", "-o", "fresh.tflite",
                      "--float-output"],
    "export": ["export", "model.tflite", "-o"],
    "export-source": ["export", "model.tflite", "--source", "-o"],
    "firmware": ["firmware", "model.tflite", "-o"],
    "compress": ["compress", "model.h5", "--data", "digits", "--prune", "0.5", "-o"],
    "run": ["run", "recipe.toml", "-o"],
    "zoo-train": ["zoo", "train", "digits-cnn", "--epochs", "0", "-o"],
    "ci-template": ["ci-template", "-o"],
    "search": ["search", "recipe.toml", "--board", "microbit", "--trials", "1", "-o"],
}


def _commands_with_output(group, prefix=()):
    import click
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands_with_output(command, prefix + (name,))
        elif any(p.name == "output" for p in command.params):
            yield " ".join(prefix + (name,))


def test_every_command_that_writes_is_in_the_table():
    """A new command with -o must be added to OUTPUT_COMMANDS (and so be tested below)."""
    from tinycompress.cli import cli
    covered = {" ".join(args[:2]) if args[0] == "zoo" else args[0]
               for args in OUTPUT_COMMANDS.values()}
    assert set(_commands_with_output(cli)) <= covered, set(_commands_with_output(cli)) - covered


@pytest.mark.parametrize("target", ["mine", "."])
@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_output_never_replaces_a_users_folder(run_cli, workspace, monkeypatch, command, target):
    monkeypatch.chdir(workspace)
    before = snapshot(workspace)
    refused(run_cli(*OUTPUT_COMMANDS[command], target), target)
    assert snapshot(workspace) == before


@pytest.mark.parametrize("args, output", [
    (["export", "model.tflite", "-o"], "model.tflite"),
    (["convert", "model.h5", "--data", "data.npz", "-o"], "data.npz"),
    (["convert", "model.h5", "--data", "digits", "-o"], "model.h5"),
    (["convert", "model.h5", "--data", "digits", "-o", "a.tflite", "--float-output"], "a.tflite"),
    (["zoo", "train", "digits-cnn", "--epochs", "0", "--data", "digits", "-o"], "mine/sub"),
], ids=["export-onto-model", "convert-onto-data", "convert-onto-model", "convert-same-twice",
        "zoo-onto-folder"])
def test_file_output_never_replaces_an_input_or_a_folder(run_cli, workspace, monkeypatch,
                                                          args, output):
    monkeypatch.chdir(workspace)
    before = snapshot(workspace)
    refused(run_cli(*args, output), output)
    assert snapshot(workspace) == before


def test_firmware_refuses_a_folder_holding_its_input(run_cli, workspace, monkeypatch):
    """Even a folder tinycompress wrote is not replaced while it holds the model being read."""
    monkeypatch.chdir(workspace)
    assert run_cli("firmware", "model.tflite", "--vectors", "1", "-o", "proj").exit_code == 0
    assert (workspace / "proj" / MARKER).is_file()
    before = snapshot(workspace)
    refused(run_cli("firmware", "proj/model.tflite", "-o", "proj"), "proj", "input")
    assert snapshot(workspace) == before


def test_output_folder_written_by_tinycompress_is_replaced(run_cli, workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    assert run_cli("firmware", "model.tflite", "--vectors", "1", "-o", "proj").exit_code == 0
    (workspace / "proj" / "stale.txt").write_text("from an older run\n")
    assert run_cli("firmware", "model.tflite", "--vectors", "2", "-o", "proj").exit_code == 0
    assert not (workspace / "proj" / "stale.txt").exists()
    assert (workspace / "proj" / MARKER).is_file()
    assert not [p for p in workspace.iterdir() if p.name.startswith(".proj.")]  # no temporaries


def test_empty_folder_is_a_fine_output(run_cli, workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    (workspace / "empty").mkdir()
    assert run_cli("firmware", "model.tflite", "--vectors", "1", "-o", "empty").exit_code == 0
    assert (workspace / "empty" / "project.json").is_file()
    (workspace / "empty2").mkdir()
    assert run_cli("export", "model.tflite", "-o", "empty2/m.h").exit_code == 0


# --- the mechanism itself ------------------------------------------------------------------

def test_atomic_dir_keeps_the_old_folder_when_the_block_fails(tmp_path):
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("first\n")
    with pytest.raises(RuntimeError):
        with atomic_dir(out) as tmp:
            (tmp / "a.txt").write_text("second\n")
            raise RuntimeError("stage failed")
    assert (out / "a.txt").read_text() == "first\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_dir_refuses_a_folder_above_the_working_folder(tmp_path, monkeypatch):
    with atomic_dir(tmp_path / "out") as tmp:
        (tmp / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "out" / "sub")
    with pytest.raises(TinyCompressError, match="runs in"):
        with atomic_dir(tmp_path / "out"):
            pass
    assert (tmp_path / "out" / "sub").is_dir()


def test_atomic_file_refuses_an_input_read_inside_the_block(tmp_path):
    """The check is repeated before the rename: an input read after the first check counts."""
    path = tmp_path / "m.bin"
    path.write_bytes(b"user data")
    with command_scope():
        with pytest.raises(TinyCompressError, match="input of this command"):
            with atomic_file(path) as tmp:
                input_file(path)
                tmp.write_bytes(b"overwritten")
    assert path.read_bytes() == b"user data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.bin"]

"""Operating-system errors on input and output paths are one line, never a traceback or a hang
(issue 6, defect 3): FIFOs and devices given as the model, unreadable files, outputs in
places that cannot be written, a parent that is a file, names too long; bad --data arrays
in `firmware` get the checks `convert` applies."""
import contextlib
import os
import signal

import numpy as np
import pytest

from test_safety_outputs import refused, snapshot


@contextlib.contextmanager
def no_hang(seconds=60):
    """Fail instead of blocking for ever (opening a FIFO blocks until a writer comes)."""
    def alarm(signum, frame):
        raise TimeoutError(f"blocked for {seconds} s")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# (command args, with {} where the model/data path goes)
READERS = {
    "inspect": ["inspect", "{}"],
    "export": ["export", "{}", "-o", "out.h"],
    "firmware": ["firmware", "{}", "-o", "proj"],
    "evaluate": ["evaluate", "{}", "--data", "digits", "--noise", "none"],
    "convert": ["convert", "{}", "--data", "digits", "-o", "m.tflite"],
    "compress": ["compress", "{}", "--data", "digits", "--prune", "0.5", "-o", "c"],
    "run": ["run", "{}", "-o", "r"],
    "convert-data": ["convert", "model.h5", "--data", "{}", "-o", "m.tflite"],
}


def _args(command, path):
    return [str(path) if a == "{}" else a for a in READERS[command]]


@pytest.fixture
def ws(tmp_path, monkeypatch, tiny_classifier):
    import shutil
    shutil.copy(tiny_classifier[1], tmp_path / "model.h5")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("command", sorted(READERS))
def test_fifo_is_refused_before_it_is_opened(run_cli, ws, command):
    os.mkfifo(ws / "pipe")
    before = snapshot(ws)
    with no_hang():
        refused(run_cli(*_args(command, "pipe")), "pipe", "not a regular file")
    assert snapshot(ws) == before


@pytest.mark.parametrize("command", ["inspect", "firmware", "evaluate"])
def test_device_is_refused(run_cli, ws, command):
    with no_hang():
        refused(run_cli(*_args(command, "/dev/zero")), "/dev/zero", "not a regular file")


@pytest.mark.parametrize("command", ["inspect", "convert", "run", "convert-data"])
def test_unreadable_file_is_one_line(run_cli, ws, monkeypatch, tiny_int8, command):
    """As root nothing is unreadable, so the permission answer is simulated at its one place."""
    import shutil
    shutil.copy(tiny_int8[0], ws / "m.tflite")
    (ws / "r.toml").write_text('name = "r"\n')
    np.savez(ws / "d.npz", x_train=np.zeros((2, 8, 8, 1)), y_train=[0, 1],
             x_test=np.zeros((2, 8, 8, 1)), y_test=[0, 1])
    path = {"inspect": "m.tflite", "convert": "model.h5", "run": "r.toml",
            "convert-data": "d.npz"}[command]
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: (
        False if os.path.basename(str(p)) == path else real_access(p, mode, **kw)))
    refused(run_cli(*_args(command, path)), path, "cannot be read")


@pytest.mark.parametrize("output, words", [
    ("/proc/out.h", ["/proc/out.h", "cannot be written"]),
    ("notes.txt/out.h", ["notes.txt/out.h", "notes.txt is a file"]),
    ("n" * 300 + ".h", ["name too long"]),
    ("missing/deeper/out.h", None),      # a new folder is fine
])
def test_export_output_path_errors_are_one_line(run_cli, ws, tiny_int8, output, words):
    (ws / "notes.txt").write_text("mine\n")
    before = snapshot(ws)
    result = run_cli("export", tiny_int8[0], "-o", output)
    if words is None:
        assert result.exit_code == 0 and (ws / output).is_file()
        return
    refused(result, *words)
    assert snapshot(ws) == before


@pytest.mark.parametrize("output, words", [
    ("/proc/proj", ["/proc/proj", "cannot be written"]),
    ("notes.txt/proj", ["notes.txt is a file"]),
    ("p" * 300, ["name too long"]),
])
def test_firmware_output_path_errors_are_one_line(run_cli, ws, tiny_int8, output, words):
    (ws / "notes.txt").write_text("mine\n")
    before = snapshot(ws)
    refused(run_cli("firmware", tiny_int8[0], "-o", output), *words)
    assert snapshot(ws) == before


@pytest.mark.parametrize("x, words", [
    (np.array([["a"] * 64] * 4).reshape(4, 8, 8, 1), ["x_test", "dtype"]),
    (np.full((4, 8, 8, 1), np.nan, np.float32), ["x_test", "NaN"]),
], ids=["strings", "nan"])
def test_firmware_data_gets_the_convert_checks(run_cli, ws, tiny_int8, x, words):
    np.savez(ws / "d.npz", x_train=x, y_train=np.zeros(4, int), x_test=x, y_test=np.zeros(4, int))
    refused(run_cli("firmware", tiny_int8[0], "--data", "d.npz", "--vectors", "2", "-o", "p"),
            "d.npz", *words)
    assert not (ws / "p").exists()

"""Shared fixtures: tool availability and a CLI runner."""
import functools
import os
import shutil
import signal
import subprocess

import pytest
from click.testing import CliRunner

from tinycompress.cli import cli

requires_arm_gcc = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                                      reason="arm-none-eabi-gcc not installed (make setup)")
requires_qemu = pytest.mark.skipif(shutil.which("qemu-system-arm") is None,
                                   reason="qemu-system-arm not installed (make setup)")


@pytest.fixture
def run_cli():
    """Invoke the CLI in-process: run_cli("inspect", path) -> click Result."""
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return invoke


# --- pipeline fixtures (convert / inspect / export / recipe tests) ----------------------------
# One tiny digits classifier, trained briefly and converted once per session.

@pytest.fixture(scope="session")
def digits_data():
    from tinycompress.data import load_digits
    return load_digits()


@pytest.fixture(scope="session")
def tiny_classifier(digits_data, tmp_path_factory):
    """(Keras model, .h5 path): Conv2D(8) -> MaxPool -> Dense(10), 3 epochs on digits."""
    from tinycompress.tfcompat import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.layers.Input((8, 8, 1)),
        keras.layers.Conv2D(8, 3, activation="relu", name="conv"),
        keras.layers.MaxPooling2D(name="pool"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(10, activation="softmax", name="dense"),
    ], name="tiny")
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(digits_data.x_train, digits_data.y_train, epochs=3, verbose=0)
    path = tmp_path_factory.mktemp("tiny") / "tiny.h5"
    model.save(path)
    return model, path


@pytest.fixture(scope="session")
def tiny_int8(tiny_classifier, digits_data, tmp_path_factory):
    """(int8 .tflite path, float .tflite path, ConvertReport) of tiny_classifier."""
    from tinycompress.convert import convert_to_int8
    folder = tmp_path_factory.mktemp("tiny_int8")
    report = convert_to_int8(tiny_classifier[0], digits_data, folder / "tiny_int8.tflite",
                             representative_samples=100, float_out_path=folder / "tiny_float.tflite")
    return folder / "tiny_int8.tflite", folder / "tiny_float.tflite", report


# --- the shared developer assets (../shared or $TINYCOMPRESS_SHARED) ------------------------

def shared_or_skip(*parts):
    """The path under the shared folder, or skip the calling test saying what is missing."""
    from tinycompress.shared import missing_reason, shared_path
    path = shared_path(*parts)
    if path is None:
        pytest.skip(missing_reason(*parts))
    return path


def requires_shared(*parts):
    """A skip mark for tests that need something under the shared folder."""
    from tinycompress.shared import missing_reason, shared_path
    return pytest.mark.skipif(shared_path(*parts) is None, reason=missing_reason(*parts))


def renode_or_skip():
    """Put `renode` and `renode-test` on PATH (as found, else the shared folder's install.sh)
    or skip the calling test saying why."""
    reason = _renode_setup()
    if reason:
        pytest.skip(reason)


@functools.cache
def _renode_setup():
    if shutil.which("renode") and shutil.which("renode-test"):
        return None
    from tinycompress.shared import RENODE, missing_reason, shared_path
    install = shared_path(RENODE, "install.sh")
    if install is None:
        return "renode not on PATH and " + missing_reason(RENODE, "install.sh")
    proc = subprocess.run(["bash", str(install)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        return f"renode not on PATH and {install} failed (exit {proc.returncode}): {why}"
    os.environ["PATH"] = proc.stdout.strip() + os.pathsep + os.environ["PATH"]
    return None


def run_renode_test(args, cwd, timeout=300):
    """`renode-test ARGS` in its own process group, ended afterwards (a renode-test that stops
    early leaves its Renode server running): (exit code, output)."""
    proc = subprocess.Popen(["renode-test", *map(str, args)], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    return proc.returncode, out.decode("utf-8", "replace")

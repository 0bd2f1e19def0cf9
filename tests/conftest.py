"""Shared fixtures: tool availability and a CLI runner."""
import shutil

import pytest
from click.testing import CliRunner

from tinycompress.cli import cli

requires_arm_gcc = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                                      reason="arm-none-eabi-gcc not installed (make setup)")
requires_qemu = pytest.mark.skipif(shutil.which("qemu-system-arm") is None,
                                   reason="qemu-system-arm not installed (make setup)")
requires_renode = pytest.mark.skipif(shutil.which("renode") is None,
                                     reason="renode not installed (not on any registry here)")


@pytest.fixture
def run_cli():
    """Invoke the CLI in-process: run_cli("inspect", path) -> click Result."""
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return invoke

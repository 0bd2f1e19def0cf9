"""`--help` of the group and of every command answers, documents the command, and does not
import TensorFlow (so it is instant)."""
import subprocess
import sys

import pytest

from tinycompress.cli import cli

COMMANDS = sorted(cli.commands)


def test_group_help_lists_every_command(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(run_cli, command):
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert f"Usage: cli {command}" in result.output or f"{command} [OPTIONS]" in result.output
    assert cli.commands[command].help, f"{command} has no docstring"


@pytest.mark.parametrize("command", [None] + COMMANDS)
def test_help_does_not_import_tensorflow(command):
    args = ["--help"] if command is None else [command, "--help"]
    code = ("import sys\nfrom tinycompress.cli import cli\n"
            f"try:\n    cli({args!r}, prog_name='tinycompress')\nexcept SystemExit as e:\n"
            "    assert e.code == 0, e.code\n"
            "heavy = [m for m in ('tensorflow', 'tf_keras', 'keras', 'tensorflow_model_optimization')"
            " if m in sys.modules]\nprint('HEAVY', heavy)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stdout, proc.stdout[-500:]


def test_usage_error_exits_2(run_cli):
    assert run_cli("convert").exit_code == 2
    assert run_cli("no-such-command").exit_code == 2

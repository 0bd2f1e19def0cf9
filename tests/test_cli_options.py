"""The shared options (-v, -q, --json, --data, -o) are declared once and work both before
and after the command name."""
import json

import click
import pytest

from tinycompress.cli import SHARED, cli, log
from tinycompress.errors import TinyCompressError


@pytest.mark.parametrize("args", [["-vv", "inspect", "{m}"], ["inspect", "{m}", "-vv"],
                                  ["-v", "inspect", "{m}", "-v"]])
def test_verbose_counts_before_and_after_the_command(run_cli, tmp_path, args):
    # -vv re-raises the user error with its traceback: both -v positions must reach it
    missing = str(tmp_path / "missing.tflite")
    with pytest.raises(TinyCompressError, match="missing.tflite"):
        run_cli(*[a.format(m=missing) for a in args])


def test_one_v_does_not_show_tracebacks(run_cli, tmp_path):
    result = run_cli("-v", "inspect", tmp_path / "missing.tflite")
    assert result.exit_code == 1 and result.output.startswith("error: ")


def test_json_before_or_after_gives_the_same_document(run_cli):
    before, after = run_cli("--json", "boards"), run_cli("boards", "--json")
    assert before.exit_code == after.exit_code == 0
    assert json.loads(before.output) == json.loads(after.output)
    assert isinstance(json.loads(before.output), list)


def test_data_and_output_before_the_command_count_as_given(run_cli, tmp_path):
    missing = tmp_path / "missing.keras"
    result = run_cli("--data", "digits", "-o", tmp_path / "m.tflite", "convert", missing)
    assert result.exit_code == 1 and "missing.keras" in result.output   # not "Missing option"
    result = run_cli("convert", missing)
    assert result.exit_code == 2 and "Missing option '--data'" in result.output


def test_every_command_takes_verbose_and_quiet():
    def commands(group):
        for cmd in group.commands.values():
            yield cmd
            if isinstance(cmd, click.Group):
                yield from commands(cmd)
    for cmd in commands(cli):
        names = {p.name for p in cmd.params}
        assert {"verbose", "quiet"} <= names, cmd.name


def test_json_data_and_output_options_are_the_shared_declarations():
    """No command declares its own --json, --data or -o: each is SHARED's row."""
    flags = {f for name in ("as_json", "data_source", "output") for f in SHARED[name][0][:1]}
    for cmd in cli.commands.values():
        for p in cmd.params:
            if set(p.opts) & flags:
                assert p.callback is not None and p.callback.__name__ == "_remember", \
                    (cmd.name, p.opts)


def test_quiet_silences_log_and_verbose_level_gates_it(capsys):
    for obj, level, shown in [({}, 0, True), ({"quiet": True}, 0, False),
                              ({"verbose": 1}, 1, True), ({}, 1, False)]:
        with click.Context(cli, obj=obj) as ctx:
            log(ctx, "hello", level)
        assert ("hello" in capsys.readouterr().err) is shown, (obj, level)

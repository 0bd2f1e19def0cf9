"""One validator (tinycompress.config) for recipes, `--set` and the compress flags: the same
bad value gives the same one-line error naming the key wherever it comes from."""
import pytest

from tinycompress import config
from tinycompress.cli import STAGE_FLAGS, stage_configs
from tinycompress.compress import STAGES, make_config
from tinycompress.compress.prune import PruneConfig
from tinycompress.errors import TinyCompressError
from tinycompress.recipe import load_recipe

RECIPE = """
[model]
path = "m.h5"
[data]
source = "digits"
[compress.prune]
epochs = "abc"
"""


def test_set_with_a_wrong_type_exits_1_naming_the_key(run_cli, tmp_path):
    # checked before the model is loaded: no model file is needed to see the error
    result = run_cli("compress", tmp_path / "none.keras", "--data", "digits",
                     "--set", "prune.epochs=abc", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.strip() == "error: compress [prune]: key 'epochs' must be int, got str 'abc'"
    assert not (tmp_path / "out").exists()


def test_recipe_and_set_give_the_same_message(tmp_path, run_cli):
    path = tmp_path / "r.toml"
    path.write_text(RECIPE)
    (tmp_path / "m.h5").touch()
    with pytest.raises(TinyCompressError) as info:
        load_recipe(path)
    assert str(info.value) == f"{path} [compress.prune]: key 'epochs' must be int, got str 'abc'"


def test_flag_out_of_range_is_a_clean_error_from_the_dataclass(run_cli, tmp_path):
    result = run_cli("compress", tmp_path / "none.keras", "--data", "digits", "--prune", "1.5",
                     "-o", tmp_path / "out")
    assert result.exit_code == 1 and "target_sparsity 1.5 must be in [0, 1)" in result.output


def test_flags_not_given_leave_the_dataclass_defaults():
    configs = stage_configs({"structured": "2:4", "cluster": 8, "per_channel": None}, ["fc"], [])
    assert configs == {"prune": {"structured": "2:4", "skip_layers": ["fc"]},
                       "cluster": {"clusters": 8, "skip_layers": ["fc"]}}
    prune = make_config("prune", configs["prune"])
    assert prune.target_sparsity == config.default(PruneConfig, "target_sparsity")
    assert prune.epochs == PruneConfig().epochs


def test_modifier_flag_alone_runs_no_stage():
    assert stage_configs({"prune_schedule": "constant", "cluster_init": "linear"}, [], []) == {}


def test_every_stage_flag_names_a_real_config_field():
    for option, stage, key, _, _ in STAGE_FLAGS:
        assert stage in STAGES, option
        assert key is None or key in config.keys(STAGES[stage][0]), option


def test_set_merges_over_flags():
    configs = stage_configs({"prune": 0.5}, [], ["prune.epochs=2", "qat.epochs=1"])
    assert configs == {"prune": {"target_sparsity": 0.5, "epochs": 2}, "qat": {"epochs": 1}}


def test_build_accepts_a_ready_instance_and_rejects_unknown_keys():
    ready = PruneConfig(epochs=1)
    assert config.build(PruneConfig, ready, "x") is ready
    with pytest.raises(TinyCompressError, match=r"^here: unknown key 'epoch'; known keys: "):
        config.build(PruneConfig, {"epoch": 1}, "here")


def _cli_default(command, param):
    from tinycompress.cli import cli
    return next(p.default for p in cli.commands[command].params if p.name == param)


def _arg_default(fn, param):
    import inspect
    return inspect.signature(fn).parameters[param].default


def test_each_default_has_one_owner_that_cli_and_library_follow():
    """Board, vectors, representative samples, array name and timeouts: the dataclass field
    is the only place the value is written; the CLI and the library functions read it."""
    from tinycompress import flash
    from tinycompress.convert import ConvertSection, convert_to_int8
    from tinycompress.deploy import FirmwareSection
    from tinycompress.export import ExportSection, export_c
    from tinycompress.firmware.boards import DEFAULT_BOARD
    from tinycompress.firmware.project import generate_project
    from tinycompress.simulate import qemu, renode
    fw = FirmwareSection()
    assert fw.board == DEFAULT_BOARD == _cli_default("firmware", "board")
    assert fw.vectors == _cli_default("firmware", "vectors") == _arg_default(generate_project,
                                                                              "vectors")
    assert fw.runtime == _cli_default("firmware", "runtime") == _arg_default(generate_project,
                                                                              "runtime")
    assert fw.timeout == _cli_default("simulate", "timeout") == _arg_default(qemu.simulate, "timeout")
    assert fw.timeout == _arg_default(renode.simulate, "timeout")
    samples = ConvertSection().representative_samples
    assert samples == _cli_default("convert", "samples") == _arg_default(convert_to_int8,
                                                                         "representative_samples")
    assert ExportSection().name == _cli_default("export", "name") == _arg_default(export_c, "name")
    assert flash.UART_TIMEOUT == _cli_default("flash", "timeout") == _arg_default(flash.flash,
                                                                                  "timeout")

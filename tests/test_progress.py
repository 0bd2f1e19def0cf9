"""Progress on stderr: a bar per training epoch with loss and accuracy, counted long steps;
the CLI turns it on, -q (before or after the command) keeps it off."""
import io

import numpy as np
import pytest
from rich.console import Console

from tinycompress import progress


@pytest.fixture
def shown():
    sink = io.StringIO()
    progress.enable(True, Console(file=sink, force_terminal=False, width=120))
    yield sink
    progress.enable(False)


def test_training_prints_one_line_per_epoch_with_loss_and_accuracy(shown, digits_data):
    from tinycompress import train
    from tinycompress.tfcompat import keras
    model = keras.Sequential([keras.layers.Input((8, 8, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    train.fit(model, digits_data.subset(n_train=64), epochs=2, label="tiny")
    lines = [ln for ln in shown.getvalue().splitlines() if ln.startswith("tiny epoch")]
    assert [ln.split()[2] for ln in lines] == ["1/2", "2/2"]
    assert all("loss " in ln and "accuracy " in ln for ln in lines), lines


def test_counted_step_reports_its_total(shown):
    with progress.step("qemu: 5 vectors", 5) as advance:
        for _ in range(5):
            advance(status="ok")
    assert "qemu: 5 vectors: 5 done  ok" in shown.getvalue()


def test_off_by_default_prints_nothing(capsys):
    assert not progress.enabled() and progress.epoch_callback("x") is None
    with progress.step("anything", 3) as advance:
        advance()
    assert capsys.readouterr() == ("", "")


class _Seen(Exception):
    pass


def _record(seen):
    def inspect_model(*args, **kwargs):
        seen.append(progress.enabled())
        raise _Seen
    return inspect_model


@pytest.mark.parametrize("args", [[], ["-q"], ["AFTER"]])
def test_cli_enables_progress_unless_quiet(run_cli, monkeypatch, tmp_path, args):
    import importlib
    inspect_mod = importlib.import_module("tinycompress.inspect")
    seen = []
    monkeypatch.setattr(inspect_mod, "inspect_model", _record(seen))
    argv = ["inspect", tmp_path / "m.tflite"]
    argv = (["-q"] + argv if args == ["-q"] else argv + ["-q"] if args == ["AFTER"] else argv)
    with pytest.raises(_Seen):
        run_cli(*argv)
    assert seen == [args == []]
    assert not progress.enabled()            # quiet again once the command is over

"""Progress a person can follow, on stderr (stdout stays clean for --json): a bar per training
epoch with loss and accuracy, and a line with a count for long steps (conversion, host TFLM
scoring, emulator runs over many vectors).

Off by default, so the library is quiet; the CLI turns it on unless -q (`enable`). Bars are
drawn with rich; where stderr is not a terminal, rich prints only the finished lines.
"""
from __future__ import annotations

from contextlib import contextmanager

_state = {"enabled": False, "console": None}


def enable(on: bool = True, console=None):
    """Show progress (the CLI calls this unless -q); `console` is a rich Console for tests."""
    _state["enabled"] = bool(on)
    _state["console"] = console


def enabled() -> bool:
    return _state["enabled"]


def _console():
    if _state["console"] is None:
        from rich.console import Console
        _state["console"] = Console(stderr=True)
    return _state["console"]


def _bar(transient: bool = True):
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                    console=_console(), transient=transient)


@contextmanager
def step(description: str, total: int | None = None):
    """A long step: shows what it does; yields `advance(n=1, status="")` for steps that count
    (a bar of `total`). Prints '<description>: done' (with the count) when it ends."""
    if not enabled():
        yield lambda n=1, status="": None
        return
    console = _console()
    if total is None:
        if not console.is_terminal:           # no spinner there: say what starts
            console.print(f"{description} ...", highlight=False)
        with console.status(description):
            yield lambda n=1, status="": None
        console.print(f"{description}: done", highlight=False)
        return
    last = {"status": ""}
    with _bar() as bar:
        task = bar.add_task(description, total=total, status="")

        def advance(n=1, status=""):
            last["status"] = status
            bar.update(task, advance=n, status=status)
        yield advance
    console.print(f"{description}: {total} done  {last['status']}".rstrip(), highlight=False)


def _status(logs: dict) -> str:
    return "  ".join(f"{k} {v:.4f}" for k, v in logs.items()
                     if k in ("loss", "accuracy", "val_loss", "val_accuracy"))


def epoch_callback(label: str):
    """A Keras callback drawing one bar per epoch (batches done, loss and accuracy so far)
    and leaving one line per finished epoch; None when progress is off."""
    if not enabled():
        return None
    from .tfcompat import keras

    class EpochBar(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.bar = _bar()
            self.bar.start()
            total = (self.params or {}).get("steps")
            self.task = self.bar.add_task(f"{label} epoch {epoch + 1}/{self.params['epochs']}",
                                          total=total, status="")

        def on_train_batch_end(self, batch, logs=None):
            self.bar.update(self.task, advance=1, status=_status(logs or {}))

        def on_epoch_end(self, epoch, logs=None):
            self.bar.stop()
            _console().print(f"{label} epoch {epoch + 1}/{self.params['epochs']}  "
                             f"{_status(logs or {})}", highlight=False)

    return EpochBar()

"""The Ray Tune pieces of a search that Tune pickles into its experiment (tuner.pkl) to
resume it: module-level classes, so they unpickle by reference. Imports Ray: only the
runner imports this module, when a search runs.

- NumberedOptuna: Optuna's searcher that numbers its suggestions (config key "trial"), the
  trials' order everywhere (Tune's trial ids are random and its restored order is not the
  creation order); the counter is part of the searcher's saved state.
- Progress: a line per finished trial. It holds no logger (the CLI's closes over click's
  context, which does not unpickle): it writes through LOG, which the runner sets.
"""
from ray.tune import Callback
from ray.tune.search.optuna import OptunaSearch

from .space import describe

LOG = [print]
INDEX = "trial"       # the config key that numbers the trials


class NumberedOptuna(OptunaSearch):
    def suggest(self, trial_id):
        params = super().suggest(trial_id)
        if isinstance(params, dict):
            count = getattr(self, "_tc_suggested", 0)
            self._tc_suggested = count + 1
            params = {**params, INDEX: count}
        return params


def settings(config) -> dict:
    """A trial's settings: its config without the trial number."""
    return {k: v for k, v in dict(config).items() if k != INDEX}


class Progress(Callback):
    def __init__(self, total: int):
        self.total = total

    def _line(self, trial) -> str:
        return (f"trial {trial.config.get(INDEX, 0) + 1}/{self.total}: "
                f"{describe(settings(trial.config))}")

    def on_trial_result(self, iteration, trials, trial, result, **info):
        LOG[0](f"{self._line(trial)}: {result['metric']} {result['quality']:.4f}, flash "
               f"{result['flash']:,} B, RAM {result['ram']:,} B ({result['seconds']:.0f} s)")

    def on_trial_error(self, iteration, trials, trial, **info):
        LOG[0](f"{self._line(trial)}: FAILED: {_error(trial)}")


def _error(trial) -> str:
    """The trial's one-line error, from the file Tune has just written beside the trial (its
    copy in the experiment folder comes later)."""
    import os
    from ray import cloudpickle
    from .runner import error_line
    path = trial.pickled_error_file
    if path and os.path.exists(path):
        with open(path, "rb") as f:
            return error_line(cloudpickle.load(f))
    return "see report.md"

"""A line per finished trial, from Ray Tune's driver-side callbacks. Imports Ray: only the
runner imports this module, when a search runs.

Tune pickles its callbacks into the experiment (tuner.pkl) to resume it, so the callback is
a module-level class holding no logger (the CLI's logger closes over click's context, which
does not unpickle): it writes through LOG, which the runner sets for each search.
"""
from ray.tune import Callback

from .space import describe

LOG = [print]


class Progress(Callback):
    def __init__(self, total: int):
        self.total = total

    def on_trial_result(self, iteration, trials, trial, result, **info):
        LOG[0](f"trial {trials.index(trial) + 1}/{self.total}: {describe(trial.config)}: "
               f"{result['metric']} {result['quality']:.4f}, flash {result['flash']:,} B, "
               f"RAM {result['ram']:,} B ({result['seconds']:.0f} s)")

    def on_trial_error(self, iteration, trials, trial, **info):
        LOG[0](f"trial {trials.index(trial) + 1}/{self.total}: {describe(trial.config)}: FAILED")

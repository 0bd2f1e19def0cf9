"""Ray Tune underneath `tinycompress search`: the cluster (local, or an existing one), the
Tuner with Optuna's seeded TPE sampler as its search algorithm, resumption from the
experiment folder, and the finished trials read back as plain records.

Ray is imported here only, and only when a search runs: `import tinycompress` stays fast.
Trials run one at a time by default (`concurrency`): Optuna's next suggestion then depends
only on the trials before it, so the same search gives the same trials on any cluster.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from ..errors import TinyCompressError

EXPERIMENT = "tune"               # Ray Tune's experiment folder inside the output folder
OPTUNA_OBJECTIVES = {"score": "max", "flash": "min"}   # score: quality, less 1 when over a cap
FILES = ("model_int8.tflite", "recipe.toml")   # kept per trial (its Tune checkpoint)


def connect(address: str | None, log):
    """ray.init: a private local cluster on this machine's cores, or an existing one
    (`auto`, `host:port`, `ray://host:port`). Quiet: no dashboard, no worker logs."""
    import logging
    import ray
    quiet = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                 configure_logging=True)
    try:
        if address in (None, "", "local"):
            # "local": a new cluster even where `ray start` left one that ray.init would join
            ray.init(address="local", num_cpus=os.cpu_count() or 1, **quiet)
        else:
            log(f"search: connecting to the Ray cluster at {address}")
            ray.init(address=address, **{k: v for k, v in quiet.items() if k != "include_dashboard"})
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise TinyCompressError(f"--address {address}: cannot connect to a Ray cluster "
                                f"({str(exc).splitlines()[0]}); start one with `ray start "
                                "--head` or leave --address out for a local one (a cluster "
                                "with token authentication, Ray's default, also needs "
                                "RAY_AUTH_MODE=token here)") from None


def _trainable(config, *, table, recipe_path, board, model_bytes, epochs, caps):
    """A Tune function trainable: one trial, its figures reported once with its files."""
    import shutil
    from ray import tune
    from .hooks import settings
    from .pareto import fits
    from .trial import run_trial
    with tempfile.TemporaryDirectory(prefix="tc-trial-") as tmp:
        work, keep = Path(tmp) / "work", Path(tmp) / "keep"
        work.mkdir()
        keep.mkdir()
        figures = run_trial(settings(config), table=table, recipe_path=recipe_path, board=board,
                            model_bytes=model_bytes, epochs=epochs, workdir=work)
        ok = figures["fits_board"] and fits(dict(figures, status="ok"), caps)
        figures["score"] = figures["quality"] - (0.0 if ok else 1.0)
        for name in FILES:
            shutil.copy(work / name, keep / name)
        tune.report(figures, checkpoint=tune.Checkpoint.from_directory(str(keep)))


def _searcher(space: list, seed: int, concurrency: int):
    import optuna
    from optuna.distributions import CategoricalDistribution
    from ray.tune.search import ConcurrencyLimiter
    from .hooks import NumberedOptuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dists = {d.name: CategoricalDistribution(list(d.choices)) for d in space}
    searcher = NumberedOptuna(dists, metric=list(OPTUNA_OBJECTIVES),
                            mode=list(OPTUNA_OBJECTIVES.values()),
                            sampler=optuna.samplers.TPESampler(seed=seed))
    return ConcurrencyLimiter(searcher, max_concurrent=concurrency)


def run_tuner(out: Path, space: list, *, trials: int, seed: int, concurrency: int,
              trainable_args: dict, log) -> list:
    """Run (or resume) the experiment in out/tune; returns its trials as records."""
    # Tune saves its experiment state at most this often: a killed search loses at most the
    # trials that were running (trials here take tens of seconds).
    os.environ.setdefault("TUNE_GLOBAL_CHECKPOINT_S", "1")
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    from ray import tune
    from .hooks import LOG, Progress
    LOG[0] = log
    trainable = tune.with_parameters(_trainable, **trainable_args)
    experiment = out.resolve() / EXPERIMENT
    run_config = tune.RunConfig(
        name=EXPERIMENT, storage_path=str(out.resolve()), verbose=0,
        callbacks=[Progress(trials)],
        failure_config=tune.FailureConfig(max_failures=0),
        checkpoint_config=tune.CheckpointConfig(num_to_keep=None))
    if tune.Tuner.can_restore(str(experiment)):
        log(f"search: resuming the search in {experiment}")
        tuner = tune.Tuner.restore(str(experiment), trainable, resume_unfinished=True,
                                   resume_errored=False, restart_errored=False)
    else:
        tuner = tune.Tuner(trainable, run_config=run_config, tune_config=tune.TuneConfig(
            search_alg=_searcher(space, seed, concurrency), num_samples=trials,
            max_concurrent_trials=concurrency, reuse_actors=True,
            trial_dirname_creator=_dirname))
    # a failed trial is one line from Progress and in the report, not Tune's traceback
    logging.getLogger("ray.tune").setLevel(logging.CRITICAL)
    grid = tuner.fit()
    ended = grid.num_terminated + grid.num_errors
    if ended < trials:            # Ctrl-C: Tune saved the experiment and stopped
        raise TinyCompressError(f"{out}: search interrupted after {ended} of {trials} trials; "
                                "rerun the same command to resume it")
    return sorted((_record(result) for result in grid), key=lambda r: r["index"])


def _dirname(trial) -> str:
    return f"trial_{trial.trial_id}"


def _record(result) -> dict:
    """A finished (or failed) trial as a plain dict: settings, figures, error, files."""
    from .hooks import INDEX, settings
    metrics = dict(result.metrics or {})
    # a trial that failed before reporting has no config in its result: Tune's params.json
    config = result.config or json.loads((Path(result.path) / "params.json").read_text())
    rec = {"index": config[INDEX], "trial_id": Path(result.path).name.removeprefix("trial_"),
           "timestamp": metrics.get("timestamp"),
           "settings": settings(config), "status": "ok", "error": ""}
    if result.error is not None:
        rec.update(status="error", error=error_line(result.error))
        return rec
    if "quality" not in metrics:        # stopped before it reported
        rec.update(status="unfinished", error="did not finish")
        return rec
    for key in ("metric", "quality", "flash", "ram", "fits_board", "note", "arena",
                "weight_bytes", "tflite_bytes", "sparsity", "seconds", "score"):
        rec[key] = metrics.get(key)
    rec["files"] = result.checkpoint.path if result.checkpoint else None
    return rec


def error_line(error) -> str:
    """One line for a trial's exception (Ray wraps it: its cause is the trial's own)."""
    cause = getattr(error, "cause", None) or error
    if isinstance(cause, TinyCompressError):
        return str(cause).splitlines()[0]
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[-1] if text else ''}".strip()

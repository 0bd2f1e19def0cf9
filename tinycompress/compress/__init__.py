"""Compression stages, in pipeline order: distill, lowrank, prune, cluster, snap, qat.

STAGES maps a stage name to (config dataclass, apply function); the dataclass fields are the
recipe keys of [compress.<stage>]. Each `apply(model, dataset, config) -> (model, StageReport)`
strips TF-MOT's training wrappers (QAT keeps its fake-quant wrappers: the converter needs them)
and evaluates the result.
"""
from . import cluster, distill, lowrank, prune, qat, snap
from .cluster import ClusterConfig
from ..config import build
from .common import StageReport, evaluate_stage
from .distill import DistillConfig
from .lowrank import LowRankConfig
from .prune import PruneConfig
from .qat import QATConfig
from .snap import SnapConfig

STAGES = {
    "distill": (DistillConfig, distill.apply),
    "lowrank": (LowRankConfig, lowrank.apply),
    "prune": (PruneConfig, prune.apply),
    "cluster": (ClusterConfig, cluster.apply),
    "snap": (SnapConfig, snap.apply),
    "qat": (QATConfig, qat.apply),
}


def make_config(stage, values, where=None):
    """Stage config from a dict (recipe table, --set pairs, CLI flags) through the one
    validator (tinycompress.config): unknown keys and wrong types name the key."""
    from ..errors import TinyCompressError
    if stage not in STAGES:
        raise TinyCompressError(f"compress: unknown stage '{stage}'; stages: {', '.join(STAGES)}")
    return build(STAGES[stage][0], values if values is not None else {},
                 where or f"[compress.{stage}]")


def run_pipeline(model, dataset, configs: dict, progress=None, verbose=0):
    """Run the stages named in `configs` (name -> config or dict) in pipeline order.

    Returns (final model, [StageReport]) with the input model's evaluation first ("float").
    `progress(message)` is called before and after each stage.
    """
    from ..errors import TinyCompressError
    unknown = set(configs) - set(STAGES)
    if unknown:
        raise TinyCompressError(f"compress: unknown stage(s) {', '.join(sorted(unknown))}; "
                                f"stages: {', '.join(STAGES)}")
    say = progress or (lambda message: None)
    reports = [evaluate_stage("float", model, dataset)]
    say(f"float: {_summary(reports[0])}")
    for name, (_, fn) in STAGES.items():
        if name not in configs:
            continue
        config = make_config(name, configs[name])
        say(f"{name}: running")
        model, report = fn(model, dataset, config, verbose=verbose)
        for w in report.warnings:
            say(f"warning: {w}")
        say(f"{name}: {_summary(report)} ({report.seconds:.1f} s)")
        reports.append(report)
    return model, reports


def _summary(report):
    m = ", ".join(f"{k} {v:.4f}" for k, v in report.metrics.items())
    return f"{m}, params {report.params}, sparsity {report.sparsity:.3f}, " \
           f"max unique/channel {report.max_unique}"


__all__ = ["STAGES", "run_pipeline", "make_config", "StageReport", "PruneConfig",
           "ClusterConfig", "SnapConfig", "QATConfig", "DistillConfig", "LowRankConfig"]

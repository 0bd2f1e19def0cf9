"""The run driver of `tinycompress run`: STEPS, a table of (name, function, when, check)
rows, executed in order over one RunContext into an output folder written whole or not at
all. Adding a stage to the run is adding one row. The recipe's format (the schema and its
validation) is recipe.py; the report's rendering is report.py.
"""
from __future__ import annotations

import dataclasses
import gzip
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import deploy, evaluate
from .fileio import atomic_dir, check_output_dir
from .recipe import Recipe


@dataclass
class StageRow:
    """Quality and size after one stage, for the report table and plot."""
    stage: str
    metric: str                 # "accuracy" | "auc" | "reconstruction_mse"
    value: float | None
    params: int | None = None
    sparsity: float | None = None
    max_unique: int | None = None
    bytes: int | None = None    # float32 weights (Keras stages) or the .tflite file
    gzip_bytes: int | None = None
    note: str = ""


@dataclass
class RunContext:
    recipe: Recipe
    out: Path                   # the (temporary) output folder being filled
    log: Callable
    model: object = None        # the current Keras model
    float_model: object = None
    dataset: object = None
    rows: list = field(default_factory=list)
    stage_reports: list = field(default_factory=list)
    convert: object = None      # ConvertReport
    artifacts: list = field(default_factory=list)
    # what the later steps add (report.json keeps them under "extra")
    robustness: dict | None = None   # evaluate.robustness_table()
    firmware: dict | None = None     # deploy's generate/build/simulate results
    failure: str | None = None       # a deployment step failed: report written, `run` exits 1


@dataclass
class RunResult:
    recipe: str
    out_dir: str
    seconds: float
    rows: list
    artifacts: list
    convert: dict | None
    stages: list
    robustness: dict | None = None
    firmware: dict | None = None
    failure: str | None = None  # a deployment step failed (report written, `run` exits 1)

    @property
    def extra(self) -> dict:
        """The later steps' results as report.json holds them."""
        return {k: v for k, v in (("robustness", self.robustness), ("firmware", self.firmware),
                                  ("failure", self.failure)) if v is not None}

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        for key in ("robustness", "firmware"):
            del d[key]
        return {**d, "extra": self.extra}

    def summary(self) -> str:
        from .report import render_summary
        return render_summary(self)


def _weights_size(model):
    """(float32 bytes, gzipped bytes) of a Keras model's weights: what pruning and clustering save."""
    blob = b"".join(np.asarray(w, dtype=np.float32).tobytes() for w in model.get_weights())
    return len(blob), len(gzip.compress(blob, compresslevel=9, mtime=0))


def _row_from_stage(report, model) -> StageRow:
    metrics = dict(report.metrics)
    metric = "auc" if "auc" in metrics else ("accuracy" if "accuracy" in metrics
                                             else next(iter(metrics), "accuracy"))
    size, gz = _weights_size(model)
    return StageRow(stage=report.stage, metric=metric, value=metrics.get(metric),
                    params=report.params, sparsity=report.sparsity,
                    max_unique=report.max_unique, bytes=size, gzip_bytes=gz,
                    note=_note(report.warnings))


def _note(warnings) -> str:
    """A table cell: a few warnings in full, many as a count (the report lists them all under Warnings)."""
    if len(warnings) <= 2:
        return "; ".join(warnings)
    return f"{len(warnings)} warnings, e.g. {warnings[0]} (see Warnings below)"


def _save(ctx, model, name):
    from .keras_io import save_model
    save_model(model, ctx.out / name)
    ctx.artifacts.append(name)


def step_model(ctx: RunContext):
    """The float model: trained from the zoo, or loaded from a file; model.keras."""
    r = ctx.recipe
    from .compress.common import evaluate_stage
    if r.model.zoo:
        from .zoo import ZOO, train
        data = None if r.data.synthetic or not r.data.source else r.resolve(r.data.source)
        epochs = None if r.model.epochs < 0 else r.model.epochs
        ctx.log(f"training zoo model {r.model.zoo} ({epochs or ZOO[r.model.zoo].epochs} epochs)")
        ctx.model, ctx.dataset, _ = train(r.model.zoo, epochs=epochs, data=data, seed=r.model.seed)
    else:
        from .data import check_dataset, load_dataset
        from .keras_io import load_model
        ctx.model = load_model(r.resolve(r.model.path))
        ctx.dataset = check_dataset(load_dataset(r.resolve(r.data.source)), ctx.model)
    ctx.float_model = ctx.model
    report = evaluate_stage("float", ctx.model, ctx.dataset)
    ctx.stage_reports.append(report)
    ctx.rows.append(_row_from_stage(report, ctx.model))
    _save(ctx, ctx.model, "model.keras")


def step_compress(ctx: RunContext):
    """Every [compress.*] stage in pipeline order; compressed.keras."""
    from .compress import STAGES
    for name, config in ctx.recipe.compress.items():
        ctx.log(f"compress: {name}")
        apply = STAGES[name][1]
        ctx.model, report = apply(ctx.model, ctx.dataset, config)
        ctx.stage_reports.append(report)
        ctx.rows.append(_row_from_stage(report, ctx.model))
        for warning in report.warnings:
            ctx.log(f"warning: {warning}")
    _save(ctx, ctx.model, "compressed.keras")


def step_convert(ctx: RunContext):
    """model_float.tflite (the float model, the size baseline) and model_int8.tflite."""
    from .convert import convert_float, convert_to_int8, gzip_size
    float_bytes = convert_float(ctx.float_model)
    (ctx.out / "model_float.tflite").write_bytes(float_bytes)
    ctx.artifacts.append("model_float.tflite")
    base = ctx.rows[0]
    ctx.rows.append(StageRow(stage="float tflite", metric=base.metric, value=base.value,
                             params=base.params, bytes=len(float_bytes),
                             gzip_bytes=gzip_size(float_bytes), note="float32 .tflite"))
    ctx.log("convert: full int8, scored in the TFLM host interpreter")
    report = convert_to_int8(ctx.model, ctx.dataset, ctx.out / "model_int8.tflite",
                             representative_samples=ctx.recipe.convert.representative_samples,
                             task=ctx.dataset.task, log=ctx.log)
    report.out_path = "model_int8.tflite"   # not the temporary folder's name
    ctx.convert = report
    ctx.artifacts.append("model_int8.tflite")
    if report.task == "classify":
        metric, value = "accuracy", report.int8_accuracy
    elif report.int8_auc is not None:   # the autoencoders' primary metric, as in the Keras rows
        metric, value = "auc", report.int8_auc
    else:
        metric, value = "reconstruction_mse", report.int8_mse
    ctx.rows.append(StageRow(stage="int8 tflite", metric=metric, value=value,
                             bytes=report.int8_tflite_bytes, gzip_bytes=report.int8_gzip_bytes,
                             note="TFLM host interpreter"))


def step_export(ctx: RunContext):
    """model_data.h (and model_data.cc with [export] source = true)."""
    from .export import export_c
    e = ctx.recipe.export
    rep = export_c(ctx.out / "model_int8.tflite", ctx.out / "model_data.h", name=e.name,
                   source=e.source)
    ctx.artifacts += ["model_data.h"] + (["model_data.cc"] if rep.source else [])


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable                  # (RunContext) -> None
    when: Callable = lambda recipe: True   # noqa: E731 - does the recipe ask for this step?
    check: Callable | None = None  # (Recipe) -> None, before the run: missing tools fail early


# The run, in order. The firmware steps run when the recipe has a [firmware] section.
STEPS = [
    Step("model", step_model),
    Step("compress", step_compress),
    Step("convert", step_convert),
    Step("evaluate", evaluate.step_evaluate, evaluate.wants_evaluate),
    Step("export", step_export),
    Step("firmware", deploy.step_firmware, deploy.wants_firmware, deploy.check_tools),
    Step("build", deploy.step_build, deploy.wants_firmware),
    Step("simulate", deploy.step_simulate, deploy.wants_simulation),
]


def run_recipe(recipe: Recipe, out_dir=None, log=None) -> RunResult:
    """Run every step into `out_dir` (default out/<recipe name>), written whole or not at all."""
    from .report import write_reports
    log = log or (lambda message: None)
    out = Path(out_dir) if out_dir else Path("out") / recipe.name
    check_output_dir(out)
    for step in STEPS:
        if step.check and step.when(recipe):
            step.check(recipe)
    started = time.time()
    with atomic_dir(out) as tmp:
        ctx = RunContext(recipe=recipe, out=tmp, log=log)
        for step in STEPS:
            if step.when(recipe):
                step.run(ctx)
        result = RunResult(recipe=recipe.name, out_dir=str(out),
                           seconds=round(time.time() - started, 1), rows=ctx.rows,
                           artifacts=list(ctx.artifacts),
                           convert=ctx.convert.to_dict() if ctx.convert else None,
                           stages=[s.to_dict() for s in ctx.stage_reports],
                           robustness=ctx.robustness, firmware=ctx.firmware, failure=ctx.failure)
        result.artifacts += write_reports(tmp, result)
    return result

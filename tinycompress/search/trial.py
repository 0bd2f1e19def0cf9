"""One trial of a search, end to end: the recipe's compression stages with the trial's
settings on the float model, int8 conversion scored in the TFLM host interpreter, and the
native firmware for the board generated and built with arm-none-eabi-gcc for its flash and
RAM. Runs in a Ray worker (or anywhere): it needs only its arguments and a scratch folder.

A trial that fails raises (a TinyCompressError names what); the search records its one line.
A model that the board cannot hold is no failure: its figures come from the project
(weights and golden vector against flash, arena + output + stack against RAM), not fitting.
"""
from __future__ import annotations

import time
from pathlib import Path

import tomli_w

from ..errors import TinyCompressError
from .space import trial_recipe

VECTORS = 1          # golden vectors in every trial's firmware (their bytes count in flash)
MODEL_FILE = "model.keras"


def quality(report) -> tuple:
    """(metric name, higher-is-better value) of a ConvertReport: the run report's metric."""
    if report.task == "classify":
        return "accuracy", report.int8_accuracy
    if report.int8_auc is not None:
        return "auc", report.int8_auc
    return "neg_mse", -report.int8_mse


def run_table(table: dict, model_path: Path) -> dict:
    """The TOML table a trial runs: the float model from `model_path` (trained once by the
    search), one golden vector, no simulation, no robustness step."""
    table = dict(table, model={"path": str(model_path), "seed": table.get("model", {}).get("seed", 0)})
    table.pop("evaluate", None)
    table["firmware"] = dict(table["firmware"], vectors=VECTORS, simulate=False)
    return table


def firmware_figures(project: Path) -> dict:
    """Flash and RAM of the built image, or the project's own bytes when the board cannot
    hold them (build refuses before compiling): then `fits_board` is False."""
    from ..firmware.boards import get_board
    from ..firmware.build import build
    from ..firmware.project import load_project
    meta = load_project(project)
    try:
        report = build(project)
    except TinyCompressError as exc:
        if "does not fit" not in str(exc):
            raise
        board = get_board(meta["board"])
        return {"flash": int(meta.get("weight_bytes", 0)) + int(meta.get("golden_bytes", 0)),
                "ram": int(meta.get("arena_bytes", 0)) + int(meta.get("output_bytes", 0))
                + board.stack_size, "fits_board": False,
                "note": str(exc).split(": ", 1)[-1].split(";")[0],
                "arena": int(meta.get("arena_bytes", 0)), "weight_bytes": int(meta.get("weight_bytes", 0))}
    return {"flash": report.flash_used, "ram": report.ram_used, "fits_board": True, "note": "",
            "arena": report.arena_bytes, "weight_bytes": report.weight_bytes}


def run_trial(settings: dict, *, table: dict, recipe_path: str, board: str, model_bytes: bytes,
              epochs: int | None, workdir) -> dict:
    """Run one trial in `workdir`; returns its figures. Writes model_int8.tflite and
    recipe.toml (the trial's recipe as a user would run it) into `workdir`."""
    from ..compress import run_pipeline
    from ..convert import convert_to_int8
    from ..data import check_dataset, load_dataset
    from ..deploy import _golden_source
    from ..firmware.project import generate_project
    from ..keras_io import load_model
    from ..recipe import parse_recipe
    started = time.time()
    workdir = Path(workdir)
    recipe_table = trial_recipe(table, settings, board, epochs)
    (workdir / "recipe.toml").write_text(tomli_w.dumps(recipe_table))
    (workdir / MODEL_FILE).write_bytes(model_bytes)
    recipe = parse_recipe(run_table(recipe_table, workdir / MODEL_FILE), Path(recipe_path))
    model = load_model(workdir / MODEL_FILE)
    source = _golden_source(recipe)
    dataset = check_dataset(load_dataset(source), model)
    model, reports = run_pipeline(model, dataset, recipe.compress)
    tflite = workdir / "model_int8.tflite"
    report = convert_to_int8(model, dataset, tflite,
                             representative_samples=recipe.convert.representative_samples,
                             task=dataset.task, seed=recipe.model.seed)
    metric, value = quality(report)
    fw = recipe.firmware
    generate_project(tflite, board, workdir / "firmware", runtime=fw.runtime, data=source,
                     vectors=VECTORS, seed=recipe.model.seed, opt=fw.opt, weights=fw.weights,
                     max_slowdown=fw.max_slowdown)
    figures = firmware_figures(workdir / "firmware")
    sparsity = reports[-1].sparsity if reports else None
    return {"metric": metric, "quality": float(value), **figures,
            "tflite_bytes": report.int8_tflite_bytes, "sparsity": sparsity,
            "seconds": round(time.time() - started, 1)}

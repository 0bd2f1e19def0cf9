"""The search space of `tinycompress search`: one table of dimensions (DIMENSIONS), each a
row that says when it applies to a recipe, its choices, and how a choice edits the recipe.

A trial is a dict {dimension name: choice}; `trial_recipe` turns the recipe's TOML table
and a trial into the TOML table of the recipe that trial runs (and that `best.toml` holds).
What a trial does not vary keeps the recipe's own setting. No TensorFlow, no Ray here.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

from ..errors import TinyCompressError


@dataclass(frozen=True)
class Dimension:
    name: str
    choices: tuple
    applies: Callable          # (recipe TOML table) -> bool: is this dimension in the space?
    apply: Callable            # (recipe TOML table, choice) -> None: edit it in place
    help: str


def _stages(table: dict) -> dict:
    return table.setdefault("compress", {})


def _always(table) -> bool:
    return True


def _has(stage):
    return lambda table: stage in table.get("compress", {})


def _set(stage, key):
    def apply(table, value):
        _stages(table).setdefault(stage, {})[key] = value
    return apply


def _prune_sparsity(table, value):
    prune = _stages(table).setdefault("prune", {})
    prune["target_sparsity"] = float(value)


def _prune_structure(table, value):
    prune = _stages(table).setdefault("prune", {})
    if value == "none":
        prune.pop("structured", None)
    else:
        prune["structured"] = value


def _clusters(table, value):
    if value == 0:
        _stages(table).pop("cluster", None)
    else:
        _stages(table).setdefault("cluster", {})["clusters"] = int(value)


def _distill(table, value):
    if not value:
        _stages(table).pop("distill", None)


def _has_teacher(table) -> bool:
    return bool(table.get("compress", {}).get("distill", {}).get("teacher"))


def _weights(table, value):
    table.setdefault("firmware", {})["weights"] = value


# The space. Order is the order of the columns in every table the search writes.
DIMENSIONS = (
    Dimension("prune_sparsity", (0.0, 0.5, 0.625, 0.75, 0.875, 0.9), _always, _prune_sparsity,
              "fraction of zero weights per pruned kernel (0: no pruning)"),
    Dimension("prune_structure", ("none", "2:4"), _always, _prune_structure,
              "none: unstructured; 2:4: two zeros in every four weights (sparsity 0.5)"),
    Dimension("clusters", (0, 8, 16, 32), _always, _clusters,
              "unique weight values per kernel (0: no clustering)"),
    Dimension("lowrank_energy", (0.8, 0.9, 0.95, 0.99), _has("lowrank"),
              _set("lowrank", "energy"), "low-rank: share of the singular values' energy kept"),
    Dimension("distill", (True, False), _has_teacher, _distill,
              "knowledge distillation from the recipe's teacher on or off"),
    Dimension("weights", ("dense", "auto"), _always, _weights,
              "weight format in flash (auto: the smallest that is at most max_slowdown slower)"),
)


def space_for(table: dict) -> list:
    """The dimensions that apply to this recipe (its TOML table), in table order."""
    return [d for d in DIMENSIONS if d.applies(table)]


def describe(settings: dict) -> str:
    """A trial's settings in one short line, in table order."""
    names = [d.name for d in DIMENSIONS if d.name in settings]
    return ", ".join(f"{n}={settings[n]}" for n in names)


def trial_recipe(table: dict, settings: dict, board: str, epochs: int | None = None) -> dict:
    """The recipe's TOML table with the trial's settings applied, deploying to `board`.

    `epochs` caps every compression stage's fine-tuning epochs (a shorter search); the
    float model's training is the recipe's own. Unknown settings are an error (a stale state).
    """
    dims = {d.name: d for d in DIMENSIONS}
    out = copy.deepcopy(table)
    for name, value in settings.items():
        if name not in dims:
            raise TinyCompressError(f"search: unknown dimension {name!r}; dimensions: "
                                    f"{', '.join(dims)}")
        dims[name].apply(out, value)
    prune = out.get("compress", {}).get("prune")
    if prune is not None and prune.get("target_sparsity", 1.0) == 0.0 \
            and not prune.get("structured"):
        del out["compress"]["prune"]          # sparsity 0 and no structure: no pruning stage
    if epochs is not None:
        from ..compress import STAGES
        from ..config import default
        for name, stage in out.get("compress", {}).items():
            stage["epochs"] = min(int(stage.get("epochs", default(STAGES[name][0], "epochs"))),
                                  epochs)
    if not out.get("compress"):
        out.pop("compress", None)
    out.setdefault("firmware", {})["board"] = board
    return out

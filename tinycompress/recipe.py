"""Recipes: a TOML file naming the model, the data and the stages (the run driver is run.py).

The recipe is validated against dataclasses before anything runs: an unknown key or a value
of the wrong type is an error naming the key and the file. `[compress.<stage>]` keys are the
fields of that stage's config dataclass (tinycompress.compress.STAGES), declared once there.
`[firmware]` (tinycompress.deploy.FirmwareSection) adds the generate, build and simulate steps.
`[evaluate]` (tinycompress.evaluate.EvaluateSection) adds robustness under input noise.

`run.run_recipe` executes them.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import deploy, evaluate
from .convert import ConvertSection
from .export import ExportSection
from .config import build, coerce
from .errors import TinyCompressError
from .fileio import input_file


# --- the recipe format --------------------------------------------------------------------

@dataclass
class ModelSection:
    zoo: str = ""               # a zoo model name (trained from scratch by the run)
    path: str = ""              # or a Keras model file, relative to the recipe
    epochs: int = -1            # training epochs for a zoo model (-1: the zoo's default)
    seed: int = 0


@dataclass
class DataSection:
    source: str = ""            # built-in name or .npz path (relative to the recipe)
    synthetic: bool = False     # the zoo model's generated data (no data set on disk)


@dataclass
class Recipe:
    name: str
    path: Path                  # the recipe file, for messages and relative paths
    description: str = ""
    model: ModelSection = field(default_factory=ModelSection)
    data: DataSection = field(default_factory=DataSection)
    compress: dict = field(default_factory=dict)    # stage name -> config dataclass instance
    convert: ConvertSection = field(default_factory=ConvertSection)
    export: ExportSection = field(default_factory=ExportSection)
    firmware: object = None     # deploy.FirmwareSection, or None: no [firmware], no deployment
    evaluate: object = None     # evaluate.EvaluateSection, or None: no robustness step

    def resolve(self, value: str) -> str:
        """A path written in the recipe is relative to the recipe's folder."""
        return _relative_to(self.path, value)


def _relative_to(recipe_path: Path, value: str) -> str:
    p = Path(value).expanduser()
    if not p.is_absolute() and (recipe_path.parent / p).exists():
        return str(recipe_path.parent / p)
    return value


# Stage config fields that hold file paths (resolved relative to the recipe).
PATH_KEYS = ("teacher",)


SECTIONS = {"model": ModelSection, "data": DataSection, "convert": ConvertSection,
            "export": ExportSection}
TOP_LEVEL = {"name": str, "description": str}


def _stages():
    from .compress import STAGES
    return STAGES


def parse_recipe(data: dict, path: Path) -> Recipe:
    where = str(path)
    allowed = set(TOP_LEVEL) | set(SECTIONS) | {"compress", "firmware", "evaluate"}
    for key in data:
        if key not in allowed:
            raise TinyCompressError(f"{where}: unknown key '{key}'; known keys: "
                                    f"{', '.join(sorted(allowed))}")
    kwargs = {}
    for key, tp in TOP_LEVEL.items():
        if key in data:
            kwargs[key] = coerce(data[key], tp, key, where)
    for key, cls in SECTIONS.items():
        kwargs[key] = build(cls, data.get(key, {}), f"{where} [{key}]")
    compress = data.get("compress", {})
    if not isinstance(compress, dict):
        raise TinyCompressError(f"{where}: key 'compress' must be a table of stages")
    if compress:
        stages = _stages()
        for stage in compress:
            if stage not in stages:
                raise TinyCompressError(f"{where}: unknown key 'compress.{stage}'; stages: "
                                        f"{', '.join(stages)}")
        # pipeline order, whatever the order in the file
        kwargs["compress"] = {s: build(stages[s][0], compress[s], f"{where} [compress.{s}]")
                              for s in stages if s in compress}
        for config in kwargs["compress"].values():
            for key in PATH_KEYS:
                if getattr(config, key, ""):
                    setattr(config, key, _relative_to(path, getattr(config, key)))
    firmware = data.get("firmware", {})
    if not isinstance(firmware, dict):
        raise TinyCompressError(f"{where}: key 'firmware' must be a table")
    if "firmware" in data:
        kwargs["firmware"] = build(deploy.FirmwareSection, firmware, f"{where} [firmware]")
    if "evaluate" in data:
        kwargs["evaluate"] = build(evaluate.EvaluateSection, data["evaluate"],
                                          f"{where} [evaluate]")
    recipe = Recipe(name=kwargs.pop("name", path.stem), path=path, **kwargs)
    _check_sources(recipe)
    return recipe


def _check_sources(recipe: Recipe):
    m, d, where = recipe.model, recipe.data, str(recipe.path)
    if bool(m.zoo) == bool(m.path):
        raise TinyCompressError(f"{where} [model]: give exactly one of 'zoo' (a zoo model name) "
                                "or 'path' (a Keras model file)")
    if m.zoo:
        from .zoo import ZOO
        if m.zoo not in ZOO:
            raise TinyCompressError(f"{where} [model]: key 'zoo' names no zoo model {m.zoo!r}; "
                                    f"choose one of {', '.join(ZOO)}")
    if d.synthetic and d.source:
        raise TinyCompressError(f"{where} [data]: give 'source' or 'synthetic = true', not both")
    if d.synthetic and not m.zoo:
        raise TinyCompressError(f"{where} [data]: key 'synthetic' needs a zoo model ([model] zoo)")
    if m.path and not d.source:
        raise TinyCompressError(f"{where} [data]: key 'source' is required for a model from a "
                                "file (a built-in name or an .npz path)")


def load_recipe(path) -> Recipe:
    path = input_file(path, what="recipe file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TinyCompressError(f"{path}: not valid TOML ({exc})") from None
    return parse_recipe(data, path)

"""`tinycompress search`: the most accurate compressed version of a recipe's model that fits a
board, found by Ray Tune with Optuna's seeded TPE sampler over the space in space.py.

The float model is trained (or loaded) once and saved in the output folder; each trial runs
the recipe's compression stages with its settings, converts, and builds the native firmware
(trial.py). The front's members then run in QEMU for their instructions per inference.
Rerunning the same command over the same folder resumes the search (Ray Tune's experiment in
<out>/tune); the results are rewritten whole at the end. Ray loads only when a search runs.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TinyCompressError

STATE = "search.json"       # the search's settings: a rerun must match them to resume
MODEL = "model.keras"       # the float model every trial starts from
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(|b|k|kb|kib|m|mb|mib)\s*$", re.IGNORECASE)
UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1 << 20, "mb": 1 << 20,
         "mib": 1 << 20}


def parse_size(text, what: str) -> int | None:
    """'24KB', '24K', '24KiB' -> 24576 bytes (KB is 1024 bytes, as the boards table counts)."""
    if text is None or isinstance(text, int):
        return text
    m = SIZE.match(str(text))
    if not m:
        raise TinyCompressError(f"{what}: {text!r} is not a size; write bytes or e.g. 24KB, 1MB")
    return int(float(m.group(1)) * UNITS[m.group(2).lower()])


@dataclass
class SearchResult:
    out_dir: str
    summary: dict
    front: list
    trials: list
    best: dict | None
    files: list = field(default_factory=list)

    def to_dict(self) -> dict:
        strip = lambda r: {k: v for k, v in r.items() if k != "files"}   # noqa: E731
        return {"out_dir": self.out_dir, "summary": self.summary,
                "front": [strip(r) for r in self.front], "trials": [strip(r) for r in self.trials],
                "best": strip(self.best) if self.best else None, "files": self.files}

    def text(self) -> str:
        from .output import front_table
        s = self.summary
        lines = [f"search {s['recipe']} on {s['board']}: {s['trials']} trials, {s['failed']} "
                 f"failed, {s['seconds']:.0f} s", "", front_table(self.front, s["caps"]), ""]
        if self.best:
            from .output import _quality
            from .space import describe
            b = self.best
            lines.append(f"best that fits: trial {b['index']} ({describe(b['settings'])}): "
                         f"{b['metric']} {_quality(b)}, flash {b['flash']:,} B, RAM {b['ram']:,} B"
                         f"; recipe {self.out_dir}/best.toml")
        else:
            lines.append(s["verdict"])
        return "\n".join(lines)


def _absolute_paths(table: dict, recipe) -> dict:
    """Paths in the recipe made absolute, so the recipes the search writes run from anywhere."""
    def fix(section, key):
        if section.get(key) and Path(recipe.resolve(section[key])).exists():
            section[key] = os.path.abspath(recipe.resolve(section[key]))
    fix(table.get("model", {}), "path")
    fix(table.get("data", {}), "source")
    fix(table.get("compress", {}).get("distill", {}), "teacher")
    return table


def _load(recipe_path, board_name: str):
    """(TOML table, parsed recipe, board) of the search's recipe, checked before anything runs."""
    from ..fileio import input_file
    from ..firmware.boards import get_board
    from ..recipe import parse_recipe
    board = get_board(board_name)
    path = input_file(recipe_path, what="recipe file")
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TinyCompressError(f"{path}: not valid TOML ({exc})") from None
    recipe = parse_recipe(table, path)
    table = _absolute_paths(table, recipe)
    firmware = table.setdefault("firmware", {})
    firmware["board"] = board.name
    if board.qemu_machine is None:
        firmware["simulate"] = False     # QEMU has no model of it: nothing to simulate
    return table, parse_recipe(table, path), board


def _prepare(out: Path, state: dict, recipe, resume: bool, log) -> bool:
    """Make the output folder (float model + state) or check that it holds this search.
    Returns True when it resumes one."""
    from ..fileio import atomic_dir, check_output_dir
    state_file = out / STATE
    if state_file.is_file():
        old = json.loads(state_file.read_text())
        if old != json.loads(json.dumps(state)):
            diff = sorted(k for k in set(old) | set(state) if old.get(k) != json.loads(
                json.dumps(state.get(k))))
            raise TinyCompressError(f"{out}: holds a search with other settings ({', '.join(diff)} "
                                    "differ); rerun it as it was to resume, or give another "
                                    "output folder (-o)")
        return True
    if resume:
        raise TinyCompressError(f"{out}: no search to resume there; run without --resume to "
                                "start one")
    check_output_dir(out)
    from ..run import RunContext, step_model
    with atomic_dir(out) as tmp:
        # the float model as `run` makes it (zoo training or the model file): tmp/model.keras
        step_model(RunContext(recipe=recipe, out=tmp, log=log))
        (tmp / STATE).write_text(json.dumps(state, indent=2) + "\n")
    return False


def _simulate(record: dict, table: dict, recipe, board, log) -> dict:
    """A front member's instructions per inference in QEMU, its golden vector checked."""
    from ..deploy import _golden_source
    from ..firmware.build import build
    from ..firmware.project import generate_project
    from ..simulate.qemu import simulate
    from .trial import VECTORS
    fw = tomllib.loads((Path(record["files"]) / "recipe.toml").read_text())["firmware"]
    with tempfile.TemporaryDirectory(prefix="tc-finalist-") as tmp:
        project = Path(tmp) / "firmware"
        generate_project(Path(record["files"]) / "model_int8.tflite", board.name, project,
                         runtime=fw.get("runtime", "native"), data=_golden_source(recipe),
                         vectors=VECTORS, seed=recipe.model.seed, opt=fw.get("opt", "-O2"),
                         weights=fw.get("weights", "dense"),
                         max_slowdown=fw.get("max_slowdown", 1.2))
        build(project)
        report = simulate(project, timeout=fw.get("timeout", 120.0))
    if report.failure:
        return {"verified": f"FAILED: {report.failure}"}
    return {"instructions": int(round(report.instructions_per_inference)),
            "verified": f"{report.passed}/{len(report.vectors)} bit-exact"}


def _finalists(records, caps, table, recipe, board, log) -> list:
    """The front of the trials that fit flash and RAM, each measured in QEMU; a member over
    the latency cap leaves it and the front is taken again."""
    from .pareto import fits, front
    flash_ram = {k: caps[k] for k in ("flash", "ram")}
    pool = [r for r in records if fits(r, flash_ram) and r.get("fits_board")]
    while True:
        members = front(pool)
        todo = [r for r in members if "verified" not in r]
        if not todo:
            return members
        for r in todo:
            if board.qemu_machine is None:
                r["verified"] = "no QEMU model"
                continue
            log(f"search: trial {r['index']} in QEMU {board.qemu_machine}")
            try:
                r.update(_simulate(r, table, recipe, board, log))
            except TinyCompressError as exc:
                r["verified"] = f"FAILED: {str(exc).splitlines()[0]}"
        pool = [r for r in pool if fits(r, caps) and not r.get("verified", "").startswith("FAILED")]


def search(recipe, board: str, output=None, *, max_flash=None, max_ram=None, max_latency=None,
           trials: int = 20, epochs: int | None = None, seed: int = 0, concurrency: int = 1,
           address: str | None = None, resume: bool = False, log=None) -> SearchResult:
    """Search the recipe's compression space for `board` (see README "Search").

    Caps default to the board's flash and RAM (max_flash/max_ram lower them; sizes as bytes or
    '24KB'); max_latency caps instructions per inference. `address`: None for a local Ray
    cluster, 'auto', 'host:port' or 'ray://host:port' for an existing one. Raises
    TinyCompressError after writing the outputs when no trial fits.
    """
    from .output import write_outputs
    from .pareto import best as best_of, front
    from .runner import connect, run_tuner
    from .space import space_for
    log = log or (lambda message: None)
    if trials < 1 or concurrency < 1:
        raise TinyCompressError("search: --trials and --concurrency must be at least 1")
    table, parsed, board_row = _load(recipe, board)
    caps = {"flash": min(board_row.flash_size, parse_size(max_flash, "--max-flash")
                         or board_row.flash_size),
            "ram": min(board_row.ram_size, parse_size(max_ram, "--max-ram") or board_row.ram_size),
            "instructions": max_latency}
    from ..deploy import check_tools
    check_tools(parsed)
    space = space_for(table)
    out = Path(output) if output else Path("out") / f"{parsed.name}-search-{board_row.name}"
    state = {"recipe": str(Path(recipe).resolve()), "table": table, "board": board_row.name,
             "caps": caps, "trials": trials, "epochs": epochs, "seed": seed,
             "concurrency": concurrency, "space": [d.name for d in space]}
    started = time.time()
    _prepare(out, state, parsed, resume, log)
    connect(address, log)
    import ray
    try:
        records = run_tuner(out, space, trials=trials, seed=seed, concurrency=concurrency,
                            log=log, trainable_args=dict(
                                table=table, recipe_path=str(parsed.path), board=board_row.name,
                                model_bytes=(out / MODEL).read_bytes(), epochs=epochs, caps=caps))
    finally:
        ray.shutdown()
    members = _finalists(records, caps, table, parsed, board_row, log)
    chosen = best_of(members, caps)
    from .pareto import fits
    for r in records:
        r["fits"] = bool(fits(r, caps) and r.get("fits_board"))
    failed = sum(r["status"] != "ok" for r in records)
    summary = {"recipe": parsed.name, "board": board_row.name, "caps": caps,
               "trials": len(records), "failed": failed, "seed": seed,
               "epochs_note": f"compression epochs capped at {epochs}" if epochs
               else "the recipe's epochs", "seconds": round(time.time() - started, 1),
               "front_of": "trials that fit flash and RAM", "verdict": "",
               "best": {k: v for k, v in chosen.items() if k != "files"} if chosen else None}
    best_recipe = None
    if chosen is None:
        ok = [r for r in records if r["status"] == "ok"]
        members = front(ok)          # best effort: the front of everything that ran
        summary["front_of"] = "every finished trial (none fits)"
        closest = min(ok, key=lambda r: (r["flash"] / caps["flash"] + r["ram"] / caps["ram"]),
                      default=None)
        summary["verdict"] = (
            f"no configuration of {len(records)} trials fits {board_row.name} with flash "
            f"{caps['flash']:,} B, RAM {caps['ram']:,} B"
            + (f", {max_latency:,} instructions" if max_latency else "")
            + (f" (the smallest: trial {closest['index']}, flash {closest['flash']:,} B, RAM "
               f"{closest['ram']:,} B)" if closest else " (every trial failed)")
            + "; raise the caps, pick a bigger board or widen the recipe's compression")
    else:
        best_recipe = (Path(chosen["files"]) / "recipe.toml").read_text()
    files = write_outputs(out, summary, members, records, caps, [d.name for d in space],
                          best_recipe)
    result = SearchResult(str(out), summary, members, records, chosen, files)
    if chosen is None:
        raise SearchFailed(f"{summary['verdict']} (report in {out}/report.md)", result)
    return result


class SearchFailed(TinyCompressError):
    """No configuration fits: the outputs are written, `result` holds the best-effort front."""

    def __init__(self, message: str, result: SearchResult):
        super().__init__(message)
        self.result = result

"""`tinycompress search`, the fast parts: the space table, the Pareto front and its choice,
the outputs (best.toml runs as a recipe), sizes, and the refusals that come before any
training. The end-to-end searches (Ray, QEMU, a cluster, resumption) are in
tests/test_search_slow.py under `-m slow`."""
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tinycompress.errors import TinyCompressError
from tinycompress.search import parse_size
from tinycompress.search.pareto import best, dominates, fits, front, limits_failed
from tinycompress.search.space import DIMENSIONS, space_for, trial_recipe

REPO = Path(__file__).resolve().parents[1]
DIGITS = REPO / "models" / "digits-cnn" / "recipe.toml"


def _table(path=DIGITS):
    return tomllib.loads(Path(path).read_text())


def _parse(table, where):
    from tinycompress.recipe import parse_recipe
    return parse_recipe(table, Path(where))


# --- the space ----------------------------------------------------------------------------

def test_space_of_digits_has_the_generic_dimensions_only():
    names = [d.name for d in space_for(_table())]
    assert names == ["prune_sparsity", "prune_structure", "clusters", "weights"]


def test_space_adds_lowrank_and_distill_when_the_recipe_has_them():
    table = _table()
    table["compress"]["lowrank"] = {"energy": 0.9}
    table["compress"]["distill"] = {"teacher": "teacher.keras"}
    names = [d.name for d in space_for(table)]
    assert "lowrank_energy" in names and "distill" in names
    del table["compress"]["distill"]["teacher"]       # distillation without a teacher: not varied
    assert "distill" not in [d.name for d in space_for(table)]


@pytest.mark.parametrize("dim,choice", [(d, c) for d in DIMENSIONS for c in d.choices],
                         ids=lambda v: getattr(v, "name", str(v)))
def test_every_choice_gives_a_valid_recipe(dim, choice, tmp_path):
    table = _table()
    table["compress"]["lowrank"] = {"energy": 0.9}
    teacher = tmp_path / "teacher.keras"
    teacher.write_bytes(b"")
    table["compress"]["distill"] = {"teacher": str(teacher)}
    out = trial_recipe(table, {dim.name: choice}, "microbit")
    recipe = _parse(out, tmp_path / "r.toml")
    assert recipe.firmware.board == "microbit"
    assert table["firmware"]["board"] == "mps2-an386"   # the recipe's table is not edited


def test_trial_settings_edit_the_recipe():
    table = _table()
    out = trial_recipe(table, {"prune_sparsity": 0.5, "prune_structure": "2:4", "clusters": 0,
                               "weights": "dense"}, "microbit", epochs=2)
    assert out["compress"]["prune"]["structured"] == "2:4"
    assert out["compress"]["prune"]["target_sparsity"] == 0.5
    assert "cluster" not in out["compress"]
    assert out["firmware"]["weights"] == "dense"
    assert {s["epochs"] for s in out["compress"].values()} == {2}
    assert out["model"] == table["model"]        # the float model is the recipe's own
    off = trial_recipe(table, {"prune_sparsity": 0.0, "prune_structure": "none", "clusters": 32},
                       "microbit")
    assert "prune" not in off["compress"] and off["compress"]["cluster"]["clusters"] == 32
    assert off["compress"]["qat"]["epochs"] == 3  # what the trial does not vary is kept


def test_unknown_setting_is_refused():
    with pytest.raises(TinyCompressError, match="unknown dimension 'rank'"):
        trial_recipe(_table(), {"rank": 4}, "microbit")


# --- the front ----------------------------------------------------------------------------

def _rec(index, quality, flash, ram, **kw):
    return {"index": index, "quality": quality, "flash": flash, "ram": ram, "status": "ok",
            "settings": {"clusters": index}, "metric": "accuracy", **kw}


def test_dominance_needs_one_strictly_better_figure():
    a, b = _rec(0, 0.9, 100, 10), _rec(1, 0.9, 100, 10)
    assert not dominates(a, b) and not dominates(b, a)
    assert dominates(_rec(2, 0.9, 99, 10), a)
    assert not dominates(_rec(3, 0.95, 120, 10), a)


def test_front_keeps_the_trade_offs_best_first():
    records = [_rec(0, 0.90, 100, 10), _rec(1, 0.95, 200, 10), _rec(2, 0.85, 150, 10),
               _rec(3, 0.80, 50, 10), _rec(4, 0.95, 200, 12), _rec(5, 0.80, 50, 8)]
    assert [r["index"] for r in front(records)] == [1, 0, 5]     # 5 beats 3 on RAM


def test_best_is_the_most_accurate_within_the_caps():
    records = [_rec(0, 0.90, 100, 10), _rec(1, 0.95, 200, 10), _rec(2, 0.90, 90, 10),
               _rec(3, 0.99, 80, 10, status="error")]
    assert best(records, {"flash": 150, "ram": 10})["index"] == 2
    assert best(records, {"flash": 200, "ram": 10})["index"] == 1
    assert best(records, {"flash": 80, "ram": 10}) is None
    slow = _rec(4, 0.97, 60, 10, instructions=5000)
    assert best(records + [slow], {"flash": 200, "ram": 10, "instructions": 4000})["index"] == 1
    assert limits_failed(slow, {"flash": 50, "instructions": 4000}) == [
        "flash 60 > 50 B", "instructions 5,000 > 4,000"]
    assert fits(_rec(5, 0.5, 10, 1), {"flash": 10, "ram": 1, "instructions": 10})  # not measured


@pytest.mark.parametrize("text,value", [("24KB", 24576), ("24k", 24576), ("1.5MiB", 1572864),
                                        ("3000", 3000), (None, None), ("16 KB", 16384)])
def test_sizes(text, value):
    assert parse_size(text, "--max-flash") == value


def test_bad_size_is_named():
    with pytest.raises(TinyCompressError, match="--max-ram: 'lots' is not a size"):
        parse_size("lots", "--max-ram")


# --- the outputs (a search with the Ray part replaced by finished trials) ---------------------

def _fake_search(monkeypatch, tmp_path, records, board, **options):
    """search() over `records` as if Ray Tune had run them (no training, no Ray)."""
    import importlib
    search_mod = importlib.import_module("tinycompress.search")   # tinycompress.search is api.search
    from tinycompress.search import runner

    def prepare(out, *args):
        out.mkdir(parents=True, exist_ok=True)
        (out / "model.keras").write_bytes(b"")
    monkeypatch.setattr(search_mod, "_prepare", prepare)
    monkeypatch.setattr(runner, "connect", lambda address, log: None)
    monkeypatch.setattr(runner, "run_tuner", lambda *a, **k: [dict(r) for r in records])
    monkeypatch.setattr("tinycompress.deploy.check_tools", lambda recipe: None)
    return search_mod.search(DIGITS, board, tmp_path / "out", **options)


def _files(tmp_path, index, settings, board):
    folder = tmp_path / f"ckpt{index}"
    folder.mkdir()
    import tomli_w
    from tinycompress.search import _load
    table = trial_recipe(_load(DIGITS, board)[0], settings, board)
    (folder / "recipe.toml").write_text(tomli_w.dumps(table))
    return str(folder)


def test_outputs_and_best_recipe(monkeypatch, tmp_path):
    board = "nrf52840-dk"          # no QEMU model: the front is not simulated
    settings = [{"prune_sparsity": 0.5, "clusters": 16, "weights": "auto"},
                {"prune_sparsity": 0.9, "clusters": 8, "weights": "auto"},
                {"prune_sparsity": 0.0, "clusters": 0, "weights": "dense"}]
    records = [_rec(i, q, f, 5000, settings=s, fits_board=True, files=_files(tmp_path, i, s, board))
               for i, (s, q, f) in enumerate(zip(settings, (0.97, 0.90, 0.98), (30000, 20000,
                                                                                  60000)))]
    records.append({"index": 3, "settings": {"clusters": 32}, "status": "error",
                    "error": "cluster: layer 'dense' holds 40 distinct values"})
    result = _fake_search(monkeypatch, tmp_path, records, board, max_flash="40KB")
    out = tmp_path / "out"
    assert result.best["index"] == 0
    assert [r["index"] for r in result.front] == [0, 1]
    recipe = _parse(tomllib.loads((out / "best.toml").read_text()), out / "best.toml")
    assert recipe.compress["prune"].target_sparsity == 0.5
    assert recipe.compress["cluster"].clusters == 16
    assert recipe.firmware.board == board and recipe.firmware.weights == "auto"
    report = (out / "report.md").read_text()
    assert "Trial 0: prune_sparsity=0.5, clusters=16, weights=auto: accuracy 97.00 %" in report
    assert "trial 3 (clusters=32): cluster: layer 'dense' holds 40 distinct values" in report
    rows = (out / "trials.csv").read_text().splitlines()
    assert len(rows) == 5 and rows[0].startswith("trial,prune_sparsity,prune_structure,clusters")
    assert json.loads((out / "trials.json").read_text())["summary"]["best"]["index"] == 0
    assert (out / "front.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "best that fits: trial 0" in result.text()


def test_nothing_fits_writes_the_best_effort_front_and_fails(monkeypatch, tmp_path):
    from tinycompress.search import SearchFailed
    records = [_rec(0, 0.97, 30000, 5000, fits_board=True), _rec(1, 0.90, 20000, 5000,
                                                                   fits_board=True)]
    with pytest.raises(SearchFailed, match="no configuration of 2 trials fits nrf52840-dk with "
                                           r"flash 10,240 B.*the smallest: trial 1") as exc:
        _fake_search(monkeypatch, tmp_path, records, "nrf52840-dk", max_flash="10KB")
    out = tmp_path / "out"
    assert [r["index"] for r in exc.value.result.front] == [0, 1]
    assert not (out / "best.toml").exists()
    assert "## No configuration fits" in (out / "report.md").read_text()
    assert "every finished trial (none fits)" in (out / "report.md").read_text()


# --- refusals before anything runs (the CLI: one line, exit 1) ------------------------------

def _fails(result, *needles):
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert "Traceback" not in result.output


def test_unknown_board_is_one_line(run_cli, tmp_path):
    _fails(run_cli("search", DIGITS, "--board", "arduino", "-o", tmp_path / "o"), "arduino")
    assert not (tmp_path / "o").exists()


def test_recipe_error_is_one_line(run_cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[model]\nzoo = "digits-cnn"\n[compress.prune]\nsparsity = 0.5\n')
    _fails(run_cli("search", bad, "--board", "microbit", "-o", tmp_path / "o"),
           "unknown key 'sparsity'")


def test_bad_cap_is_one_line(run_cli, tmp_path):
    _fails(run_cli("search", DIGITS, "--board", "microbit", "--max-flash", "big", "-o",
                   tmp_path / "o"), "--max-flash: 'big' is not a size")


def test_resume_without_a_search_is_refused(run_cli, tmp_path):
    _fails(run_cli("search", DIGITS, "--board", "microbit", "--resume", "-o", tmp_path / "o"),
           "no search to resume")


def test_folder_of_another_search_is_refused(run_cli, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "search.json").write_text(json.dumps({"board": "microbit", "trials": 3}))
    _fails(run_cli("search", DIGITS, "--board", "microbit", "-o", out),
           "holds a search with other settings")


def test_import_loads_no_ray_or_optuna():
    code = ("import sys, tinycompress, tinycompress.search, tinycompress.cli; "
            "print(sorted(m for m in ('ray', 'optuna', 'tensorflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

"""`tinycompress search` end to end on the digits CNN (slow: each search trains and builds).

One short search (3 trials, a 10-epoch float model, one epoch per compression stage) runs
three ways: on a private local Ray cluster, on a multi-process Ray cluster the test starts
(`ray start --head` on 127.0.0.1), and killed mid-way then rerun. Training is seeded and the
sampler too, so the three give the same trials: the fronts are compared figure for figure.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

RECIPE = """name = "digits-search"
[model]
zoo = "digits-cnn"
epochs = 10
[data]
source = "digits"
[compress.prune]
target_sparsity = 0.75
epochs = 2
[compress.cluster]
clusters = 16
epochs = 1
[compress.qat]
epochs = 1
[firmware]
weights = "auto"
"""
TRIALS = 3
ARGS = ["--board", "microbit", "--trials", str(TRIALS), "--epochs", "1", "--seed", "3"]
FIGURES = ("settings", "metric", "quality", "flash", "ram", "instructions", "verified")


def _cli(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "tinycompress.cli", "search", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, **kw)


def _run(*args, env=None):
    proc = _cli(*args, env=env)
    out, _ = proc.communicate(timeout=1500)
    return proc.returncode, out


def _front(out: Path):
    data = json.loads((out / "trials.json").read_text())
    trials = {t["index"]: t for t in data["trials"]}
    front = [[trials[i].get(k) for k in FIGURES] for i in sorted(trials) if trials[i].get("verified")]
    return front, data


@pytest.fixture(scope="module")
def recipe(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "recipe.toml"
    path.write_text(RECIPE)
    return path


@pytest.fixture(scope="module")
def local(recipe):
    out = recipe.parent / "local"
    code, text = _run(recipe, *ARGS, "-o", out)
    assert code == 0, text
    return out, text


def test_local_search_finds_a_fit_and_its_recipe_runs(local, tmp_path):
    out, text = local
    front, data = _front(out)
    best = data["summary"]["best"]
    assert best and best["flash"] <= 256 * 1024 and best["ram"] <= 16 * 1024
    assert best["quality"] > 0.5 and best["instructions"] > 0
    assert best["verified"] == "1/1 bit-exact"
    assert f"best that fits: trial {best['index']}" in text
    assert len(data["trials"]) == TRIALS and front
    # best.toml is a recipe `tinycompress run` takes: the same firmware figures come out
    run = subprocess.run([sys.executable, "-m", "tinycompress.cli", "run", out / "best.toml",
                          "-o", tmp_path / "run", "--json"], capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    fw = json.loads(run.stdout)["extra"]["firmware"]
    assert fw["board"] == "microbit" and fw["failure"] is None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port, proc, seconds=300):
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"ray start did not listen on {port} ({proc.poll()})")


def test_cluster_search_gives_the_same_front(local, recipe):
    port = _free_port()
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    # --block keeps `ray start` in the foreground: ending its process group ends this
    # cluster only (`ray stop` would stop every Ray cluster on the machine)
    head = subprocess.Popen([sys.executable, "-m", "ray.scripts.scripts", "start", "--head",
                             "--block", "--node-ip-address", "127.0.0.1", "--port", str(port),
                             "--num-cpus", "2", "--include-dashboard", "false",
                             "--disable-usage-stats"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, head)
        time.sleep(5)          # the raylet registers after the GCS listens
        out = recipe.parent / "cluster"
        # `ray start` turns on Ray's token authentication (~/.ray/auth_token): a client
        # says it uses it
        code, text = _run(recipe, *ARGS, "-o", out, "--address", f"127.0.0.1:{port}",
                          env=dict(env, RAY_AUTH_MODE="token"))
        assert code == 0, text
        assert "connecting to the Ray cluster at 127.0.0.1" in text
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        head.wait(timeout=120)
    assert _front(out)[0] == _front(local[0])[0]


def _finished(out: Path) -> dict:
    """trial folder -> its reported result (timestamp, figures), for the trials that finished."""
    done = {}
    for result in (out / "tune").glob("trial_*/result.json"):
        lines = result.read_text().splitlines()
        if lines:
            done[result.parent.name] = [json.loads(line)["timestamp"] for line in lines]
    return done


def test_killed_search_resumes_without_rerunning_finished_trials(local, recipe):
    out = recipe.parent / "killed"
    proc = _cli(recipe, *ARGS, "-o", out)
    deadline = time.time() + 1200
    while len(_finished(out)) < 1 and time.time() < deadline and proc.poll() is None:
        time.sleep(2)
    time.sleep(3)         # Tune saves its experiment state within a second of a result
    assert proc.poll() is None, proc.communicate()[0]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _finished(out)
    assert 1 <= len(before) < TRIALS and not (out / "report.md").exists()
    code, text = _run(recipe, *ARGS, "-o", out)
    assert code == 0, text
    assert "resuming the search" in text
    after = _finished(out)
    assert len(after) == TRIALS
    for trial, stamps in before.items():
        assert after[trial] == stamps          # reported once, before the kill: not rerun
    assert _front(out)[0] == _front(local[0])[0]


def test_failed_trials_are_recorded_and_the_search_goes_on(recipe):
    """A teacher file that is no model: the trials that distill fail with its one-line error,
    the others finish (seed 0 suggests distill off, on, off)."""
    teacher = recipe.parent / "teacher.keras"
    teacher.write_bytes(b"not a model")
    path = recipe.parent / "distill.toml"
    # without QAT, whose own check fails some clustered trials: only the teacher fails here
    path.write_text(RECIPE.replace("[compress.qat]\nepochs = 1\n", "")
                    + f'[compress.distill]\nteacher = "{teacher}"\nepochs = 1\n')
    out = recipe.parent / "distill"
    code, text = _run(path, "--board", "microbit", "--trials", "3", "--epochs", "1", "--seed",
                      "0", "-o", out)
    assert code == 0, text
    assert "Traceback" not in text
    trials = json.loads((out / "trials.json").read_text())["trials"]
    failed = [t for t in trials if t["status"] == "error"]
    assert failed and len(failed) < len(trials)
    assert failed == [t for t in trials if t["settings"]["distill"]]
    for t in failed:
        assert "teacher.keras" in t["error"] and "\n" not in t["error"]
        assert f"trial {t['index'] + 1}/3: " in text and "FAILED: " in text
    assert "## Failed trials" in (out / "report.md").read_text()

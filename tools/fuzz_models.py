"""Structure-aware fuzzing of the .tflite reader, inspect, export and native code generation,
with the TFLM host interpreter as a differential oracle.

Each mutant is a seed model (tests/fixtures/fuzz/*.tflite: the zoo's digits-cnn, kws-dscnn
and a small ad-fc, untrained) with 1-3 structural edits (tools/fuzz_mutate.py: shapes, types,
scales and zero points, options, operator operands, buffers, graph inputs/outputs, opcodes,
op order). In-process it goes through what `inspect`, `export` and `firmware` do before
building: read_tflite, inspect_model (without TFLM), export_c, require_full_int8 and the
native code generator. Allowed outcomes: success or a TinyCompressError. Anything else (another
exception, a hang past --timeout) is a finding.

Accepted mutants (the code generator wrote model.c) go to the oracle: compiled for the host in
batches (one gcc call for many models, each model.c wrapped so its symbols get a suffix; the
runtime library once, with AddressSanitizer/UBSan so an out-of-bounds access aborts), run on a
few inputs, and compared byte for byte with the TFLM host interpreter (one long-lived child
process, restarted when a model kills it). TFLM refusing a model is agreement (`firmware`
refuses it then too); different bytes, a sanitizer report or a crash of our binary is a finding.

    python tools/fuzz_models.py --mutants 200000 --compare 2000 --seed 1 --out /tmp/fuzz
prints a summary (counts per outcome, findings with their seed and edits) and exits 1 on
findings. Findings are written to --out as .tflite + .json (seed name and edits), ready to be
added to tests/fixtures/fuzz/regressions.json.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fuzz_mutate  # noqa: E402

from tinycompress import tflm_host  # noqa: E402
from tinycompress.errors import TinyCompressError  # noqa: E402
from tinycompress.export import export_c  # noqa: E402
from tinycompress.firmware.native import codegen, hostbuild  # noqa: E402
from tinycompress.inspect import inspect_model  # noqa: E402
from tinycompress.tflite_model import parse_tflite, read_tflite, require_full_int8  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "tests" / "fixtures" / "fuzz"
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
N_VECTORS = 3
WORKER_MEMORY_BYTES = 6 << 30     # one address-space limit for the long-lived TFLM worker


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


# --- one mutant through the Python stages --------------------------------------------------

def front_end(data: bytes, work: Path, timeout: float):
    """Run reader, inspect, export and codegen on `data`. Returns (outcome, detail, rendered):
    outcome "accepted" (rendered = (model, model_c, model_h)), "refused" (a TinyCompressError:
    detail says by which stage), or a finding: "exception" / "hang" (detail: the traceback)."""
    path = work / "mutant.tflite"
    path.write_bytes(data)
    stage = "read"
    # CPU seconds, not wall: on shared cores a starved run is slow, not hung
    signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, timeout)
    try:
        model = read_tflite(path)
        stage = "inspect"
        inspect_model(path, run_tflm=False).to_text()
        stage = "export"
        try:
            export_c(path, work / "model_data.h")
        except TinyCompressError:
            pass              # export needs full int8 I/O; the code generator may still run
        stage = "firmware"
        require_full_int8(model)
        model_c, model_h, _ = codegen.render(model)
        return "accepted", stage, (model, model_c, model_h)
    except TinyCompressError:
        return "refused", stage, None
    except Hang:
        return "hang", f"{stage}: no answer in {timeout} CPU s", None
    except Exception:   # noqa: BLE001 - every other exception is what we are looking for
        return "exception", f"{stage}: {traceback.format_exc(limit=-4)}", None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


# --- TFLM oracle: one long-lived child process ---------------------------------------------

class TFLMWorker:
    """The TFLM host interpreter in a child process that serves many models in a row."""

    def __init__(self, timeout: float = 900):     # wall seconds: generous for starved cores
        self.timeout, self.proc, self.deaths = timeout, None, 0

    def _start(self):
        self.proc = subprocess.Popen([sys.executable, __file__, "--tflm-worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)

    def run(self, model, vectors):
        """Outputs per vector, or None when TFLM refuses (error, crash or no answer)."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        arena = min(4 * tflm_host.estimate_arena(model), tflm_host.MAX_ARENA_BYTES)
        request = pickle.dumps({"model": model.data, "n_outputs": len(model.outputs),
                                "vectors": vectors, "preserve_all": False, "tensor_indices": [],
                                "arena_size": arena, "memory_limit": WORKER_MEMORY_BYTES})
        try:
            self.proc.stdin.write(struct.pack("<Q", len(request)) + request)
            self.proc.stdin.flush()
            head = self._read(8)
            reply = pickle.loads(self._read(struct.unpack("<Q", head)[0]))
        except (OSError, EOFError, TimeoutError, struct.error, pickle.UnpicklingError):
            self.close()        # TFLM crashed (or looped) on this model: a refusal
            self.deaths += 1
            return None
        return reply.get("outputs")

    def _read(self, n: int) -> bytes:
        out = b""
        deadline = time.monotonic() + self.timeout
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise TimeoutError()
            chunk = os.read(self.proc.stdout.fileno(), n - len(out))
            if not chunk:
                raise EOFError()
            out += chunk
        return out

    def close(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def _serve_forever():
    stdin = sys.stdin.buffer
    stdout = os.fdopen(os.dup(1), "wb")     # the protocol's own pipe: TFLM's prints go to stderr
    os.dup2(2, 1)
    while True:
        head = stdin.read(8)
        if len(head) < 8:
            return
        request = pickle.loads(stdin.read(struct.unpack("<Q", head)[0]))
        try:
            reply = tflm_host._serve(request)
        except Exception as exc:  # noqa: BLE001 - TFLM's refusals arrive as RuntimeError etc.
            reply = {"error": str(exc)}
        data = pickle.dumps(reply)
        stdout.write(struct.pack("<Q", len(data)) + data)
        stdout.flush()


# --- batched host builds ---------------------------------------------------------------------

_MAIN = r"""
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
typedef int (*tc_fn)(const int8_t *, int8_t *);
%(decls)s
static const struct { tc_fn fn; size_t in, out; } models[] = {
%(rows)s
};
int main(int argc, char **argv) {
    int k = argc > 1 ? atoi(argv[1]) : 0;
    int8_t *in = malloc(models[k].in), *out = malloc(models[k].out);
    while (fread(in, 1, models[k].in, stdin) == models[k].in) {
        if (models[k].fn(in, out) != 0) return 3;
        fwrite(out, 1, models[k].out, stdout);
    }
    free(in);
    free(out);
    return 0;
}
"""


def build_batch(items, work: Path, lib: Path) -> Path:
    """One executable running any of `items` [(model, model_c, model_h)]: `exe K` runs model K."""
    work.mkdir(parents=True, exist_ok=True)
    sources, decls, rows = [], [], []
    for k, (model, model_c, model_h) in enumerate(items):
        d = work / f"m{k}"
        d.mkdir(exist_ok=True)
        (d / "model.c").write_text(model_c)
        (d / "model.h").write_text(model_h)
        wrapper = work / f"w{k}.c"
        wrapper.write_text(f"#define tc_invoke tc_invoke_{k}\n#define tc_layer_names tc_layer_names_{k}\n"
                           f'#include "m{k}/model.c"\n')
        sources.append(str(wrapper))
        decls.append(f"int tc_invoke_{k}(const int8_t *, int8_t *);")
        ins = sum(model.tensors[t].nbytes for t in model.inputs)
        outs = sum(model.tensors[t].nbytes for t in model.outputs)
        rows.append(f"    {{tc_invoke_{k}, {ins}, {outs}}},")
    (work / "main.c").write_text(_MAIN % {"decls": "\n".join(decls), "rows": "\n".join(rows)})
    exe = work / "batch"
    hostbuild._compile([hostbuild._gcc(), *hostbuild.CFLAGS, *SANITIZE, "-I",
                        str(codegen._runtime_dir()), *sources, str(work / "main.c"), str(lib),
                        "-o", str(exe)])
    return exe


def vectors_for(model, seed: int) -> list:
    rng = np.random.default_rng(seed)
    vectors = [[rng.integers(-128, 128, t.shape, dtype=np.int8) for t in model.input_tensors]]
    for fill in (-128, 127):
        vectors.append([np.full(t.shape, fill, np.int8) for t in model.input_tensors])
    return vectors[:N_VECTORS]


def compare_batch(items, meta, work: Path, lib: Path, tflm: TFLMWorker, stats: Counter,
                  findings: list):
    """Compile `items` together and compare each with TFLM (meta: (seed, edits, data) per item)."""
    try:
        exe = build_batch(items, work, lib)
    except TinyCompressError as exc:
        if len(items) == 1:
            stats["finding: generated C does not compile"] += 1
            findings.append(dict(meta[0], outcome="compile", detail=str(exc)[-2000:]))
            return
        half = len(items) // 2      # find the model that does not compile
        compare_batch(items[:half], meta[:half], work / "a", lib, tflm, stats, findings)
        compare_batch(items[half:], meta[half:], work / "b", lib, tflm, stats, findings)
        return
    for k, ((model, _, _), m) in enumerate(zip(items, meta)):
        vectors = vectors_for(model, k)
        theirs = tflm.run(model, vectors)
        if theirs is None:
            stats["compared: TFLM refuses"] += 1
            continue
        blob = b"".join(np.asarray(a, np.int8).tobytes() for v in vectors for a in v)
        proc = subprocess.run([str(exe), str(k)], input=blob, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)
        want = b"".join(np.asarray(a, np.int8).tobytes() for v in theirs for a in v)
        if proc.returncode != 0:
            stats["finding: native binary failed"] += 1
            findings.append(dict(m, outcome="native-crash",
                                 detail=proc.stderr.decode("utf-8", "replace")[-2000:]))
        elif proc.stdout != want:
            stats["finding: differs from TFLM"] += 1
            findings.append(dict(m, outcome="mismatch", detail=f"{len(proc.stdout)} vs {len(want)} bytes"))
        else:
            stats["compared: identical"] += 1


# --- the campaign ----------------------------------------------------------------------------

def load_seeds(paths) -> dict:
    seeds = {}
    for p in paths:
        data = Path(p).read_bytes()
        parse_tflite(data, str(p))          # a seed must be valid
        seeds[Path(p).stem] = (data, fuzz_mutate.unpack(data))
    return seeds


def run_campaign(seeds: dict, mutants: int, compare: int, seed: int, seconds: float | None,
                 timeout: float, out: Path | None, batch: int = 40, log=print) -> dict:
    """Fuzz; returns a summary dict (counts and findings)."""
    rng = np.random.default_rng(seed)
    stats, findings, pending, meta = Counter(), [], [], []
    names = sorted(seeds)
    lib = hostbuild.runtime_library(SANITIZE)
    tflm = TFLMWorker()
    start = time.monotonic()
    compared = 0
    with tempfile.TemporaryDirectory(prefix="tc-fuzz-") as tmp:
        work = Path(tmp)
        for i in range(mutants):
            if seconds and time.monotonic() - start > seconds:
                break
            name = names[i % len(names)]
            data, parsed = seeds[name]
            try:
                mutated, edits = fuzz_mutate.random_mutant(data, parsed, rng)
            except Exception:   # noqa: BLE001 - the flatbuffer builder refused an edited value
                stats["mutation not serializable"] += 1
                continue
            stats["mutants"] += 1
            stats[f"mutants of {name}"] += 1
            outcome, detail, rendered = front_end(mutated, work, timeout)
            stats[f"{outcome}" + (f" by {detail}" if outcome == "refused" else "")] += 1
            record = dict(seed=name, edits=[e.to_json() for e in edits], index=i)
            if outcome in ("exception", "hang"):
                findings.append(dict(record, outcome=outcome, detail=detail))
                _save(out, record, mutated, outcome, detail)
            elif outcome == "accepted" and compared < compare:
                pending.append(rendered)
                meta.append(dict(record, data=mutated))
                compared += 1
            if len(pending) >= batch or (pending and i == mutants - 1):
                n_before = len(findings)
                compare_batch(pending, meta, work / f"batch{i}", lib, tflm, stats, findings)
                for f in findings[n_before:]:
                    _save(out, f, f["data"], f["outcome"], f["detail"])
                pending, meta = [], []
            if (i + 1) % 500 == 0:
                log(f"{i + 1} mutants, {time.monotonic() - start:.0f} s: " + _brief(stats))
        if pending:
            n_before = len(findings)
            compare_batch(pending, meta, work / "batch-last", lib, tflm, stats, findings)
            for f in findings[n_before:]:
                _save(out, f, f["data"], f["outcome"], f["detail"])
    tflm.close()
    stats["TFLM worker crashed or timed out"] = tflm.deaths
    for f in findings:
        f.pop("data", None)
    return dict(seed=seed, seconds=round(time.monotonic() - start, 1), stats=dict(stats),
                findings=findings)


def _brief(stats) -> str:
    keys = ("accepted", "exception", "hang", "compared: identical", "compared: TFLM refuses")
    return ", ".join(f"{k} {stats.get(k, 0)}" for k in keys) + (
        f", findings {sum(v for k, v in stats.items() if k.startswith('finding'))}")


def _save(out: Path | None, record: dict, data: bytes, outcome: str, detail: str):
    if out is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{outcome}-{record['seed']}-{record['index']}"
    stem.with_suffix(".tflite").write_bytes(data)
    stem.with_suffix(".json").write_text(json.dumps(
        {"seed": record["seed"], "edits": record["edits"], "outcome": outcome, "detail": detail},
        indent=1))


def summary_text(summary: dict) -> str:
    s = summary["stats"]
    lines = [f"fuzz_models: seed {summary['seed']}, {summary['seconds']} s"]
    lines += [f"  {k}: {v}" for k, v in sorted(s.items())]
    lines.append(f"  findings: {len(summary['findings'])}")
    for f in summary["findings"][:20]:
        lines.append(f"    {f['outcome']} {f['seed']} {json.dumps(f['edits'])}: "
                     f"{f['detail'].strip().splitlines()[-1] if f['detail'].strip() else ''}")
    return "\n".join(lines)


def make_seeds(out_dir: Path) -> None:
    """Write the seed models: the zoo's architectures (ad-fc made small), untrained, converted to
    int8 with seeded random representative data."""
    sys.path.insert(0, str(REPO))
    from models import architectures
    from tinycompress.tfcompat import keras, tf

    builders = {"digits_cnn": architectures.digits_cnn, "kws_dscnn": architectures.kws_dscnn,
                "ad_fc": lambda: architectures.ad_fc(inputs=32, hidden=16, bottleneck=4)}
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, build in builders.items():
        keras.utils.set_random_seed(0)
        model = build()
        rng = np.random.default_rng(0)
        shape = (1, *model.input_shape[1:])

        def representative():
            for _ in range(16):
                yield [rng.uniform(-1, 1, shape).astype(np.float32)]
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = representative
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = conv.inference_output_type = tf.int8
        (out_dir / f"{name}.tflite").write_bytes(conv.convert())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tflm-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--mutants", type=int, default=2000)
    ap.add_argument("--compare", type=int, default=100, help="accepted mutants compared with TFLM")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seconds", type=float, help="stop after this long")
    ap.add_argument("--timeout", type=float, default=30, help="CPU seconds per mutant (a hang)")
    ap.add_argument("--models", nargs="*", type=Path, help="seed .tflite files (default: "
                    "tests/fixtures/fuzz/*.tflite)")
    ap.add_argument("--out", type=Path, help="write findings (.tflite + .json) here")
    ap.add_argument("--summary", type=Path, help="also write the summary text here")
    ap.add_argument("--make-seeds", action="store_true", help="(re)build the seed models")
    args = ap.parse_args(argv)
    if args.make_seeds:
        make_seeds(SEEDS)
        return 0
    if args.tflm_worker:
        _serve_forever()
        return 0
    paths = args.models or sorted(SEEDS.glob("*.tflite"))
    if not paths:
        print(f"fuzz_models: no seed models in {SEEDS}", file=sys.stderr)
        return 1
    summary = run_campaign(load_seeds(paths), args.mutants, args.compare, args.seed,
                           args.seconds, args.timeout, args.out,
                           log=lambda m: print(m, flush=True))
    text = summary_text(summary)
    print(text)
    if args.summary:
        args.summary.write_text(text + "\n")
    return 1 if summary["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())

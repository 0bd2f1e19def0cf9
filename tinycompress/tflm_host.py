"""The real TFLite-Micro interpreter (tflite-micro wheel), run in a child process.

TFLM trusts its flatbuffer and can kill the process that hosts it, so it never runs in
the CLI's own process: a worker (`python -m tinycompress.tflm_host`) gets the model and
the inputs through a pickle on stdin and answers the same way. The model is validated
(tflite_model.parse_tflite) before the worker starts.

The worker runs under a memory limit (RLIMIT_AS, set by itself before TFLM loads) and a time
limit, so a model that makes TFLM allocate without end or loop fails with one line. Its
arena is sized from the model (every activation tensor at once, plus TFLM's bookkeeping)
and grown while TFLM says it is too small. When TFLM aborts without a message (a failed
internal check in an op's Prepare), the known checks in PREPARE_ABORTS name the op.
"""
from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

import numpy as np

from .errors import TinyCompressError
from .tflite_model import parse_tflite

DEFAULT_TIMEOUT_S = 600
MAX_ARENA_BYTES = 1 << 31            # TFLM's arena offsets are 32-bit
BASE_MEMORY_BYTES = 1 << 30          # address space of Python + numpy + TFLM before the arena
_ARENA_LINE = re.compile(rb"Arena allocation total (\d+) bytes")
_ARENA_SHORT = re.compile(rb"Failed to allocate|Arena size is too small|failed to resize",
                          re.IGNORECASE)
_OUT_OF_MEMORY = re.compile(rb"bad_alloc|MemoryError|Cannot allocate memory")


def estimate_arena(model) -> int:
    """Bytes enough for TFLM's arena: every non-constant tensor at once (16-byte aligned, no
    reuse, so an upper bound on its plan) plus its per-tensor and per-op bookkeeping."""
    tensors = sum((t.nbytes + 15) // 16 * 16 for t in model.tensors if not t.is_const)
    return int(tensors + 256 * len(model.tensors) + 1024 * len(model.operators) + 64 * 1024)


def _memory_limit(model_bytes: int, arena: int, vectors, preserve_all: bool, model) -> int:
    """Address space for the worker: its base, the model and arena, the inputs and what it
    sends back (pickled twice), with room to spare."""
    io = sum(np.asarray(a).nbytes for v in vectors for a in v)
    kept = len(vectors) * sum(t.nbytes for t in model.tensors) if preserve_all else 0
    return BASE_MEMORY_BYTES + 2 * (model_bytes + arena) + 4 * (io + kept)


def _softmax_scale(model, op):
    """int8 SOFTMAX: TFLM's Prepare checks beta * input scale * 2^26 > 1 (PreprocessSoftmaxScaling
    with 5 integer bits), and aborts the process when it is not."""
    t = model.tensors[op.inputs[0]]
    beta = float((op.options or {}).get("beta", 1.0))
    if str(t.type).upper() != "INT8" or not len(t.quant.scale):
        return None
    scale = float(t.quant.scale[0])
    if beta * scale * 2.0 ** 26 > 1.0:
        return None
    return (f"its input scale {scale:.3g} (beta {beta:g}) is below the {1 / (beta * 2 ** 26):.3g} "
            "TFLM's int8 SOFTMAX accepts: the logits span almost no range (an untrained or "
            "collapsed layer before it); train the model or calibrate with representative data")


# op name -> check(model, op) -> reason or None: conditions under which TFLM's Prepare aborts
# the process (a TFLITE_CHECK) instead of returning an error it could print.
PREPARE_ABORTS = {"SOFTMAX": _softmax_scale}


def _named_abort(model):
    for op in model.operators:
        check = PREPARE_ABORTS.get(op.op)
        reason = check(model, op) if check else None
        if reason:
            return f"{model.describe(op)}: {reason}"
    return None


@dataclass
class TFLMResult:
    outputs: list                 # per vector: a list of output arrays (graph output order)
    arena_bytes: int | None       # arena used, from TFLM's RecordingMicroAllocator
    tensors: list = field(default_factory=list)  # per vector: {tensor index: array} when preserve_all


def run(model_bytes: bytes, vectors, preserve_all: bool = False, tensor_indices=None,
        arena_size: int | None = None, source: str = "model", timeout: float = DEFAULT_TIMEOUT_S,
        memory_limit: int | None = None) -> TFLMResult:
    """Run the TFLM host interpreter on `vectors` (each a list of input arrays, one per graph input).

    With preserve_all, also return every tensor in `tensor_indices` after each invoke
    (TFLM's kPreserveAllTensors mode), for per-layer comparisons. `arena_size` None: sized
    from the model and grown while TFLM finds it too small. `memory_limit` (bytes of address
    space) and `timeout` (seconds) bound the worker; both default from the model's size.
    """
    model = parse_tflite(bytes(model_bytes), source)
    vectors = [[np.asarray(a) for a in v] for v in vectors]
    arena = int(arena_size) if arena_size else estimate_arena(model)
    while True:
        limit = memory_limit or _memory_limit(len(model_bytes), arena, vectors, preserve_all, model)
        request = {"model": bytes(model_bytes), "n_outputs": len(model.outputs), "vectors": vectors,
                   "preserve_all": preserve_all, "tensor_indices": list(tensor_indices or []),
                   "arena_size": arena, "memory_limit": int(limit)}
        proc, err = _run_worker(request, source, timeout, limit)
        if proc.returncode == 0:
            break
        if arena_size is None and _ARENA_SHORT.search(err) and arena < MAX_ARENA_BYTES:
            arena = min(4 * arena, MAX_ARENA_BYTES)     # TFLM asked for more: try again
            continue
        raise TinyCompressError(_failure(model, source, proc.returncode, err, arena, limit))
    reply = pickle.loads(proc.stdout)
    arena = _ARENA_LINE.search(err)
    return TFLMResult(outputs=reply["outputs"], tensors=reply["tensors"],
                      arena_bytes=int(arena.group(1)) if arena else None)


# One thread and few malloc arenas: each thread a BLAS library starts reserves address space,
# which would count against the memory limit on a machine with many cores.
_WORKER_THREADS = dict(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                       MALLOC_ARENA_MAX="2")


def _run_worker(request, source, timeout, limit):
    with tempfile.TemporaryFile() as stderr:
        try:
            proc = subprocess.run([sys.executable, "-m", "tinycompress.tflm_host"],
                                  input=pickle.dumps(request), stdout=subprocess.PIPE,
                                  stderr=stderr, timeout=timeout,
                                  env={**os.environ, **_WORKER_THREADS})
        except subprocess.TimeoutExpired:
            raise TinyCompressError(f"{source}: the TFLM host interpreter did not finish in "
                                    f"{timeout:g} s (stopped); the model may make TFLM loop, or "
                                    "give fewer vectors") from None
        stderr.seek(0)
        return proc, stderr.read()


def _failure(model, source, returncode, err: bytes, arena: int, limit: int) -> str:
    """One line: which op TFLM stopped at and why, as far as it can be known."""
    if _OUT_OF_MEMORY.search(err):
        return (f"{source}: the TFLM host interpreter needed more than its memory limit of "
                f"{limit / 2**20:,.0f} MB (arena {arena:,} B); the model makes TFLM allocate more "
                "than its tensors can need")
    if _ARENA_SHORT.search(err):
        why = ("the most it can address; the activations are too large for TFLite-Micro"
               if arena >= MAX_ARENA_BYTES else "give a larger arena_size, or None to size it "
               "from the model")
        return f"{source}: TFLM could not fit the model in a {arena:,} B arena, {why}"
    lines = [line for line in err.decode("utf-8", "replace").strip().splitlines()
             if line.strip() and not line.startswith(("Traceback", "  "))]
    named = _named_abort(model)
    if named:
        return f"{source}: TFLM cannot prepare {named}"
    said = (f"it said: {lines[-1].strip()}" if lines
            else f"it stopped with signal {-returncode} and no message" if returncode < 0
            else f"exit status {returncode}")
    return (f"{source}: the TFLM host interpreter failed ({said}); no known op limit explains "
            "it: run `tinycompress inspect --no-tflm` on it to see its ops and tensors")


def _limit_memory(limit: int):
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _serve(request) -> dict:
    _limit_memory(request["memory_limit"])
    from tflite_micro.python.tflite_micro import runtime

    config = (runtime.InterpreterConfig.kPreserveAllTensors if request["preserve_all"]
              else runtime.InterpreterConfig.kAllocationRecording)
    interp = runtime.Interpreter.from_bytes(request["model"], arena_size=request["arena_size"],
                                            intrepreter_config=config)
    outputs, tensors = [], []
    for vector in request["vectors"]:
        for i, array in enumerate(vector):
            interp.set_input(array, i)
        interp.invoke()
        outputs.append([np.array(interp.get_output(k)) for k in range(request["n_outputs"])])
        if request["preserve_all"]:
            tensors.append({t: np.array(interp.GetTensor(t, 0)["tensor_data"])
                            for t in request["tensor_indices"]})
    if not request["preserve_all"]:
        interp.print_allocations()  # to stderr; the parent reads the arena total from it
    return {"outputs": outputs, "tensors": tensors}


if __name__ == "__main__":
    reply = _serve(pickle.loads(sys.stdin.buffer.read()))
    sys.stdout.flush()
    os.write(sys.stdout.fileno(), pickle.dumps(reply))

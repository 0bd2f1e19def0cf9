"""The real TFLite-Micro interpreter (tflite-micro wheel), run in a child process.

TFLM trusts its flatbuffer and can kill the process that hosts it, so it never runs in
the CLI's own process: a worker (`python -m tinycompress.tflm_host`) gets the model and
the inputs through a pickle on stdin and answers the same way. The model is validated
(tflite_model.parse_tflite) before the worker starts.
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

DEFAULT_ARENA_BYTES = 4 * 1024 * 1024
_ARENA_LINE = re.compile(rb"Arena allocation total (\d+) bytes")


@dataclass
class TFLMResult:
    outputs: list                 # per vector: a list of output arrays (graph output order)
    arena_bytes: int | None       # arena used, from TFLM's RecordingMicroAllocator
    tensors: list = field(default_factory=list)  # per vector: {tensor index: array} when preserve_all


def run(model_bytes: bytes, vectors, preserve_all: bool = False, tensor_indices=None,
        arena_size: int = DEFAULT_ARENA_BYTES, source: str = "model", timeout: float = 600) -> TFLMResult:
    """Run the TFLM host interpreter on `vectors` (each a list of input arrays, one per graph input).

    With preserve_all, also return every tensor in `tensor_indices` after each invoke
    (TFLM's kPreserveAllTensors mode), for per-layer comparisons.
    """
    model = parse_tflite(bytes(model_bytes), source)
    request = {"model": bytes(model_bytes), "n_outputs": len(model.outputs), "vectors": [[np.asarray(a) for a in v] for v in vectors],
               "preserve_all": preserve_all, "tensor_indices": list(tensor_indices or []),
               "arena_size": int(arena_size)}
    with tempfile.TemporaryFile() as stderr:
        try:
            proc = subprocess.run([sys.executable, "-m", "tinycompress.tflm_host"],
                                  input=pickle.dumps(request), stdout=subprocess.PIPE,
                                  stderr=stderr, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TinyCompressError(f"{source}: the TFLM host interpreter did not finish in "
                                    f"{timeout:.0f} s") from None
        stderr.seek(0)
        err = stderr.read()
    if proc.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"signal {-proc.returncode}"]
        raise TinyCompressError(f"{source}: the TFLM host interpreter failed ({last[0]}); "
                                "the model is not one TFLM can run")
    reply = pickle.loads(proc.stdout)
    arena = _ARENA_LINE.search(err)
    return TFLMResult(outputs=reply["outputs"], tensors=reply["tensors"],
                      arena_bytes=int(arena.group(1)) if arena else None)


def _serve(request) -> dict:
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

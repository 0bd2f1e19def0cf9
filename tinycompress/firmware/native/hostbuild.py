"""Compile a generated model with the host gcc and run it: the native runtime as a function.

The runtime's .c files are compiled once into a static library cached by the hash of their
contents and flags, so each model costs one gcc call (model.c + the runner's main).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ...errors import TinyCompressError
from ...fileio import atomic_dir
from .codegen import _runtime_dir, generate, runtime_sources

CFLAGS = ["-O2", "-Wall", "-Wextra", "-Werror", "-std=c99"]


def _gcc() -> str:
    gcc = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    if not gcc:
        raise TinyCompressError("no host C compiler (gcc) found: install it, e.g. "
                                "`sudo apt-get install gcc`")
    return gcc


def _compile(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise TinyCompressError(f"host compile failed: {' '.join(map(str, cmd))}\n{proc.stdout}")


def runtime_library(extra_flags=()) -> Path:
    """Path of libtcrt.a built from firmware/runtime/*.c with CFLAGS (cached)."""
    flags = CFLAGS + list(extra_flags)
    digest = hashlib.sha256(" ".join([_gcc()] + flags).encode())
    for src in runtime_sources():
        digest.update(src.name.encode() + b"\0" + src.read_bytes())
    cache = Path(tempfile.gettempdir()) / f"tinycompress-hostrt-{os.getuid()}" / digest.hexdigest()[:16]
    lib = cache / "libtcrt.a"
    if lib.exists():
        return lib
    with atomic_dir(cache) as tmp:
        objs = []
        for src in runtime_sources():
            if src.suffix == ".c":
                obj = tmp / (src.stem + ".o")
                _compile([_gcc(), *flags, "-I", str(_runtime_dir()), "-c", str(src), "-o", str(obj)])
                objs.append(str(obj))
        archive = tmp / "libtcrt.a"
        if objs:
            _compile(["ar", "rcs", str(archive), *objs])
        else:  # no kernels yet: an empty archive still links
            _compile(["ar", "rcs", str(archive)])
    return lib


class HostModel:
    """A generated model compiled for the host: .run(vectors) -> outputs per vector."""

    def __init__(self, model, workdir=None, extra_flags=(), weights: str = "dense", wide=None):
        self.model = model
        self._tmp = None
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="tc-host-")
            workdir = self._tmp.name
        self.dir = Path(workdir)
        self.info = generate(model, self.dir, weights=weights, wide=wide)
        self.exe = self.dir / "runner"
        flags = CFLAGS + list(extra_flags)
        _compile([_gcc(), *flags, "-I", str(self.dir), "-I", str(_runtime_dir()),
                  str(self.dir / "model.c"), str(_runtime_dir() / "templates" / "host_main.c"),
                  str(runtime_library(extra_flags)), "-o", str(self.exe)])

    def run(self, vectors) -> list:
        """vectors: a list of vectors (each a list of arrays, one per graph input), or one
        array of N stacked inputs when the graph has one input. Returns, per vector, the
        list of output arrays (graph output order), as tflm_host.run does."""
        ins = self.model.input_tensors
        if isinstance(vectors, np.ndarray):
            vectors = [[v] for v in vectors]
        blob = b"".join(np.asarray(a, dtype=np.int8).reshape(t.shape).tobytes()
                        for v in vectors for a, t in zip(v, ins))
        proc = subprocess.run([str(self.exe)], input=blob, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise TinyCompressError(f"{self.model.source}: host runner failed "
                                    f"(status {proc.returncode}): {proc.stderr[-500:]!r}")
        outs = self.model.output_tensors
        step = sum(t.nbytes for t in outs)
        if len(proc.stdout) != step * len(vectors):
            raise TinyCompressError(f"{self.model.source}: host runner wrote {len(proc.stdout)} "
                                    f"bytes, expected {step * len(vectors)}")
        results = []
        for n in range(len(vectors)):
            pos, row = n * step, []
            for t in outs:
                row.append(np.frombuffer(proc.stdout[pos:pos + t.nbytes], dtype=np.int8)
                           .reshape(t.shape).copy())
                pos += t.nbytes
            results.append(row)
        return results

    def close(self):
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

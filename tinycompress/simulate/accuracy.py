"""`simulate --accuracy N`: N labelled test samples through the device, scored next to the host.

Golden vectors are the mechanism: a project for the same model, board and runtime is
generated with the first N test samples of `--data` as its vectors (in batches that fit the
board's flash), built and run. A vector that passes produced exactly its golden output (the
host TFLM interpreter's); one that fails printed its own (TC:OUT). So every device output is
known, and the device's accuracy and ST-validate-style metrics (RMSE, MAE, L2 relative error,
cosine similarity per output, on dequantized values) are computed against the host's.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import TinyCompressError
from .golden import output_metrics, output_specs

FLASH_SHARE = 0.5      # at most this share of the board's flash holds the batch's vectors


@dataclass
class AccuracyReport:
    board: str
    engine: str
    data: str
    samples: int
    task: str
    host_accuracy: float | None
    device_accuracy: float | None
    mismatches: int                                    # vectors whose bytes differ from the host
    outputs: list = field(default_factory=list)        # {name, rmse, mae, l2r, cosine}
    batches: int = 1

    @property
    def failure(self) -> str | None:
        if self.mismatches:
            return (f"{self.mismatches} of {self.samples} accuracy samples differ from the host "
                    "TFLM interpreter's outputs")
        return None

    def as_dict(self) -> dict:
        return {"board": self.board, "engine": self.engine, "data": self.data,
                "samples": self.samples, "task": self.task, "host_accuracy": self.host_accuracy,
                "device_accuracy": self.device_accuracy, "mismatches": self.mismatches,
                "outputs": self.outputs, "batches": self.batches}

    def lines(self) -> list:
        acc = (lambda a: "n/a" if a is None else f"{a:.4f}")
        out = [f"{self.samples} samples of '{self.data}' on {self.board} ({self.engine}, "
               f"{self.batches} build{'s' if self.batches > 1 else ''}): device accuracy "
               f"{acc(self.device_accuracy)}, host TFLM accuracy {acc(self.host_accuracy)}; "
               f"{self.mismatches} of {self.samples} outputs differ from the host's bytes",
               f"  {'output':<32} {'rmse':>10} {'mae':>10} {'l2r':>10} {'cos':>8}"]
        out += [f"  {o['name']:<32} {o['rmse']:>10.4g} {o['mae']:>10.4g} {o['l2r']:>10.4g} "
                f"{o['cosine']:>8.5f}" for o in self.outputs]
        return out


def _device_outputs(report, golden: np.ndarray, project) -> np.ndarray:
    """Per vector, the bytes the device produced: the golden output where it passed."""
    if report.failure and report.passed + sum(v.output is not None for v in report.vectors
                                              if not v.passed) < len(golden):
        raise TinyCompressError(f"{project}: the accuracy run did not report every vector: "
                                f"{report.failure}")
    rows = []
    for v in sorted(report.vectors, key=lambda v: v.index):
        rows.append(golden[v.index] if v.passed else np.frombuffer(v.output, np.int8))
    return np.stack(rows).astype(np.int8)


def device_accuracy(project_dir, data, samples: int, engine: str = "qemu",
                    timeout: float = 600.0, work_dir=None, runner=None) -> AccuracyReport:
    """Run `samples` test samples of `data` through the project's model on its board:
    in the emulator `engine`, or through `runner(project_dir, timeout=...) -> SimReport`
    (`flash --verify`: flash the batch, read the board's UART)."""
    from ..data import load_dataset
    from ..firmware.boards import get_board
    from ..firmware.build import build
    from ..firmware.project import generate_project, load_project
    from ..metrics import accuracy, infer_task
    from ..tflite_model import parse_tflite
    from . import SIMULATORS

    project_dir = Path(project_dir)
    meta = load_project(project_dir)
    model_path = project_dir / "model.tflite"
    if not model_path.is_file():
        raise TinyCompressError(f"{model_path}: missing; --accuracy regenerates the firmware from "
                                "the project's model (generate the project with `tinycompress "
                                "firmware MODEL.tflite`)")
    if samples < 1:
        raise TinyCompressError(f"--accuracy must be at least 1 (got {samples})")
    model = parse_tflite(model_path.read_bytes(), str(model_path))
    board = get_board(meta["board"])
    dataset = load_dataset(data)
    label = data if isinstance(data, (str, Path)) else dataset.name
    if len(dataset.x_test) < samples:
        raise TinyCompressError(f"{label}: {len(dataset.x_test)} test samples, fewer than the "
                                f"{samples} asked for with --accuracy")
    vector_bytes = int(meta["input_bytes"]) + int(meta["output_bytes"])
    room = int(board.flash_size * FLASH_SHARE) - int(meta.get("weight_bytes", 0))
    per_batch = max(1, min(samples, room // vector_bytes))
    run_engine = runner or SIMULATORS[engine]

    from .. import progress
    host, device = [], []
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp, progress.step(
            f"{engine}: {samples} test samples on {board.name}, {per_batch} per build",
            samples) as advance:
        for n, start in enumerate(range(0, samples, per_batch)):
            end = min(samples, start + per_batch)
            part = replace(dataset, x_test=dataset.x_test[start:end], y_test=dataset.y_test[start:end])
            out = Path(tmp) / f"batch{n}"
            generate_project(model_path, board.name, out, runtime=meta.get("runtime", "native"),
                             data=part, vectors=end - start, weights=meta.get("weights", "dense"))
            build(out)
            report = run_engine(out, timeout=timeout)
            golden = np.load(out / "golden.npz")["outputs"].astype(np.int8)
            host.append(golden)
            device.append(_device_outputs(report, golden, project_dir))
            advance(end - start)
    host, device = np.concatenate(host), np.concatenate(device)

    specs = output_specs(project_dir)
    task = infer_task(model)
    host_acc = device_acc = None
    if task == "classify":
        labels, first = dataset.y_test[:samples], specs[0]
        host_acc, device_acc = accuracy(first.values(host), labels), accuracy(first.values(device), labels)
    outputs = [{"name": s.name, **output_metrics(s.values(host), s.values(device))} for s in specs]
    return AccuracyReport(board.name, engine, str(label), samples, task, host_acc, device_acc,
                          int(np.sum(np.any(host != device, axis=1))), outputs,
                          batches=-(-samples // per_batch))

"""The golden check explained: where a device output differs from its golden vector, and how
far apart device and host outputs are (the metrics ST's `validate` prints).

The firmware prints, for a failing vector, its output (TC:OUT) and the golden output it
compared it with (TC:EXP), so the explanation holds even when the project's golden.npz and
the firmware disagree (an edited golden.h, a bare ELF). The project's model.tflite gives each
graph output's name, size, scale and zero point, so byte differences are also shown as the
values they stand for.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHOWN = 4          # differing indices shown per output


@dataclass(frozen=True)
class OutputSpec:
    """One graph output inside the firmware's concatenated output bytes (model.h layout)."""
    name: str
    offset: int
    size: int
    scale: float | None = None
    zero_point: int = 0

    @classmethod
    def of(cls, tensor, offset: int = 0) -> "OutputSpec":
        """The spec of a parsed .tflite tensor (tflite_model.Tensor) at `offset`."""
        quant = tensor.quant is not None and len(tensor.quant.scale)
        return cls(tensor.name, offset, int(tensor.size),
                   float(tensor.quant.scale[0]) if quant else None,
                   int(tensor.quant.zero_point[0]) if quant else 0)

    def values(self, flat: np.ndarray) -> np.ndarray:
        """Dequantized float values of this output's int8 bytes (None scale: the raw ints)."""
        q = flat[..., self.offset:self.offset + self.size].astype(np.float64)
        return q if self.scale is None else (q - self.zero_point) * self.scale


def output_specs(project_dir) -> list | None:
    """Each graph output's place and quantization from the project's model.tflite, or None
    when the project has no model (a hand-written test model, a bare ELF)."""
    if project_dir is None:
        return None
    path = Path(project_dir) / "model.tflite"
    if not path.is_file():
        return None
    from ..tflite_model import parse_tflite
    model = parse_tflite(path.read_bytes(), str(path))
    specs, offset = [], 0
    for t in model.output_tensors:
        specs.append(OutputSpec.of(t, offset))
        offset += int(t.size)
    return specs


def describe_difference(expected: bytes, actual: bytes, specs: list | None = None,
                        shown: int = SHOWN) -> str:
    """One line: per output that differs, how many bytes, the first indices, and expected
    against actual as int8 (and as dequantized values when the scale is known)."""
    if len(expected) != len(actual):
        return f"the device gave {len(actual)} output bytes, the golden vector has {len(expected)}"
    e = np.frombuffer(expected, np.int8)
    a = np.frombuffer(actual, np.int8)
    specs = specs if specs and sum(s.size for s in specs) == len(e) else \
        [OutputSpec("output", 0, len(e))]
    parts = []
    for spec in specs:
        es, as_ = e[spec.offset:spec.offset + spec.size], a[spec.offset:spec.offset + spec.size]
        bad = np.flatnonzero(es != as_)
        if not bad.size:
            continue
        ev, av = spec.values(e), spec.values(a)
        items = []
        for i in bad[:shown]:
            item = f"[{i}] expected {int(es[i])} got {int(as_[i])}"
            if spec.scale is not None:
                item += f" ({ev[i]:.4g} vs {av[i]:.4g})"
            items.append(item)
        more = ", ..." if bad.size > shown else ""
        parts.append(f"output '{spec.name}': {bad.size} of {spec.size} bytes differ: "
                     + ", ".join(items) + more)
    return "; ".join(parts) or "outputs equal"


def output_metrics(reference: np.ndarray, device: np.ndarray) -> dict:
    """ST `validate`'s comparison of one output over all samples: RMSE, MAE, L2 relative
    error (||ref - dev|| / ||ref||) and cosine similarity of the flattened values."""
    r = np.asarray(reference, np.float64).reshape(-1)
    d = np.asarray(device, np.float64).reshape(-1)
    diff = r - d
    norm_r, norm_d = np.linalg.norm(r), np.linalg.norm(d)
    l2r = float(np.linalg.norm(diff) / norm_r) if norm_r else float(np.linalg.norm(diff) > 0)
    cosine = float(r @ d / (norm_r * norm_d)) if norm_r and norm_d else float(norm_r == norm_d)
    return {"rmse": float(np.sqrt(np.mean(diff ** 2))), "mae": float(np.mean(np.abs(diff))),
            "l2r": l2r, "cosine": cosine}


def explain_failures(report, project_dir=None):
    """Fill `detail` of every failing vector that printed its output: against the golden
    output the firmware printed (TC:EXP), else the project's golden.npz."""
    failing = [v for v in report.vectors if not v.passed and v.output is not None]
    if not failing:
        return report
    specs = output_specs(project_dir)
    golden = None
    if project_dir is not None and (Path(project_dir) / "golden.npz").is_file():
        golden = np.load(Path(project_dir) / "golden.npz")["outputs"]
    for v in failing:
        expected = v.expected
        if expected is None and golden is not None and v.index < len(golden):
            expected = golden[v.index].astype(np.int8).tobytes()
        if expected is not None:
            v.detail = describe_difference(expected, v.output, specs)
    return report

"""A hand-written stand-in model (tests/fixtures/fw_tiny: add 3, then negate, int8 saturating)
for firmware tests that exercise board code, build and simulate without the native codegen."""
import re
import shutil
from pathlib import Path

import numpy as np

from tinycompress.firmware.boards import BOARDS
from tinycompress.firmware.project import write_project

FIXTURE = Path(__file__).parent / "fixtures" / "fw_tiny"


def reference(x: np.ndarray) -> np.ndarray:
    added = np.clip(x.astype(np.int32) + 3, -128, 127)
    return np.clip(-added, -128, 127).astype(np.int8)


def tiny_project(out_dir, board="mps2-an386", vectors=3, seed=0, arena_bytes=16,
                 reported_arena=None, wrong_vector=None):
    """Write a project for the stand-in model; `wrong_vector` corrupts one golden output."""
    rng = np.random.default_rng(seed)
    inputs = [rng.integers(-128, 128, 16).astype(np.int8) for _ in range(vectors)]
    outputs = [reference(x) for x in inputs]
    if wrong_vector is not None:
        outputs[wrong_vector] = outputs[wrong_vector].copy()
        outputs[wrong_vector][5] ^= 1

    def write_model(src):
        shutil.copy2(FIXTURE / "model.c", src / "model.c")
        header = (FIXTURE / "model.h").read_text()
        (src / "model.h").write_text(header.replace("#define TC_ARENA_BYTES  16",
                                                    f"#define TC_ARENA_BYTES  {arena_bytes}"))
        return {"arena_bytes": arena_bytes if reported_arena is None else reported_arena,
                "weight_bytes": 0, "layers": [{"name": "add3"}, {"name": "negate"}]}

    return write_project(out_dir, BOARDS[board], write_model, [x.tobytes() for x in inputs],
                         [y.tobytes() for y in outputs], model_name="fw_tiny")


def alter_golden_output(project, vector):
    """Flip one bit of golden output `vector` in a generated project's src/golden.h (what the
    firmware compares with): a firmware that must report a mismatch. Rebuild afterwards."""
    golden = project / "src" / "golden.h"
    head, outputs = golden.read_text().split("tc_golden_outputs", 1)
    rows = outputs.split("{\n        ")
    rows[vector + 1] = re.sub(r"-?\d+", lambda m: str(int(m[0]) ^ 1), rows[vector + 1], count=1)
    golden.write_text(head + "tc_golden_outputs" + "{\n        ".join(rows))

"""The one place that says where the shared developer assets are.

Beside a checkout of this repository, `../shared` may hold real TFLite-Micro trees
(`tflm/`), a Renode build (`renode/`) and TFLM's baseline figures (`baselines/`). Tests,
CI and the benchmarks in tools/ find them only through `shared_path()`. The location is
`$TINYCOMPRESS_SHARED` when set, else `../shared` next to the repository root. A user's
checkout or an installed package usually has no such folder: callers then skip (tests) or
stop with one clear line (tools), and name `ENV` in the reason.
"""
import os
from pathlib import Path

ENV = "TINYCOMPRESS_SHARED"
REPO_ROOT = Path(__file__).resolve().parents[1]

# Sub-folders with a meaning of their own, named once.
BASELINE = "baselines/tflm-qemu-mps2-an386"
BASELINE_MODELS = BASELINE + "/models"
TFLM_TREES = {"ref": "tflm/cortex-m4+fp-ref", "cmsis_nn": "tflm/cortex-m4+fp-cmsis_nn"}
RENODE = "renode"


def shared_root() -> Path:
    """The configured shared folder (it may not exist)."""
    configured = os.environ.get(ENV)
    return Path(configured).expanduser() if configured else REPO_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path | None:
    """`shared_root()/parts...` when it exists, else None."""
    path = shared_root().joinpath(*parts)
    return path if path.exists() else None


def missing_reason(*parts: str) -> str:
    """Why something under the shared folder is not available: one line, naming the knob."""
    where = shared_root().joinpath(*parts)
    return f"{where} not present (set {ENV} to the folder holding tflm/, renode/, baselines/)"


def require(path, what: str, option: str = "") -> Path:
    """For tools: `path` when it exists, else exit 1 with one line naming it, the option that
    sets it and the shared folder's variable."""
    path = Path(path)
    if not path.exists():
        how = f"give {option} or " if option else ""
        raise SystemExit(f"error: {path}: {what} not found; {how}set {ENV} to the folder "
                         "holding tflm/, renode/, baselines/")
    return path

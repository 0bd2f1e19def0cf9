"""`tinycompress ci-template`: a GitHub Actions workflow for a user's repository that runs a
recipe, builds the firmware for a board Renode models and checks the golden vectors with the
generated .robot in Antmicro's renode-test-action, keeping the logs as artifacts.

Rendered from templates/ci/github-workflow.yml.tmpl.
"""
from __future__ import annotations

from pathlib import Path

from .ctext import render
from .errors import TinyCompressError
from .fileio import write_text
from .firmware.boards import get_board

TEMPLATE = Path(__file__).parent / "templates" / "ci" / "github-workflow.yml.tmpl"
RENODE_REVISION = "v1.16.0"    # the first release with SSUB8+SEL right (the DSP max)
OUT = "out/ci"                 # where the workflow's run writes, in the user's checkout


def render_workflow(recipe: str, board: str, renode: str = RENODE_REVISION,
                    install: str = "tinycompress", vectors: int = 10) -> str:
    """The workflow text; raises for a board Renode cannot run."""
    from .simulate.renode import renode_unsupported
    row = get_board(board)
    if why := renode_unsupported(row):
        raise TinyCompressError(f"--board {board}: {why}; choose a board that `tinycompress boards` "
                                "shows with a Renode platform")
    return render(
        TEMPLATE, recipe=recipe, board=row.name, renode=renode, install=install, vectors=vectors,
        out=OUT, firmware=f"{OUT}/renode-firmware", results=f"{OUT}/renode-results")


def write_workflow(path, **options) -> Path:
    path = Path(path)
    write_text(path, render_workflow(**options))
    return path

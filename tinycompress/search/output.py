"""What a search writes into its output folder, each file whole or not at all (fileio):
trials.csv and trials.json (every trial), front.png (the Pareto front against the others),
report.md (the front table, the best configuration, the failures) and best.toml (the best
configuration that fits, as a recipe `tinycompress run` takes)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..fileio import atomic_file, write_text
from ..report import _fmt_metric
from .pareto import limits_failed
from .space import describe

CSV_FIGURES = ("status", "metric", "quality", "flash", "ram", "instructions", "fits", "seconds",
               "error")


def _num(value) -> str:
    return "-" if value is None else f"{value:,}"


def _quality(rec) -> str:
    return _fmt_metric(rec.get("metric"), rec.get("quality"))


def front_table(front: list, caps: dict) -> str:
    """The front as a Markdown table (readable as plain text too)."""
    head = ["trial", "settings", "quality", "flash B", "RAM B", "instructions", "QEMU", "fits"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in front:
        over = limits_failed(r, caps)
        cells = [r["index"], describe(r["settings"]), f"{r.get('metric', '')} {_quality(r)}",
                 _num(r["flash"]), _num(r["ram"]), _num(r.get("instructions")),
                 r.get("verified") or "-", "yes" if not over else "no: " + "; ".join(over)]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def _csv_text(records: list, dims: list) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["trial", *dims, *CSV_FIGURES])
    for r in records:
        writer.writerow([r["index"], *(r["settings"].get(d, "") for d in dims),
                         *("" if r.get(k) is None else r.get(k) for k in CSV_FIGURES)])
    return buf.getvalue()


def plot_front(records: list, front: list, path: Path, title: str):
    """Quality against flash: every finished trial, the front's members joined and labelled."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ok = [r for r in records if r["status"] == "ok"]
    scale = 100 if any(r.get("metric") == "accuracy" for r in ok) else 1
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    others = [r for r in ok if r not in front]
    if others:
        ax.plot([r["flash"] / 1024 for r in others], [r["quality"] * scale for r in others], "o",
                color="tab:gray", alpha=0.6, label="other trials")
    if front:
        pts = sorted(front, key=lambda r: r["flash"])
        ax.plot([r["flash"] / 1024 for r in pts], [r["quality"] * scale for r in pts], "o-",
                color="tab:red", label="Pareto front (accuracy, flash, RAM)")
        for r in pts:
            ax.annotate(str(r["index"]), (r["flash"] / 1024, r["quality"] * scale),
                        textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xlabel("flash (KiB, built firmware)")
    ax.set_ylabel("top-1 accuracy (%)" if scale == 100 else "quality")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if ok:
        ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    with atomic_file(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


def render_report(summary: dict, front: list, records: list, caps: dict) -> str:
    s = summary
    lines = [f"# Search: {s['recipe']} on {s['board']}", "",
             f"{s['trials']} trials ({s['failed']} failed), caps: flash {_num(caps['flash'])} B, "
             f"RAM {_num(caps['ram'])} B"
             + (f", instructions {_num(caps['instructions'])}" if caps.get("instructions") else "")
             + f". Seed {s['seed']}, {s['epochs_note']}.", "",
             "Flash and RAM are the built firmware's (arm-none-eabi-gcc, one golden vector in "
             "flash); quality is the int8 model's in the TFLM host interpreter; instructions per "
             "inference are QEMU's (-icount), measured for the front's members only.", ""]
    if s.get("best"):
        b = s["best"]
        lines += ["## Best configuration that fits", "",
                  f"Trial {b['index']}: {describe(b['settings'])}: {b.get('metric')} "
                  f"{_quality(b)}, flash {_num(b['flash'])} B, RAM {_num(b['ram'])} B, "
                  f"instructions {_num(b.get('instructions'))}. Recipe: `best.toml` "
                  f"(`tinycompress run best.toml`).", ""]
    else:
        lines += ["## No configuration fits", "", s["verdict"], ""]
    lines += [f"## Pareto front ({s['front_of']})", "", front_table(front, caps), ""]
    failed = [r for r in records if r["status"] != "ok"]
    if failed:
        lines += ["## Failed trials", ""] + [f"- trial {r['index']} ({describe(r['settings'])}): "
                                             f"{r['error']}" for r in failed] + [""]
    lines += ["## Files", "", "- `trials.csv`, `trials.json`: every trial",
              "- `front.png`: quality against flash", "- `tune/`: Ray Tune's experiment "
              "(rerun the same command to resume it)", ""]
    return "\n".join(lines)


def write_outputs(out: Path, summary: dict, front: list, records: list, caps: dict, dims: list,
                  best_recipe: str | None) -> list:
    out = Path(out)
    write_text(out / "trials.csv", _csv_text(records, dims))
    public = [{k: v for k, v in r.items() if k != "files"} for r in records]
    write_text(out / "trials.json", json.dumps({"summary": summary, "trials": public},
                                               indent=2, default=str) + "\n")
    plot_front(records, front, out / "front.png", f"{summary['recipe']} on {summary['board']}")
    write_text(out / "report.md", render_report(summary, front, records, caps))
    names = ["trials.csv", "trials.json", "front.png", "report.md"]
    if best_recipe is not None:
        write_text(out / "best.toml", best_recipe)
        names.append("best.toml")
    elif (out / "best.toml").exists():
        (out / "best.toml").unlink()     # a stale best from an earlier finish
    return names

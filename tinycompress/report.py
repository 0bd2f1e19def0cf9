"""The run report: report.json (everything), report.md (a table per stage) and report.png
(quality against size). matplotlib renders off-screen (Agg), so no display is needed."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, is_dataclass
from pathlib import Path

from .deploy import short_name

METRIC_LABELS = {"accuracy": "top-1 accuracy", "auc": "anomaly AUC",
                 "reconstruction_mse": "reconstruction MSE"}


def _fmt_metric(metric, value, missing: str = "-", digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{100 * value:.2f} %" if metric == "accuracy" else f"{value:.{digits}g}"


def _row(r):
    return asdict(r) if is_dataclass(r) else dict(r)


def render_table(rows) -> str:
    """A Markdown table (also readable as plain text) of quality and size after each stage."""
    head = ["stage", "metric", "value", "params", "sparsity", "max unique/ch", "bytes",
            "gzip bytes", "note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in map(_row, rows):
        cells = [r["stage"], r["metric"], _fmt_metric(r["metric"], r["value"]),
                 r.get("params") if r.get("params") is not None else "-",
                 "-" if r.get("sparsity") is None else f"{100 * r['sparsity']:.1f} %",
                 r.get("max_unique") if r.get("max_unique") is not None else "-",
                 r.get("bytes") if r.get("bytes") is not None else "-",
                 r.get("gzip_bytes") if r.get("gzip_bytes") is not None else "-",
                 (r.get("note") or "").replace("|", "/")]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def render_robustness(rob: dict, heading: bool = True) -> str:
    """The robustness table (evaluate.robustness_table): rows sigma, columns the models."""
    models, metric = rob["models"], rob["metric"]
    label = METRIC_LABELS.get(metric, metric)
    lines = [f"## Robustness: {label} under Gaussian input noise", ""] if heading else []
    int8 = (" The int8 model runs in the TFLM host interpreter; its inputs saturate at the "
            "int8 range." if any("int8" in m for m in models) else "")
    lines += [f"Noise N(0, sigma) in input units added to {rob['samples']} test samples (seed "
              f"{rob['seed']}); every model sees the same noisy inputs.{int8}", "",
              "| sigma | " + " | ".join(models) + " |", "|" + "---|" * (len(models) + 1)]
    for row in rob["rows"]:
        lines.append(f"| {row['sigma']:g} | "
                     + " | ".join(_fmt_metric(metric, row[m]) for m in models) + " |")
    return "\n".join(lines)


def render_evaluation(ev) -> str:
    """What `tinycompress evaluate` prints for an evaluate.FileEvaluation."""
    shown = ", ".join(f"{k} {_fmt_metric(k, v, 'n/a', 5)}" for k, v in ev.metrics.items())
    lines = [f"model        {ev.source} ({ev.kind}, {ev.task})",
             f"metrics      {shown} on {ev.samples} test samples",
             f"size         {ev.file_bytes} B file ({ev.gzip_bytes} B gzipped); weights "
             f"{ev.weight_bytes} B ({ev.weight_gzip_bytes} B gzipped), {ev.params} params",
             f"sparsity     {100 * ev.sparsity:.1f} % over the weight tensors", "",
             "weight tensor sparsity, unique values (whole tensor / max per channel)"]
    width = max((len(w.name) for w in ev.weights), default=4)
    for w in ev.weights:
        lines.append(f"  {w.name:<{width}}  {'x'.join(map(str, w.shape)):>12}  "
                     f"{100 * w.sparsity:5.1f} %  {w.unique:>6} / {w.unique_per_channel}")
    if ev.robustness:
        lines += ["", render_robustness(ev.robustness, heading=False)]
    return "\n".join(lines) + "\n"


def _is_tflite(row) -> bool:
    return "tflite" in row["stage"]


def _device_points(rows, firmware) -> list:
    """(label, bytes, value, metric) for the device's flash: the model's constants and the
    whole firmware image, at the int8 .tflite's quality (the device's outputs are TFLM's)."""
    gen, b = (firmware or {}).get("generate") or {}, (firmware or {}).get("build") or {}
    int8 = [r for r in rows if _is_tflite(r) and "int8" in r["stage"]]
    if not int8 or not gen.get("weight_bytes"):
        return []
    r = int8[-1]
    fmt = (firmware or {}).get("weights", "dense")
    points = [(f"device weights ({fmt})", gen["weight_bytes"], r["value"], r["metric"])]
    if b.get("flash_used"):
        points.append(("firmware image", b["flash_used"], r["value"], r["metric"]))
    return points


def plot(rows, path: Path, title: str, firmware=None):
    """Quality against size, one point per stage (log size axis): gzipped Keras weights and
    .tflite files, then the device's flash (model constants, whole image) when deployed."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker  # noqa: F401  (matplotlib.ticker below)
    import numpy as np

    rows = [_row(r) for r in rows if _row(r).get("gzip_bytes") and _row(r).get("value") is not None]
    device = _device_points(rows, firmware)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    by_metric = {}
    for r in rows:
        by_metric.setdefault(r["metric"], []).append(r)
    for metric, group in by_metric.items():
        scale = 100 if metric == "accuracy" else 1
        xs = [r["gzip_bytes"] / 1024 for r in group]
        ys = [r["value"] * scale for r in group]
        label = METRIC_LABELS.get(metric, metric)
        # The Keras stages are one path (each builds on the last); the .tflite files are
        # separate artifacts, so they are points, not a continuation of that line.
        for kind, style in (("Keras stages", "o-"), (".tflite files", "s")):
            pts = [(x, y) for r, x, y in zip(group, xs, ys) if _is_tflite(r) == (kind != "Keras stages")]
            if pts:
                ax.plot(*zip(*pts), style, label=f"{label}: {kind}")
        span = (max(ys) - min(ys)) or 1.0
        placed = []
        for r, x, y in zip(group, xs, ys):
            # stages that land on the same spot (e.g. qat and int8 tflite) get stacked labels
            near = sum(abs(np.log10(x / px)) < 0.08 and abs(y - py) < 0.04 * span
                       for px, py in placed)
            placed.append((x, y))
            ax.annotate(r["stage"], (x, y), textcoords="offset points",
                        xytext=(4, 4 - 11 * near), fontsize=8)
    for label, size, value, metric in device:
        y = value * (100 if metric == "accuracy" else 1)
        ax.plot([size / 1024], [y], "^", color="tab:red")
        ax.annotate(label, (size / 1024, y), textcoords="offset points", xytext=(4, -12), fontsize=8)
    if device:
        ax.plot([], [], "^", color="tab:red", label="device flash (same outputs as int8 .tflite)")
    ax.set_xscale("log")
    plain = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")   # 20, not 2x10^1
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(plain)
    ax.set_xlabel("size (KiB): gzipped Keras weights and .tflite" + ("; device flash" if device else ""))
    ax.set_ylabel(" / ".join(METRIC_LABELS.get(m, m) + (" (%)" if m == "accuracy" else "")
                             for m in by_metric) or "metric")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    if by_metric:
        ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _pct(used, size) -> str:
    return f"{100 * used / size:.1f} %" if size else "-"


def _num(value, digits=0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def tflm_arena_phrase(fw: dict) -> str:
    """TFLM's arena for the same model, saying where the figure comes from."""
    device = fw.get("tflm_device")
    if device and device.get("arena_used") is not None:
        return (f"TFLM's arena for the same model, arena_used_bytes() measured on the device: "
                f"{_num(device['arena_used'])} B ({device.get('tflm_lib')} library)")
    return (f"TFLM host interpreter's arena for the same model (64-bit host, not measured on "
            f"the device; set TFLM_DIR to measure it): {_num((fw.get('generate') or {}).get('host_arena_bytes'))} B")


def _verdict(fw: dict) -> str:
    sim = fw.get("simulate")
    if fw.get("failure"):
        return f"FAIL ({fw['failure']})"
    if sim:
        return f"PASS {sim['passed']}/{sim['total']} golden vectors bit-exact"
    return "built (not simulated)" if fw.get("build") else "generated"


def firmware_summary_lines(fw: dict) -> list:
    """A few lines for the terminal after `tinycompress run`."""
    out = [f"firmware on {fw.get('board')}: {_verdict(fw)}"]
    b, sim = fw.get("build"), fw.get("simulate")
    if b:
        out.append(f"  flash {b['flash_used']:,} / {b['flash_size']:,} B "
                   f"({_pct(b['flash_used'], b['flash_size'])}), RAM {b['ram_used']:,} / "
                   f"{b['ram_size']:,} B ({_pct(b['ram_used'], b['ram_size'])})")
    if sim and sim.get("total"):
        per_mac = sim.get("instructions_per_mac")
        out.append(f"  {sim['instructions_per_inference']:,.0f} instructions per inference"
                   + (f" ({per_mac:.2f} per MAC)" if per_mac else "")
                   + f"; energy {sim['energy_uj_per_inference_estimate']:.2f} uJ per inference "
                     f"(estimate, {fw.get('energy_nj_per_cycle_estimate')} nJ/cycle)")
    return out


def _runtime_description(name) -> str:
    from .firmware.project import RUNTIMES
    return RUNTIMES[name].description if name in RUNTIMES else "unknown runtime"


def render_firmware(fw: dict) -> list:
    """The report.md section for the firmware steps (lines)."""
    from .firmware.build import FLASH_SECTIONS, RAM_SECTIONS
    gen, b, sim = fw.get("generate") or {}, fw.get("build"), fw.get("simulate")
    lines = [f"## Firmware on {fw.get('board')}", "",
             f"{fw.get('cpu')}{' + ' + fw['fpu'] if fw.get('fpu') else ''}, "
             f"{fw.get('runtime')} runtime ({_runtime_description(fw.get('runtime'))}), "
             f"arm-none-eabi-gcc {fw.get('opt')}; project folder `{fw.get('project')}/`.", "",
             f"**{_verdict(fw)}**" + (" against the TFLM host interpreter, in QEMU "
                                     "(`-icount shift=0`)." if sim else ""), ""]
    if gen:
        weighted = [layer for layer in fw.get("layers", []) if "weight_bytes" in layer]
        if weighted:
            used = sum(layer["weight_bytes"] for layer in weighted)
            dense = sum(layer["dense_weight_bytes"] for layer in weighted)
            formats = ", ".join(sorted({layer["weights"] for layer in weighted}))
            lines += [f"- weight format `{fw.get('weights', 'dense')}` ({formats}): conv/FC weights "
                      f"{used:,} B in flash instead of {dense:,} B dense ({used / dense:.3f}x, "
                      f"{dense - used:,} B saved), decoded inside the kernels"]
        lines += [f"- golden vectors: {gen.get('vector_source')}",
                  f"- weights and constants in flash: {_num(gen.get('weight_bytes'))} B; "
                  f"activation arena (static plan): {_num(gen.get('arena_bytes'))} B, "
                  + tflm_arena_phrase(fw), ""]
    if b:
        lines += ["### Memory against the board", "", "| section | bytes | region |", "|---|---|---|"]
        for name, size in b["sections"].items():
            region = " + ".join(r for r, names in (("flash", FLASH_SECTIONS), ("RAM", RAM_SECTIONS))
                                if name in names) or "-"
            lines.append(f"| {name} | {size:,} | {region} |")
        weights, golden = gen.get("weight_bytes") or 0, gen.get("golden_bytes") or 0
        lines += ["", f"- flash: {b['flash_used']:,} of {b['flash_size']:,} B "
                  f"({_pct(b['flash_used'], b['flash_size'])}): weights and constants "
                  f"{weights:,} B, golden vectors {golden:,} B, runtime + harness + board code "
                  f"{max(0, b['flash_used'] - weights - golden):,} B",
                  f"- RAM: {b['ram_used']:,} of {b['ram_size']:,} B "
                  f"({_pct(b['ram_used'], b['ram_size'])}; stack included)", ""]
    if sim and sim.get("total"):
        per_mac = sim.get("instructions_per_mac")
        lines += ["### Instructions and energy", "",
                  f"- {sim['instructions_per_inference']:,.0f} instructions per inference "
                  f"(mean over {sim['total']} vectors; SysTick ticks x {sim['insns_per_tick']:g} "
                  "instructions per tick under QEMU `-icount shift=0`)"
                  + (f", {per_mac:.2f} instructions per MAC over {gen.get('macs'):,} MACs"
                     if per_mac else ""),
                  f"- energy per inference: **{sim['energy_uj_per_inference_estimate']:.3f} uJ "
                  f"(estimate)**: one cycle per instruction x "
                  f"{fw.get('energy_nj_per_cycle_estimate')} nJ/cycle; "
                  f"{fw.get('energy_source')}", ""]
    layers = [l for l in fw.get("layers", []) if l.get("instructions") is not None]
    if layers:
        total = sum(l["instructions"] for l in layers)
        lines += ["### Per layer (vector 0)", "",
                  "| # | layer | op | MACs | instructions | instructions/MAC | share |",
                  "|---|---|---|---|---|---|---|"]
        for l in layers:
            lines.append(f"| {l['index']} | {l.get('layer') or short_name(l['name'])} | {l['op']} | {l['macs']:,} | "
                         f"{l['instructions']:,.0f} | "
                         f"{_num(l['instructions_per_mac'], 2)} | "
                         f"{_pct(l['instructions'], total)} |")
        macs = sum(l["macs"] for l in layers)
        lines += [f"| | total | | {macs:,} | {total:,.0f} | "
                  f"{f'{total / macs:.2f}' if macs else '-'} | |", "",
                  "Layer names are the Keras layers; report.json has the TFLite tensor names. "
                  "MACs of pooling and softmax count their element operations.", ""]
    if sim and sim.get("fault"):
        lines += [f"- HardFault: `{sim['fault']}`", ""]
    if sim and sim.get("layer_diff"):
        lines += [f"- first differing layer: {sim['layer_diff']}", ""]
    return lines


def render_summary(result) -> str:
    """What `tinycompress run` prints: the stage table, robustness and firmware lines."""
    text = (f"{result.recipe}: {len(result.artifacts)} artifacts in {result.out_dir} "
            f"({result.seconds:.0f} s)\n" + render_table(result.rows))
    if result.robustness:
        text += "\n\n" + render_robustness(result.robustness, heading=False)
    if result.firmware:
        text += "\n" + "\n".join(firmware_summary_lines(result.firmware))
    return text


def render_markdown(d: dict) -> str:
    """report.md from the run's dict (RunResult.to_dict())."""
    lines = [f"# tinycompress run: {d['recipe']}", "",
             f"Output folder `{d['out_dir']}`, {d['seconds']:.0f} s.", "",
             "## Quality and size after each stage", "", render_table(d["rows"]), "",
             "![accuracy against size](report.png)", ""]
    c = d.get("convert")
    if c:
        lines += ["## int8 conversion", "",
                  f"- int8 .tflite: {c['int8_tflite_bytes']} B ({c['int8_gzip_bytes']} B gzipped), "
                  f"sha256 `{c['sha256']}`",
                  f"- calibrated on {c['representative_samples']} training samples, scored on "
                  f"{c['test_samples']} test samples in the TFLM host interpreter",
                  f"- TFLM arena (host interpreter, 64-bit; the device needs less): {c['arena_bytes']} B", ""]
    if (d.get("extra") or {}).get("robustness"):
        lines += [render_robustness(d["extra"]["robustness"]), ""]
    if (d.get("extra") or {}).get("firmware"):
        lines += render_firmware(d["extra"]["firmware"])
    warnings = [w for s in d.get("stages", []) for w in s.get("warnings", [])]
    if warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in warnings] + [""]
    lines += ["## Artifacts", ""] + [f"- `{a}`" for a in d["artifacts"]] + [""]
    return "\n".join(lines)


def write_reports(folder, result) -> list:
    """Write report.json, report.md and report.png into `folder`; returns their names."""
    folder = Path(folder)
    names = ["report.json", "report.md", "report.png"]
    plot(result.rows, folder / "report.png", f"{result.recipe}: quality vs size",
         firmware=getattr(result, "firmware", None))
    d = result.to_dict()
    d["artifacts"] = d["artifacts"] + names
    (folder / "report.json").write_text(json.dumps(d, indent=2, default=str) + "\n")
    (folder / "report.md").write_text(render_markdown(d))
    return names

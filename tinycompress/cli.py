"""The `tinycompress` command line: one thin command per stage over the library functions.

TensorFlow is imported inside the commands that need it, so `--help` answers at once.
A TinyCompressError is printed on one line without a traceback and exits with status 1;
click's usage errors exit with 2.
"""
import sys

import click

from . import __version__
from .convert import ConvertSection
from .deploy import FirmwareSection
from .errors import TinyCompressError
from .evaluate import DEFAULT_SEED, DEFAULT_SIGMAS
from .export import ExportSection
from .flash import DEFAULT_BAUD, UART_TIMEOUT


class _Group(click.Group):
    """A click group that turns user errors into one line and exit status 1, and gives every
    command the shared -v and -q options.

    Operating-system errors on a path (unwritable place, name too long, disk full) are user
    errors too: one line naming the path. Each command records the files it reads, so that
    none of its outputs can replace one of them (fileio.command_scope).
    """

    def add_command(self, cmd, name=None):
        for option in EXPOSED_TO_LOG:
            if not any(p.name == option for p in cmd.params):
                flags, kwargs = SHARED[option]
                cmd.params.append(click.Option(flags, **kwargs, callback=_remember,
                                               expose_value=False))
        super().add_command(cmd, name)

    def invoke(self, ctx):
        from .fileio import command_scope, os_error_message
        try:
            with command_scope():
                return super().invoke(ctx)
        except (TinyCompressError, OSError) as exc:
            if (ctx.obj or {}).get("verbose", 0) > 1:
                raise
            message = os_error_message(exc) if isinstance(exc, OSError) else exc
            click.echo(f"error: {message}", err=True)
            ctx.exit(1)
        finally:
            from . import progress
            progress.enable(False)      # the library is quiet again after the command


# --- options every command shares -----------------------------------------------------------
# Declared once; each is accepted before the command name (on the group) and after it:
# `tinycompress -v inspect m` is `tinycompress inspect m -v`. The value lands in ctx.obj of
# the root context, where the command-side option reads it when it was not given there.

SHARED = {   # name -> (flags, click keyword arguments)
    "verbose": (("-v", "--verbose"), dict(count=True, help="More detail (-vv also shows "
                                                           "tracebacks).")),
    "quiet": (("-q", "--quiet"), dict(is_flag=True, default=None,
                                      help="No progress messages or bars.")),
    "as_json": (("--json", "as_json"), dict(is_flag=True, default=None,
                                            help="Print the report as JSON (stdout only).")),
    "data_source": (("--data", "data_source"), dict(
        help="Data: digits, mnist, fashion_mnist, cifar10, zoo:NAME or an .npz file.")),
    "output": (("-o", "--output"), dict(help="Where to write.")),
}
EXPOSED_TO_LOG = ("verbose", "quiet")     # read through ctx.obj (log, progress), not arguments


def _remember(ctx, param, value):
    """Merge a shared option given on the group and/or the command into the root ctx.obj."""
    obj = ctx.find_root().ensure_object(dict)
    if param.name == "quiet":       # progress bars on stderr unless -q (before or after)
        from . import progress
        progress.enable(not (value or obj.get("quiet")))
    if param.count:
        obj[param.name] = obj.get(param.name, 0) + (value or 0)
    elif value is not None:
        obj[param.name] = value
    value = obj.get(param.name)
    if getattr(param, "required_shared", False) and value is None and not ctx.resilient_parsing:
        raise click.MissingParameter(ctx=ctx, param=param)
    return value


def shared(name, required=False, **overrides):
    """The shared option `name` on a command; `overrides` adjust its help (or default)."""
    flags, kwargs = SHARED[name]
    kwargs = {**kwargs, **overrides, "callback": _remember,
              "expose_value": name not in EXPOSED_TO_LOG}
    if required:
        kwargs["help"] = kwargs["help"] + "  [required]"

    def decorate(fn):
        fn = click.option(*flags, **kwargs)(fn)
        opt = fn.__click_params__[-1]
        opt.required_shared = required
        return fn
    return decorate


def _group_options(fn):
    for name in reversed(list(SHARED)):
        flags, kwargs = SHARED[name]
        fn = click.option(*flags, **{**kwargs, "callback": _remember, "expose_value": False})(fn)
    return fn


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@_group_options
@click.version_option(__version__, prog_name="tinycompress")
@click.pass_context
def cli(ctx):
    """Compress Keras models, convert them to int8 TFLite and run them on Cortex-M."""
    ctx.ensure_object(dict)


def log(ctx, message, level=1):
    """Print progress to stderr when the user asked for at least `level` verbosity (0: always,
    unless -q)."""
    obj = ctx.find_root().obj or {}
    if not obj.get("quiet") and obj.get("verbose", 0) >= level:
        click.echo(message, err=True)


# --- commands ------------------------------------------------------------------------------
# Each command imports its stage inside its body (TensorFlow loads only when needed).


def _emit_json(data):
    import json
    click.echo(json.dumps(data, indent=2, default=str))


@cli.command()
@click.argument("model")
@shared("data_source", required=True)
@shared("output", required=True, help="The int8 .tflite to write.")
@click.option("--samples", default=ConvertSection.representative_samples, show_default=True, type=click.IntRange(min=1),
              help="Representative training samples for int8 calibration.")
@click.option("--float-output", default=None, help="Also write the float32 .tflite here.")
@shared("as_json")
@click.pass_context
def convert(ctx, model, data_source, output, samples, float_output, as_json):
    """Convert a Keras MODEL to a full-integer int8 .tflite (int8 input and output).

    Calibrates on training data, checks that no float tensor remains, runs the result in
    the TFLite-Micro host interpreter and reports its accuracy on the test set.
    """
    from .convert import convert_to_int8
    report = convert_to_int8(model, data_source, output, representative_samples=samples,
                             float_out_path=float_output, log=lambda m: log(ctx, m, 1))
    _emit_json(report.to_dict()) if as_json else click.echo(report.summary())


@cli.command(name="inspect")
@click.argument("model")
@shared("as_json")
@click.option("--no-tflm", is_flag=True, help="Skip the TFLM host run (no arena figure).")
def inspect_cmd(model, as_json, no_tflm):
    """Show a .tflite MODEL: ops, layers with MACs, tensors, sizes, TFLM arena, op support."""
    from .inspect import inspect_model
    report = inspect_model(model, run_tflm=not no_tflm)
    _emit_json(report.to_dict()) if as_json else click.echo(report.to_text(), nl=False)


@cli.command()
@click.argument("model")
@shared("output", required=True, help="The C header to write (model_data.h).")
@click.option("--name", default=ExportSection.name, show_default=True, help="C name of the array.")
@click.option("--source", is_flag=True, help="Write an .h/.cc pair: declarations in the header, "
                                              "the array in the .cc beside it.")
def export(model, output, name, source):
    """Export an int8 .tflite MODEL as a C array (16-byte aligned) with I/O constants."""
    from .export import export_c
    report = export_c(model, output, name=name, source=source)
    written = report.header + (f" and {report.source}" if report.source else "")
    click.echo(f"{written}: {report.name}[{report.model_bytes}] sha256 {report.sha256}")
    if not report.source:
        from .export import implementation_macro
        click.echo(f"define {implementation_macro(report.name)} in exactly one C/C++ file before "
                   "including it (it holds the array there); other files just include it")


@cli.command()
@click.argument("recipe")
@shared("output", help="Output folder (default: out/<recipe name>).")
@shared("as_json")
@click.pass_context
def run(ctx, recipe, output, as_json):
    """Run every stage a RECIPE (.toml) names into one output folder.

    Writes model.keras, compressed.keras, model_float.tflite, model_int8.tflite,
    model_data.h, report.json, report.md and report.png. With a [firmware] section it also
    generates, builds and runs the firmware in QEMU (firmware/): exits 1 after writing the
    report when a golden vector differs, the firmware faults or hangs, or the build fails.
    """
    from .recipe import load_recipe
    from .run import run_recipe
    result = run_recipe(load_recipe(recipe), output, log=lambda m: log(ctx, m, 0))
    _emit_json(result.to_dict()) if as_json else click.echo(result.summary())
    if result.failure:     # a mismatch, fault, hang or failed build: the report says which
        raise TinyCompressError(f"{recipe}: {result.failure} (report in {result.out_dir}/report.md)")


# --- evaluate (owner: EVAL) ---


def _parse_noise(ctx, param, value):
    """--noise 0.05,0.1 -> [0.05, 0.1]; 'none' or '' -> [] (no robustness table)."""
    if value is None:
        return None
    if value.strip().lower() in ("", "none"):
        return []
    try:
        return [float(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{value!r}: give comma-separated numbers, e.g. 0.05,0.1",
                                 ctx=ctx, param=param) from None


@cli.command(name="evaluate")
@click.argument("model")
@shared("data_source", required=True)
@click.option("--noise", callback=_parse_noise, show_default=True,
              default=",".join(str(s) for s in DEFAULT_SIGMAS if s),
              help="Gaussian noise sigmas in input units for the robustness table (0 is always "
                   "added as the clean baseline; 'none' skips it).")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, type=int,
              help="Seed of the noise draw.")
@click.option("--samples", default=None, type=click.IntRange(min=1),
              help="Score only the first N test samples.")
@shared("as_json")
def evaluate_cmd(model, data_source, noise, seed, samples, as_json):
    """Evaluate a Keras MODEL (.keras/.h5) or an int8 .tflite on the test split of --data.

    Prints the task metric (top-1 accuracy, or reconstruction MSE and anomaly AUC for
    autoencoders; int8 models run in the TFLM host interpreter), sizes (file, gzipped,
    weight bytes), sparsity and unique values per weight tensor, and the metric under
    Gaussian input noise.
    """
    from .evaluate import evaluate_file
    report = evaluate_file(model, data_source, noise=noise, seed=seed, samples=samples)
    _emit_json(report.to_dict()) if as_json else click.echo(report.to_text(), nl=False)


# --- zoo and compress commands (owner: COMPRESS) ---


@cli.group(cls=_Group)
def zoo():
    """The model zoo: a digits CNN and the MLPerf Tiny reference models."""


@zoo.command(name="list")
@shared("as_json", help="Print the table as JSON.")
def zoo_list(as_json):
    """List the zoo models, their data and default training epochs."""
    from .zoo import ZOO
    rows = [{"name": e.name, "task": e.task, "data": "synthetic" if e.synthetic else e.data,
             "epochs": e.epochs, "description": e.description} for e in ZOO.values()]
    if as_json:
        _emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['name']:<11} {r['task']:<10} {r['data']:<10} {r['epochs']:>3} epochs  "
                   f"{r['description']}")


@zoo.command(name="train")
@click.argument("name")
@shared("output", required=True, help="The .keras file to write.")
@click.option("--epochs", type=click.IntRange(min=0), default=None,
              help="Training epochs (default: the zoo entry's).")
@shared("data_source",
              help="Data instead of the zoo default: digits, mnist, ..., or an .npz file.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.pass_context
def zoo_train(ctx, name, output, epochs, data_source, seed):
    """Build zoo model NAME, train it and save it to OUTPUT."""
    from .keras_io import check_model_path, save_model
    from .zoo import get, train
    entry = get(name)
    check_model_path(output)          # before training
    log(ctx, f"training {name} ({epochs if epochs is not None else entry.epochs} epochs, data "
             f"{data_source or ('synthetic' if entry.synthetic else entry.data)})", 0)
    model, _, metrics = train(name, epochs=epochs, data=data_source, seed=seed)
    save_model(model, output)
    shown = ", ".join(f"{k} {metrics[k]:.4f}" for k in ("accuracy", "auc", "reconstruction_mse")
                      if k in metrics)
    click.echo(f"{output}: {name}, {metrics['params']:,} parameters, test {shown}")


def _parse_set(items):
    """--set stage.key=value pairs -> {stage: {key: value}} (values as Python literals)."""
    import ast
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        stage, dot, field_name = key.partition(".")
        if not sep or not dot:
            raise click.BadParameter(f"{item!r}: use STAGE.KEY=VALUE, e.g. prune.epochs=8",
                                     param_hint="--set")
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            pass  # a bare string
        out.setdefault(stage, {})[field_name] = value
    return out


# The compression flags: each sets one field of a stage's config dataclass (its type, choices
# and default come from there, and its value goes through the same validator as a recipe's).
# (option, stage, field or None for a bare switch, runs the stage when given, help)
STAGE_FLAGS = [
    ("--distill-teacher", "distill", "teacher", True, "Distil this teacher model into MODEL."),
    ("--lowrank-energy", "lowrank", "energy", True,
     "Factor Dense/1x1 Conv2D layers keeping this share of SVD energy."),
    ("--lowrank-rank", "lowrank", "rank", True, "Factor Dense/1x1 Conv2D layers to this rank."),
    ("--prune", "prune", "target_sparsity", True, "Magnitude-prune to this sparsity (e.g. 0.75)."),
    ("--prune-schedule", "prune", "schedule", False, "Pruning schedule."),
    ("--structured", "prune", "structured", True, "m:n structured sparsity, e.g. 2:4."),
    ("--cluster", "cluster", "clusters", True, "Cluster weights into this many values per kernel."),
    ("--cluster-init", "cluster", "init", False, "Initial centroids."),
    ("--per-channel", "cluster", "per_channel", False, "Cluster each output channel separately."),
    ("--qat", "qat", None, True, "8-bit quantization-aware training (PQAT/CQAT/PCQAT after "
                                 "prune/cluster)."),
]
SKIP_STAGES = ("lowrank", "prune", "cluster")   # stages that take --skip as skip_layers


def _param(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


def _stage_flag_options(fn):
    """click options for STAGE_FLAGS, typed from the stage config dataclasses."""
    from . import config
    from .compress import STAGES
    from .compress.cluster import INITS
    from .compress.prune import SCHEDULES
    choices = {("prune", "schedule"): SCHEDULES, ("cluster", "init"): tuple(INITS)}
    for option, stage, key, _, text in reversed(STAGE_FLAGS):
        if key is None:
            fn = click.option(option, _param(option), is_flag=True, help=text)(fn)
            continue
        cls = STAGES[stage][0]
        tp, dflt = config.keys(cls)[key], config.default(cls, key)
        if tp is bool:
            fn = click.option(option, _param(option), is_flag=True, default=None, help=text)(fn)
            continue
        kind = click.Choice(choices[stage, key]) if (stage, key) in choices else tp
        shown = f" [{stage}.{key}, default: {dflt!r}]" if dflt not in ("", None) else \
            f" [{stage}.{key}]"
        fn = click.option(option, _param(option), type=kind, default=None, help=text + shown)(fn)
    return fn


def stage_configs(flags: dict, skip, settings) -> dict:
    """{stage: {key: value}} from the STAGE_FLAGS given, --skip and --set pairs; values the
    user did not give are left out, so the dataclass defaults apply."""
    configs = {}
    for option, stage, key, runs, _ in STAGE_FLAGS:
        value = flags.get(_param(option))
        if value is None or value is False:
            continue
        values = configs.setdefault(stage, {"__runs": False})
        values["__runs"] = values["__runs"] or runs
        if key is not None:
            values[key] = value
    configs = {s: v for s, v in configs.items() if v.pop("__runs")}
    for stage in SKIP_STAGES:
        if stage in configs and skip:
            configs[stage]["skip_layers"] = list(skip)
    for stage, values in _parse_set(settings).items():
        configs.setdefault(stage, {}).update(values)
    return configs


@cli.command()
@click.argument("model")
@shared("data_source", required=True)
@shared("output", required=True,
              help="Output folder: compressed.keras and compress_report.json.")
@_stage_flag_options
@click.option("--skip", "skip_layers", multiple=True, help="Layer to leave alone (repeatable).")
@click.option("--set", "settings", multiple=True,
              help="Any stage option, e.g. --set prune.epochs=8 --set qat.epochs=2.")
@click.pass_context
def compress(ctx, model, data_source, output, skip_layers, settings, **flags):
    """Compress a Keras MODEL: distill, low-rank, prune, cluster, QAT (in that order).

    Writes OUTPUT/compressed.keras and OUTPUT/compress_report.json (accuracy, parameters,
    sparsity and unique values per layer after each stage).
    """
    import json
    from pathlib import Path
    from .compress import make_config, run_pipeline
    from .data import check_dataset, load_dataset
    from .fileio import atomic_dir, check_output_dir, write_text
    from .keras_io import load_model, save_model
    configs = stage_configs(flags, skip_layers, settings)
    if not configs:
        raise click.UsageError("name at least one stage: --prune, --structured, --cluster, "
                               "--qat, --distill-teacher, --lowrank-energy or --lowrank-rank")
    # every option checked before the (slow) model and data load
    configs = {stage: make_config(stage, values, f"compress [{stage}]") for stage, values in
               configs.items()}
    keras_model = load_model(model)
    dataset = check_dataset(load_dataset(data_source), keras_model)
    out = check_output_dir(Path(output))     # before training: refuse a folder that is not ours
    result, reports = run_pipeline(keras_model, dataset, configs,
                                   progress=lambda m: log(ctx, m, 0))
    report = {"model": str(model), "data": str(data_source), "stages": [r.to_dict() for r in reports]}
    with atomic_dir(out) as tmp:
        save_model(result, tmp / "compressed.keras")
        write_text(tmp / "compress_report.json", json.dumps(report, indent=2, default=str) + "\n")
    first, last = reports[0], reports[-1]
    key = "accuracy" if "accuracy" in last.metrics else "auc"
    click.echo(f"{out / 'compressed.keras'}: {key} {first.metrics[key]:.4f} -> "
               f"{last.metrics[key]:.4f}, sparsity {last.sparsity:.3f}, max unique values per "
               f"channel {last.max_unique}")


# --- firmware commands (owner: FIRMWARE) ---


@cli.command()
@shared("as_json", help="Print the table as JSON.")
def boards(as_json):
    """List the boards firmware can be built for (memory, UART, emulators, energy estimate)."""
    from .firmware.boards import BOARDS_LIST, DEFAULT_BOARD
    if as_json:
        _emit_json([b.as_dict() for b in BOARDS_LIST])
        return
    from .simulate.renode import renode_unsupported
    click.echo(f"{'board':<14} {'cpu':<11} {'fpu':<12} {'dsp':<3} {'flash':>8} {'RAM':>8}  "
               f"{'uart':<14} {'qemu':<14} {'renode':<6} {'insn/tick':>9} {'nJ/cycle*':>9}")
    no_renode = {b.name: renode_unsupported(b) for b in BOARDS_LIST if renode_unsupported(b)}
    for b in BOARDS_LIST:
        mark = " (default)" if b.name == DEFAULT_BOARD else ""
        dsp = "yes" if b.cpu_row.dsp else "-"
        renode = "no**" if b.name in no_renode else "yes"
        click.echo(f"{b.name:<14} {b.cpu:<11} {b.fpu or '-':<12} {dsp:<3} {b.flash_size // 1024:>6}KB "
                   f"{b.ram_size // 1024:>6}KB  {b.uart:<14} {b.qemu_machine or '-':<14} "
                   f"{renode:<6} {b.insns_per_tick:>9.4g} {b.energy_nj_per_cycle:>9}{mark}")
    click.echo("* energy per cycle is an estimate (see `boards --json` for each figure's source)")
    for name, why in no_renode.items():
        click.echo(f"** {name}: {why}")


@cli.command()
@click.argument("model")
@click.option("--board", default=FirmwareSection.board, show_default=True, help="Board (see `tinycompress boards`).")
@click.option("--runtime", default=FirmwareSection.runtime, show_default=True, type=click.Choice(["native", "tflm"]),
              help="native: ahead-of-time C, no interpreter. tflm: TFLite-Micro's MicroInterpreter "
                   "with an exact op resolver; `build` needs TFLM_DIR (a TFLite-Micro tree with "
                   "its library built for the board).")
@shared("data_source",
              help="Golden inputs from this data set (test split); default: seeded random int8.")
@click.option("--vectors", default=FirmwareSection.vectors, show_default=True, type=click.IntRange(min=1),
              help="Golden vectors embedded in the firmware.")
@click.option("--dump-layers", is_flag=True, help="Print every layer's output on the device "
                                                  "(simulate diffs them against the host).")
@click.option("--weights", default="dense", show_default=True,
              type=click.Choice(["dense", "lut", "sparse", "lut_sparse", "packed", "huffman",
                                 "auto", "auto+huffman"]),
              help="Weight format in flash (native runtime), decoded inside the kernels: lut "
                   "(codebook indices), sparse (nonzeros only), lut_sparse, packed (lut_sparse "
                   "bit-packed, no counts), huffman (entropy-"
                   "coded, decoded per channel group into scratch RAM), or auto: the smallest "
                   "formats within --max-slowdown (auto+huffman: huffman "
                   "too, wherever smaller). Outputs are unchanged.")
@click.option("--max-slowdown", default=None, type=click.FloatRange(min=1.0),
              help="auto: most estimated instructions of the weight layers together, "
                   "relative to dense [1.2].")
@shared("output", required=True, help="The project folder to write.")
def firmware(model, board, runtime, data_source, vectors, dump_layers, weights, max_slowdown, output):
    """Generate a firmware project for an int8 .tflite MODEL with golden vectors."""
    from .firmware.project import generate_project
    info = generate_project(model, board, output, runtime=runtime, data=data_source,
                            vectors=vectors, dump_layers=dump_layers, weights=weights,
                            max_slowdown=max_slowdown)
    click.echo(f"{info.path}: {info.layers} layers, {info.vectors} golden vectors, weights "
               f"{info.weight_bytes:,} B, activation arena {info.arena_bytes:,} B, board {info.board}")


@cli.command()
@click.argument("project")
@shared("as_json")
def build(project, as_json):
    """Build a firmware PROJECT with arm-none-eabi-gcc; flash and RAM against the board."""
    from .firmware.build import build as build_project
    report = build_project(project)
    _emit_json(report.as_dict()) if as_json else click.echo("\n".join(report.lines()))


@cli.command()
@click.argument("project")
@click.option("--engine", default="qemu", show_default=True, type=click.Choice(["qemu", "renode"]))
@click.option("--timeout", default=FirmwareSection.timeout, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds before a firmware that does not finish is stopped.")
@click.option("--accuracy", "accuracy", default=None, type=click.IntRange(min=1), metavar="N",
              help="Also run N labelled test samples of --data through the emulator (a build per "
                   "batch that fits the board): device accuracy next to the host TFLM's, and "
                   "RMSE/MAE/L2 relative/cosine per output.")
@shared("data_source", help="Data set for --accuracy (its test split).")
@click.option("--cycles", is_flag=True,
              help="QEMU only: also ESTIMATE the board core's cycles per layer and per inference "
                   "from the executed instruction mix (a second, logged run).")
@click.option("--flash-timing", "flash_timing", default=None, metavar="ROW",
              help="With --cycles: add the flash wait states of a real board's memory row "
                   "(stm32l4r5-120mhz: NUCLEO-L4R5ZI at 120 MHz), traced by a QEMU plugin "
                   "built with the host's cc.")
@shared("as_json")
def simulate(project, engine, timeout, accuracy, data_source, cycles, flash_timing, as_json):
    """Run a built PROJECT in an emulator: PASS/FAIL per golden vector, instructions per
    inference and per layer; exits non-zero on any mismatch, fault or timeout. A failing
    vector shows the differing output bytes, expected against actual, and their values."""
    from .simulate import SIMULATORS
    if accuracy and not data_source:
        raise TinyCompressError("--accuracy needs --data (labelled test samples, e.g. --data digits)")
    if cycles and engine != "qemu":
        raise TinyCompressError("--cycles reads QEMU's block log; use --engine qemu")
    if flash_timing:
        from .simulate.cycles import memory_timing
        if not cycles:
            raise TinyCompressError("--flash-timing adds to the cycle estimate; give --cycles too")
        memory_timing(flash_timing)
    report = SIMULATORS[engine](project, timeout=timeout)
    scored = None
    if accuracy and not report.failure:
        from .simulate.accuracy import device_accuracy
        scored = device_accuracy(project, data_source, accuracy, engine=engine,
                                 timeout=max(timeout, 600.0))
    estimate = None
    if cycles and not report.failure:
        from .simulate.cycles import board_core, estimate_project
        core = board_core(report.board)
        estimate = estimate_project(project, timeout=timeout, memory=flash_timing)
    if as_json:
        _emit_json({**report.as_dict(), **({"accuracy": scored.as_dict()} if scored else {}),
                    **({"cycles_estimate": estimate.as_dict()} if estimate else {})})
    else:
        names = [l.name for l in report.layers]
        click.echo("\n".join(report.lines() + (scored.lines() if scored else [])
                             + (estimate.lines(core, names) if estimate else [])))
    if report.failure:
        raise TinyCompressError(f"{project}: {report.failure}")
    if scored and scored.failure:
        raise TinyCompressError(f"{project}: {scored.failure}")


@cli.command(name="ci-template")
@shared("output", default=".github/workflows/tinycompress.yml", show_default=True,
        help="The workflow file to write.")
@click.option("--recipe", default="recipe.toml", show_default=True,
              help="The recipe the workflow runs, relative to your repository's root.")
@click.option("--board", default="mps2-an386", show_default=True,
              help="A board Renode models (see `tinycompress boards`).")
@click.option("--renode", "renode_revision", default=None,
              help="Renode release (git tag) the workflow builds; default v1.16.0, the first "
                   "with the DSP instructions our kernels use right.")
@click.option("--install", default="tinycompress", show_default=True,
              help="What `pip install` gets tinycompress from (a name, a path, git+https://...).")
@click.option("--vectors", default=10, show_default=True, type=click.IntRange(min=1),
              help="Golden vectors checked in Renode.")
def ci_template(output, recipe, board, renode_revision, install, vectors):
    """Write a GitHub Actions workflow: run a recipe, build the firmware, check its golden
    vectors in Renode (antmicro/renode-test-action) and keep the logs as artifacts."""
    from .ci_template import RENODE_REVISION, write_workflow
    path = write_workflow(output, recipe=recipe, board=board, install=install, vectors=vectors,
                          renode=renode_revision or RENODE_REVISION)
    click.echo(f"{path}: runs {recipe}, builds the firmware for {board} and checks it in Renode "
               f"{renode_revision or RENODE_REVISION}; commit it to run on every push")


# --- flash (owner: DEPLOY) ---


@cli.command(name="flash")
@click.argument("project")
@click.option("--probe", default="pyocd", show_default=True, type=click.Choice(["pyocd", "openocd"]),
              help="pyOCD (target from the boards table) or OpenOCD (a config per board).")
@click.option("--board", default=None, help="Board; needed when PROJECT is a bare ELF file.")
@click.option("--uid", default=None, help="Serial number of the debug probe, when several are attached.")
@click.option("--port", default=None, help="Serial port of the board's UART (e.g. /dev/ttyACM0, "
                                           "the ST-LINK/J-Link virtual COM port; needs pyserial).")
@click.option("--verify", is_flag=True, help="After flashing, read the golden-vector verdict on "
                                             "--port and check it as `simulate` does.")
@click.option("--accuracy", "accuracy", default=None, type=click.IntRange(min=1), metavar="N",
              help="With --verify: then flash and read N labelled test samples of --data (a "
                   "build per batch that fits the board): device accuracy next to the host's.")
@shared("data_source", help="Data set for --accuracy (its test split).")
@click.option("--baud", default=DEFAULT_BAUD, show_default=True, type=click.IntRange(min=1))
@click.option("--timeout", default=UART_TIMEOUT, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds to wait for TC:DONE on the UART.")
@click.option("--dry-run", is_flag=True, help="Print the flash command line, run nothing.")
@shared("as_json")
def flash_cmd(project, probe, board, uid, port, verify, accuracy, data_source, baud, timeout,
              dry_run, as_json):
    """Flash a built firmware PROJECT (folder, or an ELF with --board) onto a real board.

    With --verify --port, reads the UART after the reset and checks the golden vectors as
    `simulate` does (cycles from SysTick instead of QEMU's instruction counts; a failing vector
    shows the differing bytes and values); exits 1 on a mismatch.
    """
    import shlex
    from .flash import flash
    if (verify or accuracy) and not port:
        raise TinyCompressError("--verify reads the board's UART: give its serial port with --port "
                                "(e.g. /dev/ttyACM0; `python -m serial.tools.list_ports` lists them)")
    if accuracy and not data_source:
        raise TinyCompressError("--accuracy needs --data (labelled test samples, e.g. --data digits)")
    options = dict(probe=probe, board=board, uid=uid, port=port, baud=baud)
    report = flash(project, timeout=timeout, dry_run=dry_run, **options)
    scored = None
    if accuracy and not dry_run and not report.uart.failure:
        from .simulate.accuracy import device_accuracy
        scored = device_accuracy(project, data_source, accuracy, engine="board", timeout=timeout,
                                 runner=lambda fw, timeout: flash(fw, timeout=timeout, **options).uart)
    if as_json:
        _emit_json({**report.as_dict(), "accuracy": scored.as_dict()} if scored else report.as_dict())
    elif dry_run:
        click.echo(shlex.join(report.command))
    else:
        click.echo("\n".join(report.lines() + (scored.lines() if scored else [])))
    if report.uart is not None and report.uart.failure:
        raise TinyCompressError(f"{project}: on the board: {report.uart.failure}")
    if scored and scored.failure:
        raise TinyCompressError(f"{project}: on the board: {scored.failure}")


# --- search (owner: search) ---


@cli.command(name="search")
@click.argument("recipe")
@click.option("--board", required=True, help="Board to fit (see `tinycompress boards`).")
@shared("output", help="Output folder (default: out/<recipe name>-search-<board>); rerun the "
                       "same command over it to resume.")
@click.option("--max-flash", default=None, help="Flash cap below the board's, e.g. 24KB.")
@click.option("--max-ram", default=None, help="RAM cap below the board's, e.g. 12KB.")
@click.option("--max-latency", default=None, type=click.IntRange(min=1),
              help="Most instructions per inference (QEMU), checked on the front's members.")
@click.option("--trials", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--epochs", default=None, type=click.IntRange(min=1),
              help="Cap every compression stage's epochs (a shorter search).")
@click.option("--seed", default=0, show_default=True, type=int, help="Optuna sampler seed.")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(min=1),
              help="Trials at once (more than 1: the suggestions depend on finishing order).")
@click.option("--address", default=None,
              help="An existing Ray cluster: auto, HOST:PORT or ray://HOST:PORT (default: a "
                   "local one on this machine's cores).")
@click.option("--resume", is_flag=True, help="Continue the search in the output folder (fails "
                                             "when there is none).")
@shared("as_json")
@click.pass_context
def search_cmd(ctx, recipe, board, output, as_json, **options):
    """Search RECIPE's compression space for the most accurate model that fits a board.

    Each trial compresses, converts (accuracy in the TFLM host interpreter) and builds the
    native firmware (flash, RAM); the Pareto front's members run in QEMU (instructions).
    Writes report.md, front.png, trials.csv/json and best.toml (a recipe for `run`). Exits 1
    when nothing fits, after writing the best-effort front.
    """
    from .search import SearchFailed, search
    try:
        result = search(recipe, board, output, log=lambda m: log(ctx, m, 0), **options)
    except SearchFailed as exc:
        result = exc.result
        _emit_json(result.to_dict()) if as_json else click.echo(result.text())
        raise
    _emit_json(result.to_dict()) if as_json else click.echo(result.text())


def main():
    cli(prog_name="tinycompress")


if __name__ == "__main__":
    sys.exit(main())

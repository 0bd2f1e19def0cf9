"""The `tinycompress` command line: one thin command per stage over the library functions.

TensorFlow is imported inside the commands that need it, so `--help` answers at once.
A TinyCompressError is printed on one line without a traceback and exits with status 1;
click's usage errors exit with 2.
"""
import sys

import click

from . import __version__
from .errors import TinyCompressError


class _Group(click.Group):
    """A click group that turns user errors into one line and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TinyCompressError as exc:
            if ctx.obj and ctx.obj.get("verbose", 0) > 1:
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More detail (-vv also shows tracebacks).")
@click.version_option(__version__, prog_name="tinycompress")
@click.pass_context
def cli(ctx, verbose):
    """Compress Keras models, convert them to int8 TFLite and run them on Cortex-M."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


def log(ctx, message, level=1):
    """Print progress to stderr when the user asked for at least `level` verbosity (0: always)."""
    if (ctx.obj or {}).get("verbose", 0) >= level:
        click.echo(message, err=True)


# --- commands ------------------------------------------------------------------------------
# Each command imports its stage inside its body (TensorFlow loads only when needed).


def _emit_json(data):
    import json
    click.echo(json.dumps(data, indent=2, default=str))


@cli.command()
@click.argument("model")
@click.option("--data", "data_source", required=True,
              help="Data: digits, mnist, fashion_mnist, cifar10, zoo:NAME or an .npz file.")
@click.option("-o", "--output", required=True, help="The int8 .tflite to write.")
@click.option("--samples", default=200, show_default=True, type=click.IntRange(min=1),
              help="Representative training samples for int8 calibration.")
@click.option("--float-output", default=None, help="Also write the float32 .tflite here.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
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
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--no-tflm", is_flag=True, help="Skip the TFLM host run (no arena figure).")
def inspect_cmd(model, as_json, no_tflm):
    """Show a .tflite MODEL: ops, layers with MACs, tensors, sizes, TFLM arena, op support."""
    from .inspect import inspect_model
    report = inspect_model(model, run_tflm=not no_tflm)
    _emit_json(report.to_dict()) if as_json else click.echo(report.to_text(), nl=False)


@cli.command()
@click.argument("model")
@click.option("-o", "--output", required=True, help="The C header to write (model_data.h).")
@click.option("--name", default="g_model", show_default=True, help="C name of the array.")
@click.option("--source", is_flag=True, help="Write an .h/.cc pair: declarations in the header, "
                                              "the array in the .cc beside it.")
def export(model, output, name, source):
    """Export an int8 .tflite MODEL as a C array (16-byte aligned) with I/O constants."""
    from .export import export_c
    report = export_c(model, output, name=name, source=source)
    written = report.header + (f" and {report.source}" if report.source else "")
    click.echo(f"{written}: {report.name}[{report.model_bytes}] sha256 {report.sha256}")


@cli.command()
@click.argument("recipe")
@click.option("-o", "--output", default=None, help="Output folder (default: out/<recipe name>).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def run(ctx, recipe, output, as_json):
    """Run every stage a RECIPE (.toml) names into one output folder.

    Writes model.keras, compressed.keras, model_float.tflite, model_int8.tflite,
    model_data.h, report.json, report.md and report.png.
    """
    from .recipe import load_recipe, run_recipe
    result = run_recipe(load_recipe(recipe), output, log=lambda m: log(ctx, m, 0))
    _emit_json(result.to_dict()) if as_json else click.echo(result.summary())


def main():
    cli(prog_name="tinycompress")


if __name__ == "__main__":
    sys.exit(main())

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


def main():
    cli(prog_name="tinycompress")


if __name__ == "__main__":
    sys.exit(main())

"""The ``propscope`` command line: thin wrappers over library functions.

Errors raised by the library become one line on standard error and exit code 2; ``--debug``
shows the traceback instead.
"""

from __future__ import annotations

import os
import sys

import typer

from propscope.cli import analyze, evaluate, predict, techniques, train
from propscope.cli._common import state
from propscope.errors import PropscopeError

app = typer.Typer(
    name="propscope",
    help="Find propaganda and persuasion techniques in news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of errors."),
) -> None:
    state["debug"] = debug


app.command("analyze")(analyze.analyze_cli)
app.command("techniques")(techniques.techniques_cli)
app.command("evaluate")(evaluate.evaluate_cli)
app.command("train")(train.train_cli)
app.add_typer(predict.app, name="predict")


def main() -> None:
    """Entry point of the ``propscope`` script."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        app(standalone_mode=False)
    except PropscopeError as exc:
        if state.get("debug"):
            raise
        typer.echo(f"propscope: error: {exc}", err=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("propscope: aborted", err=True)
        sys.exit(130)
    except Exception as exc:  # click's usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise

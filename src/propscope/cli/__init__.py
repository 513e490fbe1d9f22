"""The ``propscope`` command line: thin wrappers over library functions.

Errors raised by the library become one line on standard error and exit code 2; ``--debug``
shows the traceback instead.
"""

from __future__ import annotations

import gc
import sys

import typer

from propscope.cli import (
    analyze,
    batch,
    bench,
    evaluate,
    info,
    predict,
    prepare,
    report,
    serve,
    techniques,
    train,
)
from propscope.cli._common import Command, state
from propscope.errors import Errors, PropscopeError
from propscope.models.runtime import thread_count, use_threads

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


app.command("analyze", cls=Command)(analyze.analyze_cli)
app.command("techniques", cls=Command)(techniques.techniques_cli)
app.command("info", cls=Command)(info.info_cli)
app.command("prepare", cls=Command)(prepare.prepare_cli)
app.command("evaluate", cls=Command)(evaluate.evaluate_cli)
app.command("train", cls=Command)(train.train_cli)
app.command("serve", cls=Command)(serve.serve_cli)
app.command("batch", cls=Command)(batch.batch_cli)
app.command("report", cls=Command)(report.report_cli)
app.add_typer(predict.app, name="predict")
app.add_typer(bench.app, name="bench")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit code (0 ok, 2 bad input or usage)."""
    state["debug"] = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        # The CLI, not the library, chooses torch's threads (before torch is imported).
        use_threads(thread_count())
        result = app(args=argv, prog_name="propscope", standalone_mode=False)
    except PropscopeError as exc:
        if state["debug"]:
            raise
        typer.echo(f"propscope: error: {exc}", err=True)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("propscope: aborted", err=True)
        return 130
    except typer.TyperException as exc:  # usage errors: missing or invalid options
        typer.echo(f"propscope: error: {usage_message(exc)}", err=True)
        return 2
    return result if isinstance(result, int) else 0


def usage_message(exc: Exception) -> str:
    """One line for a usage error (click's own is several), with its code and where to look."""
    format_message = getattr(exc, "format_message", None)
    message = " ".join((format_message() if format_message else str(exc)).split())
    context = getattr(exc, "ctx", None)
    command = context.command_path if context is not None else "propscope"
    return Errors.E009.format(problem=message.rstrip("."), command=command)


def run() -> None:
    """Entry point of the ``propscope`` script: :func:`main` in a process of its own."""
    # Importing torch and loading a model make hundreds of thousands of long-lived objects,
    # which Python's cyclic collector walks again and again while they load, and once more
    # at exit (together about 0.5 s of a 2.5 s ``analyze`` with en-accurate). ``analyze``
    # reads one article and ends, so it runs without the collector; every command's objects
    # are frozen before the process exits, so the last collection skips them.
    command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    if command == "analyze":
        gc.disable()
    code = main()
    gc.freeze()
    sys.exit(code)

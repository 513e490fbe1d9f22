"""Shared bits of the CLI commands: global state and progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from typer.core import TyperCommand

state: dict[str, Any] = {"debug": False}


class Command(TyperCommand):
    """A command whose help reads as command-line help usually does: arguments in the usage
    line as ``SOURCE`` (typer 0.29 writes ``{source}``), and flags without a ``<bool>`` type."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return [p if p.startswith("[") else p.strip("{}").upper() for p in pieces]

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


#: ``--model`` of the commands that analyse articles (analyze, batch, predict, serve).
MODEL_OPTION: Any = typer.Option(
    "auto",
    "--model",
    "-m",
    help="fast (en-fast for English, multi-fast otherwise), accurate (en-accurate for English, "
    "multi-fast otherwise), auto (= accurate where all-mpnet-base-v2 is installed, else fast), a "
    "bundled model name, or a model folder.",
)

#: ``--model`` of ``predict semeval2023``: a whole split is predicted offline, where scores
#: matter more than seconds, so the default is the accurate family (English: en-accurate, which
#: beats en-fast in cross-validation on every subtask; other languages: multi-fast).
PREDICT_MODEL_OPTION: Any = typer.Option(
    "accurate",
    "--model",
    "-m",
    help="accurate (the default: en-accurate for English, multi-fast otherwise), fast (en-fast "
    "for English, multi-fast otherwise), a bundled model name, or a model folder.",
)


#: ``--threshold`` of the commands that analyse articles.
THRESHOLD_OPTION: Any = typer.Option(
    None,
    "--threshold",
    "-t",
    min=0.0,
    max=1.0,
    help="Override every tuned threshold (spans, paragraph techniques, frames).",
)

#: ``--min-confidence`` of analyze and batch.
MIN_CONFIDENCE_OPTION: Any = typer.Option(
    None,
    "--min-confidence",
    min=0.0,
    max=1.0,
    help="Show spans whose calibrated confidence (expected precision) is at least this; "
    "default: the model's floor (its min_confidence; docs/output.md); 0 shows every span.",
)

#: ``--genre-prior`` of analyze and batch.
GENRE_PRIOR_OPTION: Any = typer.Option(
    None,
    "--genre-prior",
    help="What genres to expect: news (the bundled models' default: mostly reports), none "
    "(the model's own probabilities) or weights, e.g. reporting=0.2,opinion=0.75,satire=0.05.",
)

#: ``--progress/--no-progress`` of the long-running commands.
PROGRESS_OPTION: Any = typer.Option(
    True, "--progress/--no-progress", help="Show a progress bar on standard error."
)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A ``(stage, done, total)`` callback that drives a Rich progress bar on standard error."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
    )
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        # Started on the first update, so a command that fails early prints only its error.
        if not tasks:
            progress.start()
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    try:
        yield update
    finally:
        if tasks:
            progress.stop()


#: Several bundled or saved models (``bench``, ``prepare``); none given: every one installed.
MODELS_OPTION: Any = typer.Option(
    [],
    "--model",
    "-m",
    help="A bundled model name or a model folder; repeat for several (default: every bundled "
    "model installed).",
)


def models_or_installed(models: list[str]) -> list[str]:
    """``models``, or every bundled model whose parts are installed."""
    from propscope.bundled import BUNDLED_MODELS, missing_part

    return models or [name for name in BUNDLED_MODELS if missing_part(name) is None]

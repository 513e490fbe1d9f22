"""``propscope batch``: analyse a folder, JSONL or Parquet file of articles, resumably."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from propscope.batch import DEFAULT_CHUNK_SIZE
from propscope.cli._common import (
    GENRE_PRIOR_OPTION,
    MIN_CONFIDENCE_OPTION,
    MODEL_OPTION,
    THRESHOLD_OPTION,
)


def batch_cli(
    source: str = typer.Argument(
        ...,
        help="A folder of .txt/.html files (recursively), a .jsonl or .parquet file, or '-' "
        "for JSONL on standard input.",
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Output file, one row per article: .jsonl or .parquet."
    ),
    spans_out: Path | None = typer.Option(
        None, "--spans-out", help="Also write one row per span here (.jsonl or .parquet)."
    ),
    lang: str = typer.Option(
        "auto", "--lang", "-l", help="'auto' (identify each article) or a language code."
    ),
    model: str = MODEL_OPTION,
    workers: int = typer.Option(
        1,
        "--workers",
        "-w",
        min=1,
        help="Worker processes here (1: this process), Dask workers or Ray actors.",
    ),
    engine: str = typer.Option(
        "local", "--engine", help="local (processes here), dask or ray (a cluster)."
    ),
    address: str | None = typer.Option(
        None, "--address", help="Dask scheduler or Ray cluster address (default: start one)."
    ),
    id_column: str = typer.Option("id", "--id-column", help="Id column of JSONL/Parquet input."),
    text_column: str = typer.Option(
        "text", "--text-column", help="Text column of JSONL/Parquet input."
    ),
    chunk_size: int = typer.Option(
        DEFAULT_CHUNK_SIZE, "--chunk-size", min=1, help="Articles per committed chunk."
    ),
    max_chars: int = typer.Option(
        200_000, "--max-chars", min=1, help="Longer articles become failure rows."
    ),
    threshold: float | None = THRESHOLD_OPTION,
    min_confidence: float | None = MIN_CONFIDENCE_OPTION,
    genre_prior: str | None = GENRE_PRIOR_OPTION,
    restart: bool = typer.Option(
        False, "--restart", help="Discard an unfinished run or an existing output; start again."
    ),
    progress: bool = typer.Option(
        True, "--progress/--no-progress", help="A progress bar on standard error."
    ),
) -> None:
    """Analyse many articles into one JSONL or Parquet file; rerun the same command to resume."""
    from propscope.batch import run_batch

    stdin = sys.stdin.buffer.read() if source == "-" else None
    try:
        with _progress(progress) as update:
            summary = run_batch(
                source,
                out,
                spans_out=spans_out,
                model=model,
                lang=lang,
                workers=workers,
                engine=engine,
                address=address,
                id_column=id_column,
                text_column=text_column,
                chunk_size=chunk_size,
                max_chars=max_chars,
                threshold=threshold,
                min_confidence=min_confidence,
                genre_prior=genre_prior,
                restart=restart,
                stdin=stdin,
                progress=update,
                on_resume=lambda done, to_do: typer.echo(
                    f"propscope: resuming an unfinished run: {done} articles were done "
                    f"before, {to_do} to go (--restart starts again)",
                    err=True,
                ),
            )
    except KeyboardInterrupt:
        typer.echo(
            "propscope: interrupted; finished chunks are kept, rerun the same command to continue",
            err=True,
        )
        raise
    for line in summary_lines(summary):
        typer.echo(line)


def summary_lines(summary: Any) -> list[str]:
    """The summary printed at the end of a run."""
    lines = [
        f"articles: {summary.articles} ({summary.ok} analysed, {summary.failed} failed)",
        f"spans:    {summary.spans}",
        f"time:     {summary.seconds:.1f} s for {summary.processed} articles "
        f"({summary.articles_per_second:.2f} articles/s)",
    ]
    if summary.resumed:
        lines.append(f"resumed:  {summary.resumed} articles were done by an earlier run")
    if summary.failures:
        lines.append(
            "failures: " + ", ".join(f"{code} x{n}" for code, n in summary.failures.items())
        )
    lines.append(f"wrote {summary.output}")
    if summary.spans_output:
        lines.append(f"wrote {summary.spans_output}")
    return lines


def rate_text(done: float, done_at_start: float, seconds: float) -> str:
    """Articles per second of this run, or ``--`` before its first article is done."""
    if done <= done_at_start or seconds <= 0:
        return "-- articles/s"
    return f"{(done - done_at_start) / seconds:.2f} articles/s"


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None]]:
    """A ``(done, total)`` callback drawing a bar with articles/s and ETA on standard error."""
    import time

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    start: dict[str, float] = {}  # the first update's time and count

    class RateColumn(ProgressColumn):
        """Articles per second analysed by this run (rich's own speed needs many updates, and
        a chunked run updates once a chunk: it showed "--" for minutes)."""

        def render(self, task: Task) -> Text:
            if not start:
                return Text(rate_text(0, 0, 0))
            seconds = time.monotonic() - start["time"]
            return Text(rate_text(task.completed, start["done"], seconds))

    progress = Progress(
        TextColumn("analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
        speed_estimate_period=60,
    )
    task: list[Any] = []

    def update(done: int, total: int) -> None:
        # Started on the first update, so a run that fails early prints only its error.
        if not task:
            start.update(time=time.monotonic(), done=float(done))
            progress.start()
            task.append(progress.add_task("analysing", total=total))
        progress.update(task[0], completed=done, total=total)

    try:
        yield update
    finally:
        if task:
            progress.stop()

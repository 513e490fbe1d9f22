"""``propscope evaluate``: score prediction files with the organisers' metrics."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def evaluate_cli(
    task: str = typer.Argument(
        ...,
        help="semeval2023-st1, semeval2023-st2, semeval2023-st3, semeval2023-spans, "
        "semeval2023-spans-si, ptc-si or ptc-tc.",
    ),
    gold: Path = typer.Option(..., "--gold", "-g", help="Gold file in the task's format."),
    pred: Path = typer.Option(..., "--pred", "-p", help="Prediction file in the same format."),
    as_json: bool = typer.Option(False, "--json", help="Print all scores as JSON."),
) -> None:
    """Score predictions against gold labels with the shared task's official metric."""
    from propscope.evaluation.files import evaluate_files

    scores = evaluate_files(task, gold, pred)
    if as_json:
        typer.echo(json.dumps(scores.to_dict(), indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{task}[/]: [bold green]{scores.main:.4f}[/] (official metric)")
    table = Table(show_header=True)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in scores.metrics.items():
        table.add_row(name, f"{value:.4f}")
    table.add_row("gold items", str(scores.support))
    if scores.missing:
        table.add_row("gold items without prediction", str(scores.missing))
    if scores.extra:
        table.add_row("predictions not in gold", str(scores.extra))
    console.print(table)
    if scores.per_label:
        per = Table(title="per label", show_header=True)
        columns = sorted({k for row in scores.per_label.values() for k in row})
        per.add_column("label")
        for column in columns:
            per.add_column(column, justify="right")
        for label, row in scores.per_label.items():
            per.add_row(label, *(f"{row.get(c, 0):.3f}" for c in columns))
        console.print(per)

"""``propscope report``: aggregate a batch result into tables, an HTML page and a JSON summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

MAX_TERMINAL_GROUPS = 8


def report_cli(
    output: Path = typer.Argument(
        ..., help="The batch output: a .jsonl file, or a Parquet file or folder."
    ),
    by: str | None = typer.Option(
        None, "--by", help="Group by a column: source, date, lang or any carried input column."
    ),
    period: str = typer.Option(
        "week", "--period", help="With --by date: group by day, week (ISO week) or month."
    ),
    top: int = typer.Option(3, "--top", min=0, help="Examples to show per technique."),
    html_out: Path | None = typer.Option(
        None, "--html", help="Write a self-contained HTML report with charts to this file."
    ),
    json_out: Path | None = typer.Option(
        None, "--json", help="Write the full summary as JSON to this file."
    ),
) -> None:
    """Aggregate a batch result: techniques per group, top examples and failures."""
    from propscope.batch.report import aggregate
    from propscope.io import atomic_write_text

    if html_out is not None:
        from propscope.batch.report_html import require_matplotlib

        require_matplotlib()  # before the pass over a possibly large file
    report = aggregate(output, by, period=period, top=top)
    # Render everything first, so a failure leaves no partial output behind.
    pages: list[tuple[Path, str]] = []
    if html_out is not None:
        from propscope.batch.report_html import render_batch_report

        pages.append((html_out, render_batch_report(report)))
    if json_out is not None:
        summary = json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
        pages.append((json_out, summary + "\n"))
    for path, content in pages:
        atomic_write_text(path, content)

    from rich.console import Console

    console = Console()
    render_tables(report, console)
    for path, _ in pages:
        console.print(f"Wrote {path}", markup=False, highlight=False)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render_tables(report: Any, console: Any) -> None:
    """Print the report as Rich tables: groups, techniques by group, examples, failures.

    Every piece of data goes in as :class:`rich.text.Text`, so brackets in article text or
    group names are shown, never read as Rich markup.
    """
    from rich.table import Table
    from rich.text import Text

    from propscope.taxonomy import category_colour

    overall = report.overall
    grouping = ""
    if report.by:
        grouping = f" · grouped by {report.by}" + (f" ({report.period})" if report.period else "")
    console.rule(Text(f"{report.source}{grouping}"))
    console.print(
        Text(
            f"{overall.articles:,} articles: {overall.ok:,} analysed, {overall.failed:,} failed · "
            f"{overall.spans:,} spans, {_rate(overall.spans_per_1000_words)} per 1,000 words · "
            f"paragraphs with a technique {_pct(overall.paragraph_share)}"
        )
    )
    columns = [overall, *report.groups[:MAX_TERMINAL_GROUPS]]
    if report.groups:
        table = Table(title="Groups")
        table.add_column(Text(report.by))
        for head in ("articles", "analysed", "failed", "spans/1k words", "spans/article"):
            table.add_column(head, justify="right")
        table.add_column("paragraphs with a technique", justify="right")
        for group in [*report.groups, overall]:
            name = "all articles" if group is overall else group.name
            table.add_row(
                Text(name),
                f"{group.articles:,}",
                f"{group.ok:,}",
                f"{group.failed:,}",
                _rate(group.spans_per_1000_words),
                _rate(group.spans_per_article),
                _pct(group.paragraph_share),
            )
        console.print(table)
    if overall.techniques:
        title = "Techniques: share of analysed articles"
        if report.groups:
            title += " by group"
        table = Table(title=title)
        table.add_column("technique")
        table.add_column("spans", justify="right")
        for group in columns:
            table.add_column(Text("all" if group is overall else group.name), justify="right")
        for technique in overall.techniques:
            colour = category_colour(technique.category)
            cells = []
            for group in columns:
                stats = group.technique(technique.name)
                cells.append(_pct(stats.share_of_articles if stats else 0.0))
            table.add_row(
                # The name analyze, the JSON and the Parquet columns use (one spelling).
                Text(technique.name, style=f"black on {colour}"),
                f"{technique.spans:,}",
                *cells,
            )
        console.print(table)
        hidden = len(report.groups) - MAX_TERMINAL_GROUPS
        if hidden > 0:
            console.print(f"{hidden} more groups in the --json and --html reports.")
    else:
        console.print("No technique was found in any analysed article.")
    if report.examples:
        table = Table(title="Top examples")
        table.add_column("technique")
        table.add_column("score", justify="right")
        table.add_column("article")
        table.add_column("context")
        for name, examples in report.examples.items():
            for example in examples:
                context = Text(example.before)
                context.append(example.text, style="bold reverse")
                context.append(example.after)
                where = example.id if example.group is None else f"{example.id} ({example.group})"
                table.add_row(Text(name), f"{example.score:.2f}", Text(where), context)
        console.print(table)
    if report.failures:
        table = Table(title="Failures")
        for head in ("code", "type", "articles", "message (first seen)", "ids (first)"):
            table.add_column(head, justify="right" if head == "articles" else "left")
        for failure in report.failures:
            table.add_row(
                Text(failure.code),
                Text(failure.type),
                f"{failure.count:,}",
                Text(failure.message),
                Text(", ".join(failure.ids)),
            )
        console.print(table)

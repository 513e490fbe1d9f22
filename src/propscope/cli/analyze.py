"""``propscope analyze``: analyse one article from a file, standard input or a URL."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from propscope.cli._common import MODEL_OPTION
from propscope.errors import ConfigError, Errors

FORMATS = ("text", "json", "html")


def analyze_cli(
    source: str = typer.Argument(
        ..., help="A text or HTML file, '-' for standard input, or a URL."
    ),
    output_format: str = typer.Option(
        "text", "--format", "-f", help="text, json or html (a self-contained report)."
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", "-t", min=0.0, max=1.0, help="Override the tuned thresholds."
    ),
    min_confidence: float | None = typer.Option(
        None,
        "--min-confidence",
        min=0.0,
        max=1.0,
        help="Show spans whose calibrated confidence (expected precision) is at least this; "
        "default: the model's (0.5); 0 shows every span.",
    ),
    model: str = MODEL_OPTION,
    lang: str = typer.Option(
        "auto", "--lang", "-l", help="auto (identify it) or an ISO 639-1 code such as en, fr, de."
    ),
    max_chars: int = typer.Option(200_000, "--max-chars", min=1, help="Refuse longer articles."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead."),
) -> None:
    """Analyse an article: spans with techniques, paragraph labels, genre and frames."""
    if output_format not in FORMATS:
        raise ConfigError(
            Errors.E050.format(
                name="--format", value=output_format, reason="use text, json or html"
            )
        )
    from propscope.inputs import read_input
    from propscope.language import AUTO, normalise_language
    from propscope.pipeline import analyze_text, result_dict

    if lang.strip().lower() != AUTO:
        normalise_language(lang)  # a bad code fails before any input is read
    stdin = sys.stdin.buffer.read() if source == "-" else None
    given = read_input(source, max_chars=max_chars, stdin=stdin)
    document, pipeline = analyze_text(
        given.text,
        lang=lang,
        model=model,
        doc_id=given.id,
        threshold=threshold,
        min_confidence=min_confidence,
    )
    if output_format in ("json", "html"):
        result = result_dict(document, pipeline)
        if output_format == "json":
            rendered = json.dumps(result, indent=2, ensure_ascii=False)
        else:
            from propscope.report_html import render_report

            rendered = render_report(result).rstrip("\n")
        if out:
            from propscope.io import atomic_write_text

            atomic_write_text(out, rendered + "\n")
        else:
            typer.echo(rendered)
        return
    from rich.console import Console

    if out:
        import io

        from propscope.io import atomic_write_text

        buffer = io.StringIO()
        render_text(document, pipeline, Console(file=buffer, width=100, no_color=True))
        atomic_write_text(out, buffer.getvalue())
    else:
        render_text(document, pipeline, Console())


def render_text(document: Any, pipeline: Any, console: Any) -> None:
    """Print the article with spans highlighted by category, then legend and labels."""
    from rich.table import Table
    from rich.text import Text

    from propscope.taxonomy import CATEGORY_COLOURS, get_technique

    console.rule(f"[bold]{document.id}[/] · model {pipeline.name} {pipeline.version}")
    genre = document.genre
    frames = (
        ", ".join(f"{f.name} ({f.score:.2f})" for f in document.frames) or "none above threshold"
    )
    zero_shot = " (zero-shot: the model was not trained on it)" * pipeline.is_zero_shot(
        document.language
    )
    console.print(f"[bold]Language:[/] {document.language}{zero_shot}")
    console.print(
        f"[bold]Genre:[/] {genre.name} ({genre.score:.2f})" if genre else "[bold]Genre:[/] -"
    )
    console.print(f"[bold]Frames:[/] {frames}")
    console.print()
    text = Text(document.text.replace("\r", ""))
    # Offsets shift when \r is dropped for display; map each span through the same removal.
    shift = [0] * (len(document.text) + 1)
    removed = 0
    for i, ch in enumerate(document.text):
        shift[i] = i - removed
        if ch == "\r":
            removed += 1
    shift[len(document.text)] = len(document.text) - removed
    # Paint lower scores first so the most confident span wins where spans overlap.
    for span in sorted(document.spans, key=lambda s: s.score):
        colour = CATEGORY_COLOURS.get(span.category or "", "#dddddd")
        text.stylize(f"black on {colour}", shift[span.start], shift[span.end])
    console.print(text)
    console.print()
    if document.spans:
        legend = Table(title="Techniques found", show_lines=False)
        legend.add_column("category")
        legend.add_column("technique")
        legend.add_column("spans", justify="right")
        legend.add_column("definition")
        counts: dict[str, int] = {}
        for span in document.spans:
            counts[span.technique] = counts.get(span.technique, 0) + 1
        for name, count in sorted(counts.items(), key=lambda kv: -kv[1]):
            technique = get_technique(name)
            colour = CATEGORY_COLOURS.get(technique.category, "#dddddd")
            legend.add_row(
                Text(technique.category, style=f"black on {colour}"),
                name,
                str(count),
                technique.definition,
            )
        console.print(legend)
    table = Table(title="Paragraph labels")
    table.add_column("no.", justify="right")
    table.add_column("techniques")
    for par in document.paragraphs:
        if par.techniques:
            table.add_row(
                str(par.index), ", ".join(f"{t.name} ({t.score:.2f})" for t in par.techniques)
            )
    if table.row_count:
        console.print(table)
    else:
        console.print("No paragraph has a technique above its threshold.")

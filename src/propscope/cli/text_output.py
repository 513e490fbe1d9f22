"""``propscope analyze --format text``: the article with its spans marked, for a reader.

On a terminal, spans are painted in their category's colour. Piped or written to a file, where
colour is lost, each span is marked inline as ``[[text]]^n`` and listed by number below. Either
way every paragraph's number stands beside its text, and the technique table counts the spans
and the paragraphs of every technique found, including techniques found only in paragraph labels.
"""

from __future__ import annotations

from typing import Any

from propscope.types import Document


def shown_spans(
    document: Document, pipeline: Any, min_confidence: float | None
) -> tuple[Document, str]:
    """``document`` (analysed with every span) with only the spans at or above the floor, and a
    line saying how many were hidden ("" when none)."""
    floor = pipeline.span_floor(min_confidence)
    shown = [s for s in document.spans if s.score >= floor]
    hidden = len(document.spans) - len(shown)
    note = ""
    if hidden:
        note = (
            f"{hidden} more span{'s' * (hidden != 1)} scored under {floor:.2f}"
            + (" (the model's default floor)" if min_confidence is None else "")
            + "; --min-confidence 0 shows every span."
        )
    return document.with_spans(shown), note


def _header(document: Document, pipeline: Any) -> list[str]:
    genre = document.genre
    frames = ", ".join(f"{f.name} ({f.score:.2f})" for f in document.frames)
    zero_shot = " (zero-shot: the model was not trained on it)" * pipeline.is_zero_shot(
        document.language
    )
    return [
        f"Language: {document.language}{zero_shot}",
        f"Genre: {genre.name} ({genre.score:.2f})" if genre else "Genre: -",
        f"Frames: {frames or 'none above threshold'}",
    ]


def marked_lines(document: Document) -> list[tuple[int | None, str]]:
    """The article's lines as ``(paragraph number or None, line)`` with every span marked
    inline as ``[[text]]^n`` (spans numbered by position)."""
    text = document.text
    inserts: list[tuple[int, int, str]] = []  # (offset, order at that offset, marker)
    for number, span in enumerate(document.spans, start=1):
        inserts.append((span.start, 1, "[["))
        inserts.append((span.end, 0, f"]]^{number}"))
    inserts.sort(key=lambda item: (item[0], item[1]))
    pieces, cursor = [], 0
    for offset, _, marker in inserts:
        pieces += [text[cursor:offset], marker]
        cursor = offset
    pieces.append(text[cursor:])
    marked = "".join(pieces).replace("\r", "")
    numbers = {par.index for par in document.paragraphs}
    lines = marked.split("\n")
    if len(lines) > 1 and not lines[-1]:  # the text's final line break
        lines.pop()
    return [(index if index in numbers else None, line) for index, line in enumerate(lines, 1)]


def technique_rows(document: Document) -> list[tuple[str, int, int]]:
    """``(technique, spans, paragraphs)`` for every technique found, most frequent first."""
    spans: dict[str, int] = {}
    for span in document.spans:
        if span.technique:
            spans[span.technique] = spans.get(span.technique, 0) + 1
    paragraphs: dict[str, int] = {}
    for par in document.paragraphs:
        for label in par.techniques:
            paragraphs[label.name] = paragraphs.get(label.name, 0) + 1
    names = set(spans) | set(paragraphs)
    rows = [(name, spans.get(name, 0), paragraphs.get(name, 0)) for name in names]
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))


def plain_text(document: Document, pipeline: Any, hidden: str = "") -> str:
    """The analysis as plain text: spans marked inline, paragraphs numbered, then the list of
    spans, the techniques and the paragraph labels."""
    from propscope.taxonomy import get_technique

    lines = [
        f"{document.id} · model {pipeline.name} {pipeline.version}",
        *_header(document, pipeline),
    ]
    lines.append("")
    for number, line in marked_lines(document):
        lines.append(f"{number:>4} | {line}" if number is not None else "     |")
    lines.append("")
    if document.spans:
        lines.append("Spans:")
        for number, span in enumerate(document.spans, start=1):
            lines.append(f"  ^{number} {span.technique} ({span.score:.2f}): {span.text!r}")
    if hidden:
        lines.append(hidden)
    if document.spans or hidden:
        lines.append("")
    rows = technique_rows(document)
    if rows:
        lines.append("Techniques found (spans, paragraphs):")
        for name, n_spans, n_paragraphs in rows:
            technique = get_technique(name)
            lines.append(f"  {name} [{technique.category}] {n_spans}, {n_paragraphs}: ")
            lines[-1] += technique.definition
        lines.append("")
    labelled = [par for par in document.paragraphs if par.techniques]
    if labelled:
        lines.append("Paragraph labels:")
        for par in labelled:
            names = ", ".join(f"{t.name} ({t.score:.2f})" for t in par.techniques)
            lines.append(f"  {par.index}: {names}")
    else:
        lines.append("No paragraph has a technique above its threshold.")
    return "\n".join(lines) + "\n"


def render_terminal(document: Document, pipeline: Any, console: Any, hidden: str = "") -> None:
    """Print the analysis on a terminal: spans in their category's colour, paragraphs numbered,
    then the techniques (with paragraph-only ones) and the paragraph labels."""
    from rich.table import Table
    from rich.text import Text

    from propscope.taxonomy import category_colour, get_technique

    console.rule(f"[bold]{document.id}[/] · model {pipeline.name} {pipeline.version}")
    for line in _header(document, pipeline):
        name, _, value = line.partition(": ")
        console.print(f"[bold]{name}:[/] {value}", highlight=False)
    console.print()
    text = document.text
    numbers = {par.start: par.index for par in document.paragraphs}
    start = 0
    lines = text.split("\n")
    if len(lines) > 1 and not lines[-1]:  # the text's final line break
        lines.pop()
    for line in lines:
        end = start + len(line)
        shown = Text(line.rstrip("\r"))
        for span in sorted(document.spans, key=lambda s: s.score):
            if span.start < end and span.end > start:
                colour = category_colour(span.category)
                begin, stop = max(span.start, start) - start, min(span.end, end) - start
                shown.stylize(f"black on {colour}", begin, min(stop, len(shown)))
        number = numbers.get(start)
        console.print(
            Text(f"{number:>4} │ " if number is not None else "     │ ", style="dim") + shown
        )
        start = end + 1
    console.print()
    if hidden:
        console.print(hidden, style="dim", highlight=False)
    rows = technique_rows(document)
    if rows:
        legend = Table(title="Techniques found")
        for column in ("category", "technique", "spans", "paragraphs", "definition"):
            legend.add_column(
                column, justify="right" if column in ("spans", "paragraphs") else "left"
            )
        for name, n_spans, n_paragraphs in rows:
            technique = get_technique(name)
            colour = category_colour(technique.category)
            legend.add_row(
                Text(technique.category, style=f"black on {colour}"),
                name,
                str(n_spans),
                str(n_paragraphs),
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

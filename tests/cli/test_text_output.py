"""``analyze --format text``: spans marked inline when not a terminal, paragraphs numbered,
paragraph-only techniques listed, nothing cut at 80 columns."""

from __future__ import annotations

import io
from types import SimpleNamespace

from propscope.cli.text_output import marked_lines, plain_text, render_terminal, technique_rows
from propscope.types import Document, Label, Paragraph, Span

TEXT = (
    "Council Betrays Us\r\n\r\nThese corrupt clowns lied again, as everyone knows. "
    + "The long line goes on " * 8
    + "until the end.\r\nRepairs start in June.\n"
)


def _document() -> Document:
    doc = Document("d1", TEXT, language="en")
    start = TEXT.index("corrupt clowns")
    spans = [
        Span.from_text(TEXT, start, start + len("corrupt clowns"), "Name_Calling-Labeling", 0.8),
        Span.from_text(TEXT, start, start + len("corrupt"), "Loaded_Language", 0.6),
    ]
    pars = doc.paragraphs
    labelled = [
        Paragraph(pars[0].index, pars[0].start, pars[0].end, (Label("Doubt", 0.7),)),
        Paragraph(
            pars[1].index, pars[1].start, pars[1].end, (Label("Name_Calling-Labeling", 0.9),)
        ),
        pars[2],
    ]
    return doc.with_spans(spans).with_labels(paragraphs=labelled, genre=Label("opinion", 0.9))


PIPELINE = SimpleNamespace(name="m", version="1", is_zero_shot=lambda code: False)


def test_spans_marked_inline_and_paragraphs_numbered() -> None:
    lines = marked_lines(_document())
    assert [number for number, _ in lines] == [1, None, 3, 4]
    assert "[[[[corrupt]]^1 clowns]]^2 lied" in lines[2][1]
    assert all("\r" not in line for _, line in lines)


def test_plain_text_lists_spans_and_paragraph_only_techniques() -> None:
    out = plain_text(_document(), PIPELINE)
    assert "   3 | These [[[[corrupt]]^1 clowns]]^2" in out
    assert "^2 Name_Calling-Labeling (0.80): 'corrupt clowns'" in out
    assert "  Doubt [" in out  # found only in a paragraph label
    assert ("Doubt", 0, 1) in technique_rows(_document())
    long_line = next(line for line in out.splitlines() if "until the end." in line)
    assert long_line.startswith("   3 |")  # one line, not wrapped at 80 columns


def test_terminal_rendering_numbers_paragraphs() -> None:
    from rich.console import Console

    buffer = io.StringIO()
    render_terminal(_document(), PIPELINE, Console(file=buffer, width=300, no_color=True))
    out = buffer.getvalue()
    assert "   3 │ These corrupt clowns" in out
    assert "Doubt" in out and "paragraphs" in out

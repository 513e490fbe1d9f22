"""A self-contained HTML report of one analysis (``propscope analyze --format html``).

The report is built from the documented result object (:func:`propscope.results.result_dict`), so
the CLI and the web server (``POST /api/report``, the page's "Download report" button) write the
same file. It has no scripts and loads nothing: the styles are inline, and the markup is the
template ``templates/analysis.html.j2`` (this module computes its values), whose autoescape
escapes every piece of article text, so an article that contains HTML or ``<script>`` shows as
text.

The article is split into segments at every span boundary and line break; each segment lists all
spans that cover it (``data-spans``) and takes the colour of the most confident one, so overlapping
spans stay readable.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from propscope.taxonomy import category_colour, get_technique
from propscope.templating import render


@dataclass(frozen=True)
class Segment:
    """A run ``text[start:end]`` inside one line, covered by the spans at ``spans`` (indices)."""

    start: int
    end: int
    spans: tuple[int, ...]


def line_ranges(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line of ``text`` without its ``\\n`` (a ``\\r`` stays in it)."""
    ranges = []
    start = 0
    for i, ch in enumerate(text):
        if ch == "\n":
            ranges.append((start, i))
            start = i + 1
    ranges.append((start, len(text)))
    return ranges


def segment_lines(text: str, spans: Sequence[Mapping[str, Any]]) -> list[list[Segment]]:
    """Split each line of ``text`` at every span boundary.

    Args:
        text: The analysed text.
        spans: Objects with ``start`` and ``end`` (character offsets, end exclusive).

    Returns:
        One list of segments per line; joined, the segments of a line cover it exactly.

    Example:
        >>> [[(s.start, s.end, s.spans) for s in line] for line in segment_lines(
        ...     "ab cd", [{"start": 0, "end": 4}, {"start": 3, "end": 5}])]
        [[(0, 3, (0,)), (3, 4, (0, 1)), (4, 5, (1,))]]
    """
    lines = []
    for line_start, line_end in line_ranges(text):
        cuts = {line_start, line_end}
        for span in spans:
            for offset in (int(span["start"]), int(span["end"])):
                if line_start < offset < line_end:
                    cuts.add(offset)
        ordered = sorted(cuts)
        segments = []
        for start, end in itertools.pairwise(ordered):
            covering = tuple(
                i for i, s in enumerate(spans) if int(s["start"]) < end and int(s["end"]) > start
            )
            segments.append(Segment(start, end, covering))
        lines.append(segments)
    return lines


def _label(technique: str | None) -> str:
    return get_technique(technique).label if technique else "Propaganda (no technique)"


def _score(value: Any) -> str:
    return f"{float(value):.2f}"


def _piece(text: str, segment: Segment, spans: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    piece = {"text": text[segment.start : segment.end], "start": segment.start, "end": segment.end}
    if not segment.spans:
        return {**piece, "mark": None}
    covering = sorted(segment.spans, key=lambda i: -float(spans[i].get("score", 0.0)))
    mark = {
        "classes": "hl multi" if len(covering) > 1 else "hl",
        "spans": " ".join(map(str, segment.spans)),
        "colour": category_colour(spans[covering[0]].get("category")),
        "title": "; ".join(
            f"{_label(spans[i].get('technique'))} ({_score(spans[i].get('score', 0.0))})"
            for i in covering
        ),
    }
    return {**piece, "mark": mark}


def _chips(labels: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    chips = []
    for label in labels:
        technique = get_technique(str(label["name"]))
        chips.append(
            {
                "colour": category_colour(technique.category),
                "label": technique.label,
                "score": _score(label["score"]),
            }
        )
    return chips


def _legend(spans: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for span in spans:
        if span.get("technique"):
            counts[span["technique"]] = counts.get(span["technique"], 0) + 1
    rows = []
    for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        technique = get_technique(name)
        rows.append(
            {
                "colour": category_colour(technique.category),
                "label": technique.label,
                "category": technique.category,
                "count": count,
                "definition": technique.definition,
            }
        )
    return rows


def _lines(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    text = str(result["text"])
    spans = result.get("spans", [])
    by_line = {int(p["index"]): p for p in result.get("paragraphs", [])}
    lines = []
    for number, line in enumerate(segment_lines(text, spans), start=1):
        paragraph = by_line.get(number)
        lines.append(
            {
                "number": number,
                "pieces": [_piece(text, segment, spans) for segment in line],
                "chips": _chips(paragraph["techniques"]) if paragraph else [],
            }
        )
    return lines


def render_report(result: Mapping[str, Any]) -> str:
    """A complete, self-contained HTML page for one analysis result.

    Args:
        result: The object of :func:`propscope.results.result_dict` (or parsed from
            ``propscope analyze --format json``).

    Returns:
        The HTML document as a string (UTF-8, no external resources, no scripts).

    Example:
        >>> page = render_report({"id": "x", "text": "<b>hi</b>", "spans": [], "paragraphs": [],
        ...     "frames": [], "genre": None, "model": {"name": "m", "version": "1"}})
        >>> "&lt;b&gt;hi&lt;/b&gt;" in page
        True
    """
    model = result.get("model") or {}
    spans = result.get("spans", [])
    genre = result.get("genre")
    return render(
        "analysis.html.j2",
        title=f"propscope report: {result.get('id', 'input')}",
        model_name=model.get("name", "?"),
        model_version=model.get("version", "?"),
        language=result.get("language", "en"),
        summary_language=str(result.get("language", "-")),
        zero_shot=bool(result.get("zero_shot")),
        genre=f"{genre['name']} ({_score(genre['score'])})" if genre else "-",
        frames=", ".join(f"{f['name']} ({_score(f['score'])})" for f in result.get("frames", [])),
        legend=_legend(spans),
        article_lang=str(result.get("language") or ""),
        lines=_lines(result),
        spans=[
            {
                "start": int(s["start"]),
                "end": int(s["end"]),
                "label": _label(s.get("technique")),
                "score": _score(s.get("score", 0.0)),
                "text": s["text"],
            }
            for s in spans
        ],
    )


__all__ = ["Segment", "line_ranges", "render_report", "segment_lines"]

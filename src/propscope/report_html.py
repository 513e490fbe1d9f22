"""A self-contained HTML report of one analysis (``propscope analyze --format html``).

The report is built from the documented result object (:func:`propscope.results.result_dict`), so
the CLI and the web server (``POST /api/report``, the page's "Download report" button) write the
same file. It has no scripts and loads nothing: the styles are inline, and every piece of article
text is escaped, so an article that contains HTML or ``<script>`` shows as text.

The article is split into segments at every span boundary and line break; each segment lists all
spans that cover it (``data-spans``) and takes the colour of the most confident one, so overlapping
spans stay readable.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from propscope.taxonomy import CATEGORY_COLOURS, get_technique

FALLBACK_COLOUR = "#DDDDDD"


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


def _colour(category: str | None) -> str:
    return CATEGORY_COLOURS.get(category or "", FALLBACK_COLOUR)


def _label(technique: str | None) -> str:
    return get_technique(technique).label if technique else "Propaganda (no technique)"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;
margin:0;background:#fafafa}
main{max-width:72rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.meta{color:#555;margin:0 0 1rem}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.summary dt{font-weight:600}dl.summary dd{margin:0}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
.swatch{display:inline-block;width:.9em;height:.9em;border:1px solid #555;margin-right:.4em;
vertical-align:-.1em;background:var(--c)}
.article{background:#fff;border:1px solid #ddd;padding:1rem}
.row{display:grid;grid-template-columns:minmax(0,1fr) 16rem;gap:1rem;min-height:1.5em}
.line{white-space:pre-wrap;overflow-wrap:anywhere}
.labels{font-size:.8rem;color:#333}
.chip{display:inline-block;border-radius:.6em;padding:0 .5em;margin:0 .25em .25em 0;
background:var(--c);color:#000}
mark.hl{background:var(--c);color:#000;border-radius:.15em;padding:.05em 0}
mark.hl.multi{box-shadow:inset 0 -.22em 0 #333}
@media (max-width:48rem){.row{grid-template-columns:1fr}}
"""


def _segment_html(text: str, segment: Segment, spans: Sequence[Mapping[str, Any]]) -> str:
    piece = _esc(text[segment.start : segment.end])
    if not segment.spans:
        return piece
    covering = sorted(segment.spans, key=lambda i: -float(spans[i].get("score", 0.0)))
    best = spans[covering[0]]
    title = "; ".join(
        f"{_label(spans[i].get('technique'))} ({float(spans[i].get('score', 0.0)):.2f})"
        for i in covering
    )
    classes = "hl multi" if len(covering) > 1 else "hl"
    return (
        f'<mark class="{classes}" data-start="{segment.start}" data-end="{segment.end}" '
        f'data-spans="{" ".join(map(str, segment.spans))}" '
        f'style="--c:{_colour(best.get("category"))}" title="{_esc(title)}">{piece}</mark>'
    )


def _chips(labels: Sequence[Mapping[str, Any]]) -> str:
    chips = []
    for label in labels:
        technique = get_technique(str(label["name"]))
        chips.append(
            f'<span class="chip" style="--c:{_colour(technique.category)}">'
            f"{_esc(technique.label)} {float(label['score']):.2f}</span>"
        )
    return "".join(chips)


def _summary(result: Mapping[str, Any]) -> str:
    genre = result.get("genre")
    genre_text = f"{_esc(genre['name'])} ({float(genre['score']):.2f})" if genre else "-"
    frames = ", ".join(
        f"{_esc(f['name'])} ({float(f['score']):.2f})" for f in result.get("frames", [])
    )
    zero_shot = " (zero-shot: the model was not trained on it)" if result.get("zero_shot") else ""
    return (
        '<dl class="summary">'
        f"<dt>Language</dt><dd>{_esc(str(result.get('language', '-')))}{zero_shot}</dd>"
        f"<dt>Genre</dt><dd>{genre_text}</dd>"
        f"<dt>Frames</dt><dd>{frames or 'none above threshold'}</dd>"
        "</dl>"
    )


def _legend(spans: Sequence[Mapping[str, Any]]) -> str:
    if not spans:
        return "<p>No span has a technique above its threshold.</p>"
    counts: dict[str, int] = {}
    for span in spans:
        if span.get("technique"):
            counts[span["technique"]] = counts.get(span["technique"], 0) + 1
    rows = []
    for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        technique = get_technique(name)
        rows.append(
            f'<tr><td><span class="swatch" style="--c:{_colour(technique.category)}"></span>'
            f"{_esc(technique.label)}</td><td>{_esc(technique.category)}</td>"
            f"<td>{count}</td><td>{_esc(technique.definition)}</td></tr>"
        )
    return (
        '<table class="legend"><thead><tr><th>technique</th><th>category</th><th>spans</th>'
        f"<th>definition</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _article(result: Mapping[str, Any]) -> str:
    text = str(result["text"])
    spans = result.get("spans", [])
    by_line = {int(p["index"]): p for p in result.get("paragraphs", [])}
    rows = []
    for number, line in enumerate(segment_lines(text, spans), start=1):
        body = "".join(_segment_html(text, segment, spans) for segment in line)
        paragraph = by_line.get(number)
        labels = _chips(paragraph["techniques"]) if paragraph else ""
        rows.append(
            f'<div class="row" data-line="{number}"><div class="line">{body}</div>'
            f'<aside class="labels">{labels}</aside></div>'
        )
    lang = _esc(str(result.get("language") or ""))
    return f'<div class="article" lang="{lang}">{"".join(rows)}</div>'


def _span_table(spans: Sequence[Mapping[str, Any]]) -> str:
    if not spans:
        return ""
    rows = "".join(
        f"<tr><td>{int(s['start'])}</td><td>{int(s['end'])}</td><td>{_esc(_label(s.get('technique')))}"
        f"</td><td>{float(s.get('score', 0.0)):.2f}</td><td>{_esc(s['text'])}</td></tr>"
        for s in spans
    )
    return (
        '<h2>Spans</h2><table class="spans"><thead><tr><th>start</th><th>end</th>'
        f"<th>technique</th><th>confidence</th><th>text</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def page_start(title: str, css: str = _CSS) -> str:
    """The start of a self-contained propscope page: head with the stylesheet, and the title."""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{css}</style></head><body><main>"
        f"<h1>{_esc(title)}</h1>"
    )


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
    title = f"propscope report: {result.get('id', 'input')}"
    return (
        f"{page_start(title)}"
        f'<p class="meta">Model {_esc(model.get("name", "?"))} {_esc(model.get("version", "?"))}'
        f" · language {_esc(result.get('language', 'en'))} · {len(result.get('spans', []))} spans"
        "</p>"
        f"{_summary(result)}"
        f"<h2>Techniques found</h2>{_legend(result.get('spans', []))}"
        f"<h2>Article</h2>{_article(result)}"
        f"{_span_table(result.get('spans', []))}"
        "</main></body></html>\n"
    )


__all__ = ["Segment", "line_ranges", "render_report", "segment_lines"]

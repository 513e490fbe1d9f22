"""The HTML report: segmentation at span boundaries, overlap colours, and escaping."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from propscope.report_html import line_ranges, render_report, segment_lines
from propscope.taxonomy import CATEGORY_COLOURS


def _result(text: str, spans: list[dict[str, object]]) -> dict[str, object]:
    return {
        "id": "doc",
        "language": "en",
        "text": text,
        "genre": {"name": "opinion", "score": 0.9},
        "frames": [{"name": "Political", "score": 0.6}],
        "paragraphs": [{"index": 1, "start": 0, "end": len(text.split("\n")[0]), "techniques": []}],
        "spans": spans,
        "model": {"name": "m", "version": "1"},
    }


def _span(text: str, start: int, end: int, technique: str, score: float) -> dict[str, object]:
    from propscope.taxonomy import get_technique

    return {
        "start": start,
        "end": end,
        "text": text[start:end],
        "technique": technique,
        "category": get_technique(technique).category,
        "score": score,
    }


@st.composite
def _text_and_spans(draw: st.DrawFn) -> tuple[str, list[dict[str, int]]]:
    text = draw(st.text(alphabet="ab \n\r🙂", min_size=1, max_size=40))
    spans = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append({"start": start, "end": end})
    return text, spans


@given(_text_and_spans())
def test_report_segments_tile_lines_and_respect_spans(
    case: tuple[str, list[dict[str, int]]],
) -> None:
    text, spans = case
    lines = segment_lines(text, spans)
    assert len(lines) == len(line_ranges(text)) == text.count("\n") + 1
    for (line_start, line_end), segments in zip(line_ranges(text), lines, strict=True):
        assert "\n" not in text[line_start:line_end]
        position = line_start
        for segment in segments:
            assert segment.start == position < segment.end
            position = segment.end
            for i, span in enumerate(spans):
                inside = span["start"] <= segment.start and segment.end <= span["end"]
                outside = segment.end <= span["start"] or span["end"] <= segment.start
                assert inside or outside, "a segment never crosses a span boundary"
                assert (i in segment.spans) == inside
        assert position == line_end or (not segments and line_start == line_end)


def test_report_overlap_takes_best_colour_and_marks_multi() -> None:
    text = "They are corrupt traitors."
    spans = [
        _span(text, 9, 25, "Name_Calling-Labeling", 0.4),
        _span(text, 9, 16, "Loaded_Language", 0.8),
    ]
    page = render_report(_result(text, spans))
    marks = re.findall(
        r'<mark class="([^"]+)" data-start="(\d+)" data-end="(\d+)"[^>]*--c:([^"]+)"', page
    )
    assert marks == [
        ("hl multi", "9", "16", CATEGORY_COLOURS["Manipulative wording"]),
        ("hl", "16", "25", CATEGORY_COLOURS["Attack on reputation"]),
    ]


def test_report_escapes_article_markup() -> None:
    text = 'A <script>alert("x")</script> and <img src=x onerror=alert(1)> traitor'
    spans = [_span(text, 2, 29, "Loaded_Language", 0.5)]
    page = render_report(_result(text, spans))
    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "http" not in page.split("<body>", 1)[0], "the report loads nothing external"


def test_report_lists_genre_frames_and_legend() -> None:
    text = "They are traitors.\nSecond line."
    page = render_report(_result(text, [_span(text, 9, 17, "Name_Calling-Labeling", 0.7)]))
    assert "opinion (0.90)" in page
    assert "Political (0.60)" in page
    assert "Name calling / labeling" in page
    assert page.count('class="row"') == 2


def test_report_shows_language_zero_shot_and_any_script() -> None:
    text = "Эти «продажные клоуны» снова лгут."
    start = text.index("продажные")
    result = {
        **_result(
            text,
            [_span(text, start, start + len("продажные клоуны"), "Name_Calling-Labeling", 0.8)],
        ),
        "language": "ru",
        "zero_shot": True,
    }
    page = render_report(result)
    assert '<div class="article" lang="ru">' in page
    assert "ru (zero-shot" in page
    assert "продажные клоуны" in page
    assert "Name calling / labeling" in page  # technique names and definitions stay English


def test_report_escapes_script_and_quotes_everywhere() -> None:
    text = "Say <script>alert(1)</script> \"&' now"
    result = {**_result(text, [_span(text, 4, 33, "Loaded_Language", 0.5)]), "id": "<i>\"&'</i>"}
    page = render_report(result)
    assert "<script" not in page and "<i>" not in page and "\"&'" not in page
    # In the title, the article line, the mark's title attribute and the span table.
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert page.count("&quot;&amp;&#x27;") == 4  # twice in the id (<title>, <h1>), twice in text

"""propscope.evaluation.held_out: cross-fitting and paragraph explanations on held-out articles."""

from __future__ import annotations

import numpy as np

from propscope.evaluation.held_out import crossfit, explained, halves
from propscope.models.calibration import SpanCalibration
from propscope.types import Document, Span

TEXT = "The corrupt mayor lied again.\n\nNobody can trust such a man, critics said."
NC, DOUBT = "Name_Calling-Labeling", "Doubt"


def _span(part: str, technique: str, score: float) -> Span:
    start = TEXT.index(part)
    return Span.from_text(TEXT, start, start + len(part), technique, score)


def test_halves_alternate_within_each_language() -> None:
    docs = [Document(i, "x", language=lang) for i, lang in [("b", "en"), ("a", "en"), ("c", "fr")]]
    assert halves(docs) == [1, 0, 0]  # en: a, b; fr: c


def test_crossfit_scores_each_article_with_the_half_it_was_not_fitted_on() -> None:
    # Two spans per article, told apart by their first feature. In half 0 (d0, d2) the
    # annotators marked the first, in half 1 (d1, d3) the second: a calibration fitted on the
    # other half ranks them the other way round than this half's own annotations would.
    first, second = _span("corrupt mayor", NC, 0.9), _span("lied again", NC, 0.9)
    docs = [
        Document(f"d{k}", TEXT, language="en").with_spans([first if k % 2 == 0 else second])
        for k in range(4)
    ]
    assert halves(docs) == [0, 1, 0, 1]
    shaped = [[first, second] for _ in docs]
    x = [np.array([[2.0, 0.5, 0.0, 1.0, -1.0], [-2.0, -0.5, 0.0, 1.0, -1.0]]) for _ in docs]
    out = crossfit(SpanCalibration(tidy=False), docs, shaped, x)
    for k, spans in enumerate(out):
        assert [(s.start, s.end) for s in spans] == [
            (first.start, first.end),
            (second.start, second.end),
        ]
        marked_here = 0 if k % 2 == 0 else 1
        assert spans[1 - marked_here].score > spans[marked_here].score


def test_a_paragraph_label_without_a_shown_span_is_explained_by_its_best_span() -> None:
    doc = Document("a", TEXT)
    weak, weaker = _span("Nobody can trust such a man", DOUBT, 0.3), _span("such a man", DOUBT, 0.2)
    strong = _span("corrupt mayor", NC, 0.8)
    spans = [[strong, weak, weaker]]

    def labels(i: int, d: Document, k: int) -> set[str]:
        return {DOUBT} if k == 1 else set()

    assert explained([doc], spans, labels, floor=0.5) == [[strong, weak]]
    assert explained([doc], spans, labels, floor=0.5, label_floor=0.35) == [[strong]]

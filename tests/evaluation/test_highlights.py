"""propscope.evaluation.highlights: what the spans shown from a floor are worth."""

from __future__ import annotations

import numpy as np
import pytest

from propscope.evaluation.highlights import (
    expected_calibration_error,
    highlight_measures,
    reliability,
    shown,
)
from propscope.types import Document, Span

TEXT = "The corrupt mayor lied again. Nobody can trust such a man, critics said."
NC, LL, DOUBT = "Name_Calling-Labeling", "Loaded_Language", "Doubt"


def _span(part: str, technique: str, score: float = 1.0) -> Span:
    start = TEXT.index(part)
    return Span.from_text(TEXT, start, start + len(part), technique, score)


GOLD = Document("a1", TEXT).with_spans(
    [_span("corrupt mayor", NC), _span("Nobody can trust such a man", DOUBT)]
)


def test_shown_keeps_spans_from_the_floor_on() -> None:
    spans = [[_span("corrupt", LL, 0.39), _span("mayor", NC, 0.4)], []]
    assert shown(spans, 0.4) == [[spans[0][1]], []]


def test_measures_are_technique_aware_and_count_short_spans() -> None:
    predicted = [[_span("corrupt mayor", NC), _span("lied", LL), _span("trust such", DOUBT)]]
    m = highlight_measures([GOLD], predicted)
    # "lied" has no Loaded_Language span to overlap: precision 2/3 by the overlap rule.
    assert m["spans"] == 3 and m["articles"] == 1 and m["gold_per_article"] == 2
    assert m["precision"] == pytest.approx(2 / 3, abs=1e-3)
    assert 0 < m["recall"] < 1
    assert m["one_word_share"] == pytest.approx(1 / 3, abs=1e-3) and m["median_words"] == 2
    # The right span with the wrong technique counts as wrong.
    assert highlight_measures([GOLD], [[_span("corrupt mayor", LL)]])["precision"] == 0


def test_measures_of_nothing_shown_are_zero_not_an_error() -> None:
    m = highlight_measures([GOLD], [[]])
    assert (m["precision"], m["recall"], m["spans"], m["one_word_share"]) == (0, 0, 0, 0)


def test_reliability_puts_each_score_in_its_decile_and_one_in_the_last() -> None:
    rows = reliability(np.array([0.0, 0.31, 0.39, 1.0]), np.array([0.0, 0.5, 1.0, 1.0]))
    assert [r["count"] for r in rows] == [1, 0, 0, 2, 0, 0, 0, 0, 0, 1]
    assert rows[3]["observed_precision"] == 0.75 and rows[3]["overlap_share"] == 1.0
    assert rows[1]["mean_score"] is None and rows[9]["decile"] == "0.9-1.0"


def test_expected_calibration_error_is_zero_when_scores_match_what_is_observed() -> None:
    scores = np.array([0.25, 0.25, 0.75, 0.75])
    assert expected_calibration_error(scores, np.array([0.0, 0.5, 1.0, 0.5])) == 0
    assert expected_calibration_error(scores, np.ones(4)) == pytest.approx(0.5)


def test_scored_precisions_pair_each_span_score_with_its_observed_precision() -> None:
    from propscope.evaluation.highlights import scored_precisions

    inside = _span("corrupt mayor", NC, 0.8)  # wholly inside an annotated span of NC
    half = Span.from_text(TEXT, TEXT.index("The corrupt"), TEXT.index(" mayor"), NC, 0.6)
    wrong = _span("corrupt mayor", DOUBT, 0.4)  # right place, wrong technique
    scores, targets = scored_precisions([GOLD, GOLD], [[inside, half], [wrong]])
    assert scores.tolist() == [0.8, 0.6, 0.4]
    assert targets.tolist() == [1.0, pytest.approx(7 / 11), 0.0]  # "corrupt" of "The corrupt"
    empty = scored_precisions([GOLD], [[]])
    assert empty[0].shape == (0,) and empty[1].shape == (0,)

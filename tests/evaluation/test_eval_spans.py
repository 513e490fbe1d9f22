"""The shared partial-overlap span rule, with hand-computed numbers and property tests."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propscope.errors import SpanError
from propscope.evaluation import merge_overlapping, score_si, score_span_overlap


def _si(gold, pred):
    return score_span_overlap(gold, pred, technique_aware=False, task="t")


def _aware(gold, pred):
    return score_span_overlap(gold, pred, technique_aware=True, task="t")


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        ([], []),
        ([(0, 10), (5, 15)], [(0, 15)]),
        # Touching spans share no character position, so they stay apart.
        ([(5, 15), (0, 5)], [(0, 5), (5, 15)]),
        ([(0, 20), (2, 4), (3, 8)], [(0, 20)]),
        ([(10, 12), (0, 3), (2, 5)], [(0, 5), (10, 12)]),
    ],
)
def test_merge_overlapping_merges_only_shared_positions(intervals, expected):
    assert merge_overlapping(intervals) == expected


@pytest.mark.parametrize("interval", [(3, 3), (5, 2), (-1, 4)])
def test_merge_overlapping_rejects_bad_offsets(interval):
    with pytest.raises(SpanError, match="E010"):
        merge_overlapping([interval])


def test_span_overlap_partial_credit_both_ways():
    # gold [0,10), pred [5,15): |s∩t| = 5; P = 5/10, R = 5/10, F1 = 0.5
    scores = _si([("a", None, 0, 10)], [("a", None, 5, 15)])
    assert scores.metrics == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5})
    assert scores.main == pytest.approx(0.5)
    assert scores.support == 1


def test_span_overlap_prediction_covering_two_gold_spans():
    # gold [0,4) and [6,10), pred [0,10): |S| = 1, |T| = 2
    # P = (4 + 4)/10 = 0.8; R = (4/4 + 4/4)/2 = 1; F1 = 2*0.8*1/1.8 = 8/9
    scores = _si([("a", None, 0, 4), ("a", None, 6, 10)], [("a", None, 0, 10)])
    assert scores.metrics["precision"] == pytest.approx(0.8)
    assert scores.metrics["recall"] == pytest.approx(1.0)
    assert scores.main == pytest.approx(8 / 9)


def test_span_overlap_corpus_level_micro_average():
    # article a: gold [0,10), pred [0,10) -> P term 1, R term 1
    # article b: gold [0,10), pred [0,2)  -> P term 2/2 = 1, R term 2/10 = 0.2
    # P = (1 + 1)/2 = 1; R = (1 + 0.2)/2 = 0.6; F1 = 2*0.6/1.6 = 0.75
    gold = [("a", None, 0, 10), ("b", None, 0, 10)]
    pred = [("a", None, 0, 10), ("b", None, 0, 2)]
    assert _si(gold, pred).metrics == pytest.approx({"precision": 1.0, "recall": 0.6, "f1": 0.75})


def test_span_overlap_intersections_only_within_an_article():
    # Same offsets, different article: no intersection; P = 0/1, R = 0/1, F1 = 0
    scores = _si([("a", None, 0, 10)], [("b", None, 0, 10)])
    assert scores.metrics == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        # No predictions: P = 0 (S empty), R = 0/1 = 0, F1 = 0
        ([("a", None, 0, 10)], [], {"precision": 0.0, "recall": 0.0, "f1": 0.0}),
        # No gold: R = 0 (T empty), P = 0/1 = 0, F1 = 0
        ([], [("a", None, 0, 10)], {"precision": 0.0, "recall": 0.0, "f1": 0.0}),
        ([], [], {"precision": 0.0, "recall": 0.0, "f1": 0.0}),
    ],
)
def test_span_overlap_empty_sides_score_zero(gold, pred, expected):
    assert _si(gold, pred).metrics == expected


def test_span_overlap_technique_aware_needs_same_technique():
    # gold LL [0,10) and Doubt [0,10); pred LL [0,10)
    # aware: S = 1, T = 2 (one per technique); P = 10/10 = 1; R = (1 + 0)/2 = 0.5;
    #        F1 = 2*0.5/1.5 = 2/3
    # agnostic: the two gold spans merge into one [0,10): P = R = F1 = 1
    gold = [("a", "Loaded_Language", 0, 10), ("a", "Doubt", 0, 10)]
    pred = [("a", "Loaded_Language", 0, 10)]
    aware = _aware(gold, pred)
    assert aware.metrics == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3})
    assert aware.support == 2
    assert aware.per_label["Loaded_Language"] == pytest.approx(
        {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    )
    assert aware.per_label["Doubt"] == pytest.approx(
        {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    )
    agnostic = _si(gold, pred)
    assert agnostic.main == pytest.approx(1.0)
    assert agnostic.support == 1
    assert agnostic.per_label == {}


def test_span_overlap_technique_aware_wrong_technique_scores_zero():
    scores = _aware([("a", "Loaded_Language", 0, 10)], [("a", "Doubt", 0, 10)])
    assert scores.main == 0.0


_intervals = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 12)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=8,
)


@given(_intervals)
def test_merge_overlapping_keeps_positions_and_disjointness(intervals):
    merged = merge_overlapping(intervals)
    covered = {i for start, end in intervals for i in range(start, end)}
    assert {i for start, end in merged for i in range(start, end)} == covered
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(merged))


def _rows(intervals):
    return [("a", start, end) for start, end in intervals]


@given(_intervals, _intervals)
def test_si_scores_lie_in_unit_interval(gold, pred):
    metrics = score_si(_rows(gold), _rows(pred)).metrics
    assert all(0.0 <= value <= 1.0 for value in metrics.values())


@given(_intervals.filter(bool))
def test_si_perfect_prediction_scores_one(gold):
    assert score_si(_rows(gold), _rows(gold)).main == pytest.approx(1.0)


@given(_intervals, _intervals)
def test_si_disjoint_false_span_never_raises_precision(gold, pred):
    # [1000, 1005) lies past every generated span, so it can only be a false positive.
    before = score_si(_rows(gold), _rows(pred)).metrics["precision"]
    after = score_si(_rows(gold), [*_rows(pred), ("a", 1000, 1005)]).metrics["precision"]
    assert after <= before + 1e-12

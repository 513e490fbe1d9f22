"""SemEval-2020 Task 11 (PTC) scorers: SI partial overlap and TC with label re-ordering."""

from __future__ import annotations

import pytest

from propscope.errors import UnknownLabelError
from propscope.evaluation import PTC_TECHNIQUES, score_si, score_tc

LL = "Loaded_Language"
DOUBT = "Doubt"
SLOGANS = "Slogans"
REPETITION = "Repetition"


def test_si_half_overlap_scores_half():
    # gold [0,10), pred [5,15): P = 5/10, R = 5/10, F1 = 2*0.25/1 = 0.5
    scores = score_si([("a", 0, 10)], [("a", 5, 15)])
    assert scores.task == "semeval2020-si"
    assert scores.metrics == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5})


def test_si_merges_overlapping_gold_before_scoring():
    # gold [0,10) and [5,15) overlap -> merged into one span [0,15); pred [0,5)
    # P = 5/5 = 1; R = 5/15 = 1/3; F1 = 2*(1/3)/(4/3) = 0.5
    # (unmerged it would be R = (5/10 + 0/10)/2 = 0.25)
    scores = score_si([("a", 0, 10), ("a", 5, 15)], [("a", 0, 5)])
    assert scores.metrics == pytest.approx({"precision": 1.0, "recall": 1 / 3, "f1": 0.5})
    assert scores.support == 1


def test_si_does_not_merge_touching_gold_spans():
    # gold [0,5) and [5,15) only touch -> two spans; pred [0,5)
    # P = 5/5 = 1; R = (5/5 + 0/10)/2 = 0.5; F1 = 2*0.5/1.5 = 2/3
    # (merged into [0,15) it would be R = 5/15 and F1 = 0.5)
    scores = score_si([("a", 0, 5), ("a", 5, 15)], [("a", 0, 5)])
    assert scores.metrics == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3})
    assert scores.support == 2


def test_si_merges_overlapping_predictions():
    # pred [0,5) and [3,10) merge into [0,10) = gold: P = R = F1 = 1
    # (unmerged: P = (5/5 + 7/7)/2 = 1 but R = 12/10 > 1, which -m avoids)
    scores = score_si([("a", 0, 10)], [("a", 0, 5), ("a", 3, 10)])
    assert scores.metrics == pytest.approx({"precision": 1.0, "recall": 1.0, "f1": 1.0})


def test_si_empty_predictions_score_zero():
    assert score_si([("a", 0, 10)], []).metrics == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


@pytest.mark.parametrize(
    ("pred", "expected_accuracy"),
    [
        # gold A,B on one span; pred B,A -> re-ordered to A,B: 2/2 correct
        ([("a", DOUBT, 0, 5), ("a", LL, 0, 5)], 1.0),
        # pred B,C -> B matches gold B, C fills gold A's slot: 1/2 correct
        ([("a", SLOGANS, 0, 5), ("a", DOUBT, 0, 5)], 0.5),
        # pred C,B -> same multiset as above: still 1/2
        ([("a", DOUBT, 0, 5), ("a", SLOGANS, 0, 5)], 0.5),
    ],
)
def test_tc_reorders_predictions_for_duplicate_spans(pred, expected_accuracy):
    gold = [("a", LL, 0, 5), ("a", DOUBT, 0, 5)]
    scores = score_tc(gold, pred)
    assert scores.main == pytest.approx(expected_accuracy)
    assert scores.metrics["micro_f1"] == pytest.approx(expected_accuracy)
    assert scores.missing == 0
    assert scores.extra == 0


def test_tc_per_class_and_macro_f1():
    # gold: LL@0, Doubt@10, Doubt@20; pred: LL@0, LL@10, Doubt@20 -> accuracy 2/3
    # LL:    TP 1, FP 1, FN 0 -> P 1/2, R 1,   F1 2/3
    # Doubt: TP 1, FP 0, FN 1 -> P 1,   R 1/2, F1 2/3
    # other 12 classes F1 0 -> macro = (2/3 + 2/3)/14 = 2/21
    gold = [("a", LL, 0, 5), ("a", DOUBT, 10, 15), ("a", DOUBT, 20, 25)]
    pred = [("a", LL, 0, 5), ("a", LL, 10, 15), ("a", DOUBT, 20, 25)]
    scores = score_tc(gold, pred)
    assert scores.main == pytest.approx(2 / 3)
    assert scores.metrics["macro_f1"] == pytest.approx(2 / 21)
    assert scores.per_label[LL] == pytest.approx(
        {"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1}
    )
    assert scores.per_label[DOUBT] == pytest.approx(
        {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}
    )
    assert set(scores.per_label) == set(PTC_TECHNIQUES)
    assert scores.support == 3


def test_tc_missing_and_extra_predictions():
    # gold rows: LL@0, Doubt@10; preds: LL@0, Slogans@0 (one too many for that span),
    # Repetition@30 (no gold span). Doubt@10 is missing -> wrong.
    # accuracy = 1/2; missing = 1; extra = 1 (Slogans@0) + 1 (Repetition@30) = 2
    gold = [("a", LL, 0, 5), ("a", DOUBT, 10, 15)]
    pred = [("a", LL, 0, 5), ("a", SLOGANS, 0, 5), ("a", REPETITION, 30, 35)]
    scores = score_tc(gold, pred)
    assert scores.main == pytest.approx(0.5)
    assert (scores.missing, scores.extra) == (1, 2)
    # Doubt's only gold row went unpredicted: recall 0, and no false positive anywhere.
    assert scores.per_label[DOUBT]["recall"] == 0.0
    assert scores.per_label[LL]["precision"] == 1.0


def test_tc_matches_rows_by_article_and_offsets():
    # Same label and offsets in another article is not a prediction for this row.
    scores = score_tc([("a", LL, 0, 5)], [("b", LL, 0, 5)])
    assert scores.main == 0.0
    assert (scores.missing, scores.extra) == (1, 1)


@pytest.mark.parametrize("side", ["gold", "pred"])
def test_tc_rejects_unknown_technique(side):
    good, bad = [("a", LL, 0, 5)], [("a", "Name_Calling-Labeling", 0, 5)]
    gold, pred = (bad, good) if side == "gold" else (good, bad)
    with pytest.raises(UnknownLabelError, match="E020"):
        score_tc(gold, pred)

"""SemEval-2023 Task 3 scorers, pinned by hand-computed numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propscope.errors import UnknownLabelError
from propscope.evaluation.semeval2023 import (
    score_spans,
    score_subtask1,
    score_subtask2,
    score_subtask3,
)
from propscope.taxonomy import FRAMES, GENRES, TECHNIQUE_NAMES


def test_subtask1_macro_f1_with_class_never_predicted():
    # gold: a rep, b rep, c opi, d sat; pred: a rep, b opi, c opi, d rep
    # reporting: TP 1 (a), FP 1 (d), FN 1 (b) -> P 1/2, R 1/2, F1 1/2
    # opinion:   TP 1 (c), FP 1 (b), FN 0     -> P 1/2, R 1,   F1 2/3
    # satire:    never predicted              -> P 0,   R 0,   F1 0
    # macro = (1/2 + 2/3 + 0)/3 = 7/18; micro = accuracy = 2/4
    gold = {"a": "reporting", "b": "reporting", "c": "opinion", "d": "satire"}
    pred = {"a": "reporting", "b": "opinion", "c": "opinion", "d": "reporting"}
    scores = score_subtask1(gold, pred)
    assert scores.main == pytest.approx(7 / 18)
    assert scores.metrics == pytest.approx({"macro_f1": 7 / 18, "micro_f1": 0.5, "accuracy": 0.5})
    assert scores.per_label["opinion"] == pytest.approx(
        {"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1}
    )
    assert scores.per_label["satire"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert set(scores.per_label) == set(GENRES)
    assert scores.support == 4


def test_subtask1_missing_is_wrong_and_extra_is_ignored():
    # gold: a rep, b opi; pred: a rep, x sat (x not in gold) -> b missing
    # reporting: TP 1 -> F1 1; opinion: FN 1 -> F1 0; satire: no gold, x ignored -> F1 0
    # macro = 1/3; accuracy = 1/2; micro over the 3 genres: TP 1, FP 0, FN 1 -> P 1, R 1/2,
    # F1 = 2/3 (a missing prediction is no genre's false positive)
    scores = score_subtask1({"a": "reporting", "b": "opinion"}, {"a": "reporting", "x": "satire"})
    assert scores.main == pytest.approx(1 / 3)
    assert scores.metrics["accuracy"] == pytest.approx(0.5)
    assert scores.metrics["micro_f1"] == pytest.approx(2 / 3)
    assert (scores.missing, scores.extra) == (1, 1)


def test_subtask1_rejects_unknown_genre():
    with pytest.raises(UnknownLabelError, match="E020"):
        score_subtask1({"a": "reporting"}, {"a": "news"})


def test_subtask2_micro_f1_with_missing_article():
    # gold: a {Economic, Political}, b {Morality}; pred: a {Economic}; b missing -> empty
    # micro: TP 1, FP 0, FN 2 -> P 1, R 1/3, F1 = 2*(1/3)/(4/3) = 1/2
    # macro: Economic F1 1, the other 13 frames 0 -> 1/14
    gold = {"a": {"Economic", "Political"}, "b": {"Morality"}}
    scores = score_subtask2(gold, {"a": {"Economic"}})
    assert scores.main == pytest.approx(0.5)
    assert scores.metrics == pytest.approx(
        {"micro_f1": 0.5, "macro_f1": 1 / 14, "micro_precision": 1.0, "micro_recall": 1 / 3}
    )
    assert scores.missing == 1
    assert set(scores.per_label) == set(FRAMES)


def test_subtask3_micro_versus_macro():
    # (a,1): gold {LL, Doubt}, pred {LL}; (a,2): gold {LL}, pred {LL, Slogans}
    # micro: TP 2 (LL twice), FP 1 (Slogans), FN 1 (Doubt) -> P 2/3, R 2/3, F1 2/3
    # macro over 23 techniques: LL F1 1, Doubt 0, Slogans 0, 20 others 0 -> 1/23
    gold = {("a", 1): {"Loaded_Language", "Doubt"}, ("a", 2): {"Loaded_Language"}}
    pred = {("a", 1): {"Loaded_Language"}, ("a", 2): {"Loaded_Language", "Slogans"}}
    scores = score_subtask3(gold, pred)
    assert scores.main == pytest.approx(2 / 3)
    assert scores.metrics["macro_f1"] == pytest.approx(1 / 23)
    assert scores.per_label["Slogans"]["precision"] == 0.0
    assert scores.per_label["Doubt"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert scores.support == 2


def test_subtask3_rejects_unknown_technique():
    with pytest.raises(UnknownLabelError, match="E020"):
        score_subtask3({("a", 1): {"Smears"}}, {})


@pytest.mark.parametrize(
    ("technique_aware", "expected_f1"),
    [
        # aware: gold LL [0,10) vs pred Doubt [0,10) never intersect -> 0
        (True, 0.0),
        # agnostic: same positions -> 1
        (False, 1.0),
    ],
)
def test_spans_technique_awareness(technique_aware, expected_f1):
    scores = score_spans(
        [("a", "Loaded_Language", 0, 10)], [("a", "Doubt", 0, 10)], technique_aware
    )
    assert scores.main == pytest.approx(expected_f1)


def test_subtask1_macro_averages_over_all_three_genres():
    # Only satire occurs: satire F1 1; reporting and opinion have no gold and no predictions,
    # F1 0 (zero_division=0). macro = (1 + 0 + 0)/3 = 1/3; micro = accuracy = 1
    scores = score_subtask1({"a": "satire"}, {"a": "satire"})
    assert scores.main == pytest.approx(1 / 3)
    assert scores.metrics["micro_f1"] == pytest.approx(1.0)


def test_scores_to_dict_is_a_plain_copy():
    gold = {"a": "satire", "b": "opinion", "c": "reporting"}
    scores = score_subtask1(gold, gold)
    data = scores.to_dict()
    assert data["main"] == 1.0
    assert data["task"] == "semeval2023-subtask1"
    data["metrics"]["macro_f1"] = 0.0
    assert scores.metrics["macro_f1"] == 1.0


_label_sets = st.dictionaries(
    st.tuples(st.sampled_from("abc"), st.integers(1, 4)),
    st.frozensets(st.sampled_from(TECHNIQUE_NAMES), min_size=1, max_size=4),
    min_size=1,
    max_size=6,
)


@given(_label_sets)
def test_subtask3_perfect_prediction_scores_one(gold):
    assert score_subtask3(gold, gold).main == pytest.approx(1.0)


@given(_label_sets, _label_sets)
def test_subtask3_scores_lie_in_unit_interval(gold, pred):
    metrics = score_subtask3(gold, pred).metrics
    assert all(0.0 <= value <= 1.0 for value in metrics.values())

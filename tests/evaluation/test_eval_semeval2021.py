"""SemEval-2021 Task 6 scorers: multi-label subtask 1, technique-aware spans for subtask 2."""

from __future__ import annotations

import pytest

from propscope.errors import UnknownLabelError
from propscope.evaluation.semeval2021 import score_subtask1, score_subtask2

LABELS = ["Smears", "Slogans", "Loaded Language", "Doubt"]


def test_subtask1_micro_and_macro_over_given_labels():
    # m1: gold {Smears, Doubt}, pred {Smears}; m2: gold {Slogans}, pred {Slogans, Doubt}
    # micro: TP 2, FP 1 (Doubt@m2), FN 1 (Doubt@m1) -> P 2/3, R 2/3, F1 2/3
    # Smears F1 1; Slogans F1 1; Doubt TP 0 -> F1 0; Loaded Language 0 -> macro = 2/4
    gold = {"m1": {"Smears", "Doubt"}, "m2": {"Slogans"}}
    pred = {"m1": {"Smears"}, "m2": {"Slogans", "Doubt"}}
    scores = score_subtask1(gold, pred, LABELS)
    assert scores.task == "semeval2021-subtask1"
    assert scores.main == pytest.approx(2 / 3)
    assert scores.metrics["macro_f1"] == pytest.approx(0.5)
    assert list(scores.per_label) == LABELS


def test_subtask1_rejects_label_outside_list():
    with pytest.raises(UnknownLabelError, match="E020"):
        score_subtask1({"m1": {"Smears"}}, {"m1": {"Bandwagon"}}, LABELS)


def test_subtask2_partial_overlap_with_matching_technique():
    # Smears: gold [0,10), pred [5,15) -> P term 5/10, R term 5/10
    # Slogans: gold [20,30), pred Doubt [20,30) -> no credit; Doubt pred counts in S
    # S = 2, T = 2: P = (0.5 + 0)/2 = 0.25; R = (0.5 + 0)/2 = 0.25; F1 = 0.25
    gold = [("m1", "Smears", 0, 10), ("m1", "Slogans", 20, 30)]
    pred = [("m1", "Smears", 5, 15), ("m1", "Doubt", 20, 30)]
    scores = score_subtask2(gold, pred)
    assert scores.task == "semeval2021-subtask2"
    assert scores.metrics == pytest.approx({"precision": 0.25, "recall": 0.25, "f1": 0.25})
    assert scores.per_label["Smears"]["f1"] == pytest.approx(0.5)

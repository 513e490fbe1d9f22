"""SemEval-2023 Task 3 scorers: genre (subtask 1), framing (subtask 2), techniques (subtask 3).

The numbers follow the organisers' scorers: subtask 1 is ranked by macro-F1 over the three
genres, subtasks 2 and 3 by micro-F1 over label sets binarised over the fixed label lists.
The task had no official span metric; :func:`score_spans` applies the SemEval-2020/2021 overlap
rule so span models can be compared on this data too.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from propscope.evaluation.base import Scores, check_labels, per_label_table, score_multilabel
from propscope.evaluation.spans import SpanRow, score_span_overlap
from propscope.taxonomy import FRAMES, GENRES, TECHNIQUE_NAMES

# Stands in for a missing prediction: it is no genre, so it costs its gold class recall without
# adding a false positive to any class.
_NO_PREDICTION = ""


def score_subtask1(gold: Mapping[str, str], pred: Mapping[str, str]) -> Scores:
    """Score genre classification: macro-F1 over reporting/opinion/satire (official).

    Rows are the gold ids. A gold id missing from ``pred`` is a wrong prediction (it counts
    against its gold class's recall but as no class's false positive) and is counted in
    ``missing``; predicted ids not in ``gold`` are ignored and counted in ``extra``.

    Args:
        gold: Gold genre by article id.
        pred: Predicted genre by article id.

    Returns:
        ``main`` is macro-F1; ``metrics`` also has ``micro_f1`` and ``accuracy``;
        ``per_label`` has precision, recall, F1 and support per genre.

    Raises:
        UnknownLabelError: A gold or predicted genre is not one of the three.

    Example:
        >>> gold = {"1": "satire", "2": "opinion", "3": "reporting"}
        >>> score_subtask1(gold, {"1": "satire", "2": "opinion", "3": "opinion"}).main
        0.5555555555555555
    """
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    check_labels(gold.values(), GENRES, "genre")
    check_labels(pred.values(), GENRES, "genre")
    ids = list(gold)
    missing = sum(1 for article_id in ids if article_id not in pred)
    extra = sum(1 for article_id in pred if article_id not in gold)
    task = "semeval2023-subtask1"
    if not ids:
        metrics = {"macro_f1": 0.0, "micro_f1": 0.0, "accuracy": 0.0}
        return Scores(task, 0.0, metrics, extra=extra)

    y_true = [gold[article_id] for article_id in ids]
    y_pred = [pred.get(article_id, _NO_PREDICTION) for article_id in ids]
    labels = list(GENRES)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=0
    )
    metrics = {
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "micro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="micro", zero_division=0)
        ),
        "accuracy": sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(ids),
    }
    return Scores(
        task=task,
        main=metrics["macro_f1"],
        metrics=metrics,
        per_label=per_label_table(labels, precision, recall, f1, support),
        support=len(ids),
        missing=missing,
        extra=extra,
    )


def score_subtask2(
    gold: Mapping[str, Collection[str]], pred: Mapping[str, Collection[str]]
) -> Scores:
    """Score framing: multi-label micro-F1 over the 14 frames (official); macro-F1 too.

    Args:
        gold: Gold frame sets by article id.
        pred: Predicted frame sets by article id; a missing id counts as an empty set.

    Returns:
        ``main`` is micro-F1; see :func:`propscope.evaluation.base.score_multilabel`.

    Raises:
        UnknownLabelError: A frame is not one of the 14.

    Example:
        >>> score_subtask2({"1": {"Economic"}}, {"1": {"Economic", "Political"}}).main
        0.6666666666666666
    """
    return score_multilabel(gold, pred, FRAMES, task="semeval2023-subtask2", kind="frame")


def score_subtask3(
    gold: Mapping[tuple[str, int], Collection[str]],
    pred: Mapping[tuple[str, int], Collection[str]],
) -> Scores:
    """Score paragraph techniques: micro-F1 over the 23 techniques (official); macro-F1 too.

    Args:
        gold: Gold technique sets by ``(article_id, paragraph_no)``.
        pred: Predicted technique sets by the same keys; a missing key counts as an empty set.

    Returns:
        ``main`` is micro-F1; see :func:`propscope.evaluation.base.score_multilabel`.

    Raises:
        UnknownLabelError: A technique is not one of the 23.

    Example:
        >>> score_subtask3({("1", 1): {"Doubt"}}, {("1", 1): {"Doubt"}}).main
        1.0
    """
    return score_multilabel(
        gold, pred, TECHNIQUE_NAMES, task="semeval2023-subtask3", kind="technique"
    )


def score_spans(
    gold: Sequence[SpanRow], pred: Sequence[SpanRow], technique_aware: bool = True
) -> Scores:
    """Score technique spans with the SemEval-2020/2021 partial-overlap rule.

    Args:
        gold: Gold ``(article_id, technique, start, end)`` rows.
        pred: Predicted rows in the same shape.
        technique_aware: Count overlap only between spans of the same technique (FLC /
            SemEval-2021 subtask 2 style); ``False`` ignores techniques (SI style).

    Returns:
        ``main`` is the span F1; see :func:`propscope.evaluation.spans.score_span_overlap`.

    Example:
        >>> gold = [("1", "Doubt", 0, 10)]
        >>> score_spans(gold, [("1", "Doubt", 5, 15)]).main
        0.5
    """
    task = "semeval2023-spans" if technique_aware else "semeval2023-spans-agnostic"
    return score_span_overlap(gold, pred, technique_aware=technique_aware, task=task)


__all__ = ["score_spans", "score_subtask1", "score_subtask2", "score_subtask3"]

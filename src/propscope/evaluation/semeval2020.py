"""SemEval-2020 Task 11 (PTC) scorers: span identification (SI) and technique classification (TC).

SI uses the partial-overlap span F1 of :mod:`propscope.evaluation.spans`, technique-agnostic,
with gold and predicted overlaps merged (the official scorer's ``-m`` flag). TC scores one
technique per gold span row: micro-F1, which equals accuracy over the rows, after predictions for
identical spans with several gold labels are re-ordered to match as many gold labels as possible.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from propscope.evaluation.base import Scores, check_labels, per_label_table
from propscope.evaluation.spans import SiSpan, SpanRow, score_span_overlap
from propscope.taxonomy.mapping import PTC14_NAMES

TcRow = SpanRow
"""A TC row: ``(article_id, technique, start, end)`` with a PTC-14 technique name."""

# The 14 classes of the task's techniques.txt, in the PTC naming the official scorer checks.
# The 14 technique classes of SemEval-2020 Task 11, from the one place label names live.
PTC_TECHNIQUES: tuple[str, ...] = PTC14_NAMES

# Stands in for a missing prediction: no class, so it costs recall but is nobody's false positive.
_NO_PREDICTION = ""


def score_si(gold: Sequence[SiSpan], pred: Sequence[SiSpan]) -> Scores:
    """Score span identification with the official partial-overlap P/R/F1.

    Args:
        gold: Gold ``(article_id, start, end)`` spans; overlapping ones are merged per article.
        pred: Predicted spans in the same shape; overlapping ones are merged too.

    Returns:
        ``main`` is F1; ``metrics`` has ``precision``, ``recall`` and ``f1``; ``support`` is the
        number of merged gold spans.

    Raises:
        SpanError: A span has ``start < 0`` or ``end <= start``.

    Example:
        >>> score_si([("a1", 0, 10)], [("a1", 5, 15)]).metrics
        {'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
    """
    return score_span_overlap(
        [SpanRow(article_id, None, start, end) for article_id, start, end in gold],
        [SpanRow(article_id, None, start, end) for article_id, start, end in pred],
        technique_aware=False,
        task="semeval2020-si",
    )


def _align(gold_labels: list[str], pred_labels: list[str]) -> tuple[list[str | None], int]:
    """Order ``pred_labels`` against ``gold_labels`` to maximise matches.

    Returns the predicted label for each gold position (``None`` where there are fewer
    predictions than gold labels) and the number of predictions left over.
    """
    available = Counter(pred_labels)
    aligned: list[str | None] = [None] * len(gold_labels)
    for i, label in enumerate(gold_labels):
        if available[label] > 0:
            aligned[i] = label
            available[label] -= 1
    # What was not matched fills the remaining positions in the order it was predicted.
    matched = Counter(label for label in aligned if label is not None)
    leftover = []
    for label in pred_labels:
        if matched[label] > 0:
            matched[label] -= 1
        else:
            leftover.append(label)
    leftover.reverse()
    for i in range(len(aligned)):
        if aligned[i] is None and leftover:
            aligned[i] = leftover.pop()
    return aligned, len(leftover)


def score_tc(
    gold: Sequence[TcRow],
    pred: Sequence[TcRow],
    labels: Sequence[str] = PTC_TECHNIQUES,
) -> Scores:
    """Score technique classification: micro-F1 (= accuracy) over the gold rows (official).

    Rows are matched by ``(article_id, start, end)``. Where several gold rows share a span, the
    predictions for that span are re-ordered to match the gold labels as well as possible, so
    label order does not matter. A gold row with no prediction is wrong and counted in
    ``missing``; predictions with no gold row left are ignored and counted in ``extra``.

    Args:
        gold: Gold ``(article_id, technique, start, end)`` rows.
        pred: Predicted rows in the same shape.
        labels: The class list for per-class F1 and label checks (the 14 PTC classes).

    Returns:
        ``main`` is micro-F1; ``metrics`` also has ``accuracy`` (equal) and ``macro_f1``
        over ``labels``; ``per_label`` has precision, recall, F1 and support per class.

    Raises:
        UnknownLabelError: A gold or predicted technique is not in ``labels``.

    Example:
        >>> gold = [("a1", "Doubt", 0, 5), ("a1", "Slogans", 0, 5)]
        >>> pred = [("a1", "Slogans", 0, 5), ("a1", "Doubt", 0, 5)]
        >>> score_tc(gold, pred).main
        1.0
    """
    from sklearn.metrics import precision_recall_fscore_support

    check_labels((row[1] for row in gold), labels, "technique")
    check_labels((row[1] for row in pred), labels, "technique")
    gold_by_span: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    pred_by_span: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for article_id, technique, start, end in gold:
        gold_by_span[(article_id, start, end)].append(str(technique))
    for article_id, technique, start, end in pred:
        pred_by_span[(article_id, start, end)].append(str(technique))

    y_true: list[str] = []
    y_pred: list[str] = []
    missing = 0
    extra = sum(len(found) for span, found in pred_by_span.items() if span not in gold_by_span)
    for span, expected in gold_by_span.items():
        aligned, left_over = _align(expected, pred_by_span.get(span, []))
        extra += left_over
        missing += sum(1 for label in aligned if label is None)
        y_true.extend(expected)
        y_pred.extend(_NO_PREDICTION if label is None else label for label in aligned)

    task = "semeval2020-tc"
    if not y_true:
        metrics = {"micro_f1": 0.0, "accuracy": 0.0, "macro_f1": 0.0}
        return Scores(task, 0.0, metrics, extra=extra)
    accuracy = sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(labels), average=None, zero_division=0
    )
    metrics = {
        # Every gold row gets exactly one (possibly empty) prediction, so micro-F1 is accuracy.
        "micro_f1": accuracy,
        "accuracy": accuracy,
        "macro_f1": float(sum(f1) / len(labels)),
    }
    return Scores(
        task=task,
        main=accuracy,
        metrics=metrics,
        per_label=per_label_table(labels, precision, recall, f1, support),
        support=len(y_true),
        missing=missing,
        extra=extra,
    )


__all__ = ["PTC_TECHNIQUES", "TcRow", "score_si", "score_tc"]

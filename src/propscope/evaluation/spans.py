"""Span precision/recall/F1 with partial credit for overlap (SemEval-2020 SI/FLC, SemEval-2021).

This is the one place the overlap rule lives; the SemEval-2020, 2021 and 2023 scorers call it.

Spans are sets of character positions ``[start, end)``. Within one group (an article, or an
article and technique when technique-aware) overlapping spans are merged first, gold and predicted
alike; spans that only touch (``a.end == b.start``) share no position and stay apart. With S the
merged predicted spans and T the merged gold spans over the whole corpus::

    P  = (1/|S|) Σ_s Σ_t |s∩t| / |s|
    R  = (1/|T|) Σ_s Σ_t |s∩t| / |t|
    F1 = 2PR / (P + R)

where intersections count only between spans of the same group. P is 0 when S is empty, R is 0
when T is empty, and F1 is 0 when P + R is 0.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import NamedTuple

from propscope.errors import Errors, SpanError
from propscope.evaluation.base import Scores
from propscope.types import SpanRow


class SiSpan(NamedTuple):
    """A technique-agnostic span: ``(article_id, start, end)``, end exclusive."""

    article_id: str
    start: int
    end: int


Interval = tuple[int, int]


def merge_overlapping(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge intervals that share at least one position; touching intervals stay apart.

    Args:
        intervals: Half-open ``(start, end)`` pairs, in any order.

    Returns:
        Sorted, pairwise disjoint intervals covering the same positions.

    Raises:
        SpanError: An interval has ``start < 0`` or ``end <= start``.

    Example:
        >>> merge_overlapping([(5, 15), (0, 10), (15, 20)])
        [(0, 15), (15, 20)]
    """
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if start < 0 or end <= start:
            raise SpanError(Errors.E010.format(start=start, end=end))
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _intersections(pred: list[Interval], gold: list[Interval]) -> tuple[float, float]:
    """Return (Σ_s Σ_t |s∩t|/|s|, Σ_t Σ_s |s∩t|/|t|) for two sorted, disjoint lists."""
    overlap_by_pred = [0] * len(pred)
    overlap_by_gold = [0] * len(gold)
    i = j = 0
    while i < len(pred) and j < len(gold):
        (ps, pe), (gs, ge) = pred[i], gold[j]
        shared = min(pe, ge) - max(ps, gs)
        if shared > 0:
            overlap_by_pred[i] += shared
            overlap_by_gold[j] += shared
        # Advance whichever ends first; the other may still overlap the next one.
        if pe <= ge:
            i += 1
        else:
            j += 1
    # Integer overlap over integer length: each term is at most 1, so the sums stay exact bounds.
    precision_sum = math.fsum(o / (e - s) for o, (s, e) in zip(overlap_by_pred, pred, strict=True))
    recall_sum = math.fsum(o / (e - s) for o, (s, e) in zip(overlap_by_gold, gold, strict=True))
    return precision_sum, recall_sum


def _prf(precision_sum: float, recall_sum: float, n_pred: int, n_gold: int) -> dict[str, float]:
    precision = precision_sum / n_pred if n_pred else 0.0
    recall = recall_sum / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _group(rows: Sequence[SpanRow], technique_aware: bool) -> dict[Hashable, list[Interval]]:
    groups: dict[Hashable, list[Interval]] = defaultdict(list)
    for article_id, technique, start, end in rows:
        key = (article_id, technique) if technique_aware else (article_id, None)
        groups[key].append((start, end))
    return {key: merge_overlapping(intervals) for key, intervals in groups.items()}


def score_span_overlap(
    gold: Sequence[SpanRow],
    pred: Sequence[SpanRow],
    *,
    technique_aware: bool,
    task: str,
) -> Scores:
    """Score spans with the partial-overlap rule of the module docstring.

    Args:
        gold: Gold ``(article_id, technique, start, end)`` rows; plain tuples work too.
        pred: Predicted rows in the same shape.
        technique_aware: Intersections count only between spans with the same technique
            (SemEval-2020 FLC, SemEval-2021 subtask 2); otherwise techniques are ignored (SI).
        task: The name recorded in :attr:`Scores.task`.

    Returns:
        ``main`` and ``metrics["f1"]`` are the F1; ``support`` is |T| (merged gold spans).
        When technique-aware, ``per_label`` holds the same numbers per technique.

    Raises:
        SpanError: A span has ``start < 0`` or ``end <= start``.

    Example:
        >>> gold = [("a1", None, 0, 10)]
        >>> score_span_overlap(gold, [("a1", None, 5, 15)], technique_aware=False, task="si").main
        0.5
    """
    gold_groups = _group(gold, technique_aware)
    pred_groups = _group(pred, technique_aware)
    # technique -> [precision_sum, recall_sum, |S|, |T|]
    totals: dict[str | None, list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0])
    for key in gold_groups.keys() | pred_groups.keys():
        gold_spans = gold_groups.get(key, [])
        pred_spans = pred_groups.get(key, [])
        precision_sum, recall_sum = _intersections(pred_spans, gold_spans)
        row = totals[key[1]]
        row[0] += precision_sum
        row[1] += recall_sum
        row[2] += len(pred_spans)
        row[3] += len(gold_spans)
    n_pred = int(sum(row[2] for row in totals.values()))
    n_gold = int(sum(row[3] for row in totals.values()))
    metrics = _prf(
        math.fsum(row[0] for row in totals.values()),
        math.fsum(row[1] for row in totals.values()),
        n_pred,
        n_gold,
    )
    per_label: dict[str, dict[str, float]] = {}
    if technique_aware:
        for technique in sorted(totals, key=str):
            p_sum, r_sum, s_count, t_count = totals[technique]
            per_label[str(technique)] = {
                **_prf(p_sum, r_sum, int(s_count), int(t_count)),
                "support": int(t_count),
            }
    return Scores(
        task=task, main=metrics["f1"], metrics=metrics, per_label=per_label, support=n_gold
    )


__all__ = ["SiSpan", "SpanRow", "merge_overlapping", "score_span_overlap"]

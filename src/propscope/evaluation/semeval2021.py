"""SemEval-2021 Task 6 scorers: meme techniques (subtask 1) and technique spans (subtask 2).

Subtask 1 is ranked by micro-F1 over label sets binarised over the technique list (macro-F1 is
also reported); subtask 2 by the partial-overlap span F1 in which the technique must match.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from propscope.evaluation.base import Scores, score_multilabel
from propscope.evaluation.spans import SpanRow, score_span_overlap


def score_subtask1(
    gold: Mapping[str, Collection[str]],
    pred: Mapping[str, Collection[str]],
    labels: Sequence[str],
) -> Scores:
    """Score meme technique sets: multi-label micro-F1 (official) and macro-F1 over ``labels``.

    Args:
        gold: Gold technique sets by meme id.
        pred: Predicted technique sets by meme id; a missing id counts as an empty set.
        labels: The technique list to binarise over (the task's 20 names, in whichever naming
            the caller's data uses).

    Returns:
        ``main`` is micro-F1; see :func:`propscope.evaluation.base.score_multilabel`.

    Raises:
        UnknownLabelError: A technique is not in ``labels``.

    Example:
        >>> score_subtask1({"m1": {"Smears"}}, {"m1": {"Smears"}}, ["Smears", "Slogans"]).main
        1.0
    """
    return score_multilabel(gold, pred, labels, task="semeval2021-subtask1", kind="technique")


def score_subtask2(gold: Sequence[SpanRow], pred: Sequence[SpanRow]) -> Scores:
    """Score technique spans: partial-overlap F1 where the technique must match (official).

    Args:
        gold: Gold ``(meme_id, technique, start, end)`` rows.
        pred: Predicted rows in the same shape.

    Returns:
        ``main`` is the span F1; ``per_label`` has the same numbers per technique.

    Example:
        >>> score_subtask2([("m1", "Smears", 0, 10)], [("m1", "Smears", 0, 10)]).main
        1.0
    """
    return score_span_overlap(gold, pred, technique_aware=True, task="semeval2021-subtask2")


__all__ = ["score_subtask1", "score_subtask2"]

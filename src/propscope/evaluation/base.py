"""The score record every scorer returns, and the shared label-set (classification) scoring.

Scorers take plain Python data (mappings and tuples) that :mod:`propscope.corpora` has already
read; nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from propscope.errors import Errors, UnknownLabelError


@dataclass(frozen=True)
class Scores:
    """The result of one official scorer.

    Attributes:
        task: Which scorer produced this, e.g. ``"semeval2023-subtask1"``.
        main: The official headline number of the task (macro-F1, micro-F1 or span F1).
        metrics: Every corpus-level number, e.g. ``{"macro_f1": ..., "micro_f1": ...}``.
        per_label: For each label, its ``precision``, ``recall``, ``f1`` and ``support``.
        support: The number of gold items scored (rows, paragraphs or merged gold spans).
        missing: Gold items with no prediction at all (scored as wrong).
        extra: Predictions with no gold item to score against (ignored).
    """

    task: str
    main: float
    metrics: dict[str, float]
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    support: int = 0
    missing: int = 0
    extra: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready copy (plain dicts, no shared references)."""
        return {
            "task": self.task,
            "main": self.main,
            "metrics": dict(self.metrics),
            "per_label": {name: dict(values) for name, values in self.per_label.items()},
            "support": self.support,
            "missing": self.missing,
            "extra": self.extra,
        }


def check_labels(labels: Iterable[str], allowed: Collection[str], kind: str) -> None:
    """Raise :class:`UnknownLabelError` for the first label that is not in ``allowed``.

    Args:
        labels: The labels to check.
        allowed: The scorer's fixed label list.
        kind: What the labels are (``"genre"``, ``"frame"``, ``"technique"``), for the message.

    Raises:
        UnknownLabelError: A label is not in ``allowed``.
    """
    for label in labels:
        if label not in allowed:
            raise UnknownLabelError(
                Errors.E020.format(kind=kind, name=label, expected=", ".join(allowed))
            )


def per_label_table(
    labels: Sequence[str],
    precision: Sequence[float],
    recall: Sequence[float],
    f1: Sequence[float],
    support: Sequence[int],
) -> dict[str, dict[str, float]]:
    """Zip sklearn's ``average=None`` arrays into ``{label: {"precision": ..., ...}}``."""
    return {
        label: {
            "precision": float(p),
            "recall": float(r),
            "f1": float(f),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }


def score_multilabel(
    gold: Mapping[Hashable, Collection[str]],
    pred: Mapping[Hashable, Collection[str]],
    labels: Sequence[str],
    *,
    task: str,
    kind: str = "label",
) -> Scores:
    """Multi-label micro- and macro-F1 over a fixed label list, as the organisers compute them.

    Each gold key is one row; both label sets are binarised over ``labels`` (sklearn
    ``MultiLabelBinarizer``) and scored with ``f1_score(average="micro" | "macro",
    zero_division=0)``. A gold key missing from ``pred`` is scored as an empty prediction and
    counted in ``missing``; prediction keys not in ``gold`` are ignored and counted in ``extra``.
    ``main`` is micro-F1.

    Args:
        gold: Gold label sets by row key.
        pred: Predicted label sets by row key.
        labels: The fixed label list to binarise over.
        task: The name recorded in :attr:`Scores.task`.
        kind: What the labels are, for error messages.

    Returns:
        The scores; ``support`` is the number of gold rows.

    Raises:
        UnknownLabelError: A gold or predicted label is not in ``labels``.
    """
    from sklearn.metrics import f1_score, precision_recall_fscore_support
    from sklearn.preprocessing import MultiLabelBinarizer

    keys = list(gold)
    for key in keys:
        check_labels(gold[key], labels, kind)
    for key in pred:
        check_labels(pred[key], labels, kind)
    missing = sum(1 for key in keys if key not in pred)
    extra = sum(1 for key in pred if key not in gold)
    metric_names = ("micro_f1", "macro_f1", "micro_precision", "micro_recall")
    if not keys:
        return Scores(task, 0.0, dict.fromkeys(metric_names, 0.0), missing=0, extra=extra)

    binarizer = MultiLabelBinarizer(classes=list(labels)).fit([list(labels)])
    y_true = binarizer.transform([list(gold[key]) for key in keys])
    y_pred = binarizer.transform([list(pred.get(key, ())) for key in keys])
    micro_p, micro_r, micro_f1, _ = precision_recall_fscore_support(
        y_true, y_pred, average="micro", zero_division=0
    )
    macro_f1 = f1_score(y_true, y_pred, average="macro", zero_division=0)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, average=None, zero_division=0
    )
    metrics = {
        "micro_f1": float(micro_f1),
        "macro_f1": float(macro_f1),
        "micro_precision": float(micro_p),
        "micro_recall": float(micro_r),
    }
    return Scores(
        task=task,
        main=metrics["micro_f1"],
        metrics=metrics,
        per_label=per_label_table(labels, precision, recall, f1, support),
        support=len(keys),
        missing=missing,
        extra=extra,
    )


__all__ = ["Scores", "check_labels", "per_label_table", "score_multilabel"]

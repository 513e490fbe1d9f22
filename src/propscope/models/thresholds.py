"""Decisions from scores: thresholds and class offsets tuned for F1 on held-out scores, and the
labels they give.

Every classifier family (linear, fine-tuned encoder, ensemble) tunes its multi-label thresholds
here on out-of-fold or held-out probabilities; the single-label genre model tunes per-class
offsets for macro-F1 (:func:`macro_f1_offsets`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from propscope.types import Label


def best_threshold(
    scores: np.ndarray, truth: np.ndarray, grid: np.ndarray | None = None, digits: int = 3
) -> tuple[float, float]:
    """The threshold in ``grid`` (default 0.05 to 0.95 in steps of 0.025) that maximises F1 of
    ``scores >= t`` against boolean ``truth`` (the first best on a tie), rounded to ``digits``,
    and that F1.

    Example:
        >>> best_threshold(np.array([0.25, 0.6, 0.8, 0.9]), np.array([False, True, True, True]))
        (0.25, 1.0)
    """
    best_t, best_f1 = 0.5, -1.0
    positives = float(truth.sum())
    for t in np.arange(0.05, 0.96, 0.025) if grid is None else grid:
        pred = scores >= t
        tp = float((pred & truth).sum())
        f1 = 2 * tp / max(1.0, float(pred.sum()) + positives)
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
    return round(best_t, digits), best_f1


def tune_thresholds(
    scores: np.ndarray, truth: np.ndarray, mode: str, min_support: int
) -> list[float]:
    """Thresholds per label from held-out ``scores`` against boolean ``truth``, ``(n, labels)``.

    ``mode="global"``: one threshold for all labels (best for micro-F1 on few examples);
    ``"per_label"``: one per label, labels with fewer than ``min_support`` positives fall back to
    the global one.
    """
    global_t, _ = best_threshold(scores.ravel(), truth.ravel())
    if mode == "global":
        return [global_t] * truth.shape[1]
    supported = truth.sum(axis=0) >= min_support
    return [
        best_threshold(scores[:, j], truth[:, j])[0] if supported[j] else global_t
        for j in range(truth.shape[1])
    ]


def language_thresholds(
    scores: np.ndarray, truth: np.ndarray, languages: Sequence[str], min_support: int
) -> dict[str, float]:
    """One threshold for all labels per language with at least ``min_support`` positives among
    its rows of held-out ``scores`` and boolean ``truth``, ``(n, labels)``."""
    out = {}
    for code in dict.fromkeys(languages):
        rows = [r for r, lang in enumerate(languages) if lang == code]
        if truth[rows].sum() >= min_support:
            out[code] = tune_thresholds(scores[rows], truth[rows], "global", min_support)[0]
    return out


def labels_by_language(
    scores: np.ndarray,
    labels: Sequence[str],
    thresholds: Sequence[float],
    by_language: dict[str, float],
    languages: Sequence[str] | None,
    threshold: float | None = None,
) -> list[list[Any]]:
    """Multi-label :func:`labels_from_scores` where each row's language picks its threshold from
    ``by_language`` (rows in other languages keep ``thresholds``); ``threshold`` overrides all."""
    if threshold is not None or not by_language or languages is None:
        return labels_from_scores(scores, labels, True, thresholds, threshold)
    return [
        labels_from_scores(row[None], labels, True, thresholds, by_language.get(code))[0]
        for row, code in zip(scores, languages, strict=True)
    ]


def labels_from_scores(
    scores: np.ndarray,
    labels: Sequence[str],
    multi_label: bool,
    thresholds: Sequence[float],
    threshold: float | None = None,
) -> list[list[Any]]:
    """:class:`~propscope.types.Label` lists per row of ``scores``, best first.

    Single-label: the best label. Multi-label: every label at or above its threshold (or
    ``threshold`` for all, if given).
    """
    out = []
    for row in scores:
        if not multi_label:
            j = int(row.argmax())
            out.append([Label(labels[j], float(row[j]))])
            continue
        picked = [
            Label(labels[j], float(row[j]))
            for j in range(len(row))
            if row[j] >= (threshold if threshold is not None else thresholds[j])
        ]
        out.append(sorted(picked, key=lambda label: -label.score))
    return out


def macro_f1_offsets(
    logits: np.ndarray, y: np.ndarray, grid: np.ndarray | None = None, rounds: int = 3
) -> np.ndarray:
    """Offsets per class, added to ``logits`` ``(n, classes)`` before the argmax, that maximise
    macro-F1 against the class indices ``y`` (coordinate ascent over ``grid``; the most frequent
    class keeps 0; a tie keeps the smaller offset, so offsets move only when F1 improves).

    Example:
        >>> logits = np.array([[2.0, 1.0], [2.0, 1.5], [3.0, 0.0], [4.0, 0.0]])
        >>> macro_f1_offsets(logits, np.array([0, 1, 0, 0])).tolist()
        [0.0, 0.75]
    """
    from sklearn.metrics import f1_score

    grid = np.arange(-3.0, 3.01, 0.25) if grid is None else grid
    n_classes = logits.shape[1]
    present = np.unique(y)
    offsets = np.zeros(n_classes, dtype=np.float32)

    def score(candidate: np.ndarray) -> float:
        pred = (logits + candidate).argmax(axis=1)
        return float(f1_score(y, pred, labels=present, average="macro", zero_division=0))

    reference = int(np.bincount(y, minlength=n_classes).argmax())
    best = score(offsets)
    for _ in range(rounds):
        moved = False
        for c in present:
            if c == reference:
                continue
            for value in sorted(grid, key=abs):
                candidate = offsets.copy()
                candidate[c] = value
                f1 = score(candidate)
                if f1 > best + 1e-9:
                    best, offsets, moved = f1, candidate, True
        if not moved:
            break
    return offsets

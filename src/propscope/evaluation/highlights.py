"""What the highlights a reader sees are worth: spans shown from a floor, their precision and
recall (technique-aware, SemEval-2020 overlap rule), how long they are, and how well their
scores are calibrated (observed precision per score decile; expected calibration error).

``benchmarks/span_highlights.py`` (the taggers' held-out articles), ``span_candidates.py`` and
``ptc_highlights.py`` (PTC dev) measure with these functions.

Example:
    >>> from propscope.types import Document, Span
    >>> doc = Document("a", "They are corrupt liars.")
    >>> gold = doc.with_spans([Span.from_text(doc.text, 9, 22, "Name_Calling-Labeling")])
    >>> found = [[Span.from_text(doc.text, 17, 22, "Name_Calling-Labeling", 0.6),
    ...           Span.from_text(doc.text, 0, 4, "Doubt", 0.2)]]
    >>> m = highlight_measures([gold], shown(found, 0.5))
    >>> m["precision"], m["spans"], m["one_word_share"]
    (1.0, 1, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from propscope.evaluation.spans import score_span_overlap
from propscope.models.calibration import span_precision
from propscope.types import Document, Span


def shown(predicted: Sequence[Sequence[Span]], floor: float) -> list[list[Span]]:
    """Per article, the spans whose score reaches ``floor`` (what ``min_confidence`` shows)."""
    return [[s for s in spans if s.score >= floor] for spans in predicted]


def highlight_measures(
    docs: Sequence[Document], predicted: Sequence[Sequence[Span]]
) -> dict[str, Any]:
    """Precision, recall and F1 of ``predicted`` against the spans of ``docs`` (technique-aware,
    overlap), with the spans per article (and the annotated ones), the share of one-word spans
    and the median length in words."""
    gold = [(d.id, s.technique, s.start, s.end) for d in docs for s in d.spans]
    pred = [
        (d.id, s.technique, s.start, s.end)
        for d, ps in zip(docs, predicted, strict=True)
        for s in ps
    ]
    scores = score_span_overlap(gold, pred, technique_aware=True, task="spans")
    n = len(pred)
    words = [len(s.text.split()) for ps in predicted for s in ps]
    return {
        "precision": round(scores.metrics["precision"], 4),
        "recall": round(scores.metrics["recall"], 4),
        "f1": round(scores.metrics["f1"], 4),
        "spans": n,
        "spans_per_article": round(n / max(1, len(docs)), 2),
        "gold_per_article": round(len(gold) / max(1, len(docs)), 2),
        "one_word_share": round(sum(w == 1 for w in words) / max(1, n), 4),
        "median_words": float(np.median(words)) if words else 0.0,
        "articles": len(docs),
    }


def scored_precisions(
    docs: Sequence[Document], predicted: Sequence[Sequence[Span]]
) -> tuple[np.ndarray, np.ndarray]:
    """Every predicted span's score, and its observed precision against its article's spans
    (:func:`~propscope.models.calibration.span_precision`): the inputs of :func:`reliability`
    and :func:`expected_calibration_error`."""
    pairs = [(s, d) for d, spans in zip(docs, predicted, strict=True) for s in spans]
    scores = np.array([s.score for s, _ in pairs])
    targets = np.array([span_precision(s, d.spans) for s, d in pairs])
    return scores, targets


def reliability(scores: np.ndarray, targets: np.ndarray) -> list[dict[str, Any]]:
    """Per score decile: the spans in it, their mean score, their mean observed precision
    (``targets``: each span's share of characters inside an annotated span of its technique)
    and the share of them that overlap one at all.

    Example:
        >>> rows = reliability(np.array([0.05, 0.12, 0.18]), np.array([0.0, 1.0, 0.5]))
        >>> rows[1]["count"], rows[1]["mean_score"], rows[1]["observed_precision"]
        (2, 0.15, 0.75)
    """
    bins = np.minimum((scores * 10).astype(int), 9)
    rows = []
    for b in range(10):
        inside = bins == b
        n = int(inside.sum())
        rows.append(
            {
                "decile": f"{b / 10:.1f}-{(b + 1) / 10:.1f}",
                "count": n,
                "mean_score": round(float(scores[inside].mean()), 4) if n else None,
                "observed_precision": round(float(targets[inside].mean()), 4) if n else None,
                "overlap_share": round(float((targets[inside] > 0).mean()), 4) if n else None,
            }
        )
    return rows


def expected_calibration_error(scores: np.ndarray, targets: np.ndarray) -> float:
    """The mean of |mean score - mean observed precision| over score deciles, weighted by the
    spans in each.

    Example:
        >>> round(expected_calibration_error(np.array([0.3, 0.35]), np.array([0.5, 0.5])), 3)
        0.175
    """
    bins = np.minimum((scores * 10).astype(int), 9)
    total = 0.0
    for b in range(10):
        inside = bins == b
        if inside.any():
            total += inside.sum() * abs(scores[inside].mean() - targets[inside].mean())
    return float(total / max(1, len(scores)))

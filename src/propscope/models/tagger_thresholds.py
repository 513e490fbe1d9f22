"""The span tagger's decision thresholds, tuned on the articles its training held out: first per
label for token-level F1, then (``threshold_metric = "spans"``) for the partial-overlap F1 of the
spans they decode, with the technique-agnostic channel's decoding hysteresis searched too."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from propscope.errors import Errors, TrainingError
from propscope.evaluation.spans import SpanRow, score_span_overlap
from propscope.models.decoding import ANY, decode_spans
from propscope.models.tagger_tokens import Encoded
from propscope.models.thresholds import best_threshold
from propscope.types import Document

#: Labels with fewer positive tokens or gold spans than this keep the threshold they have.
MIN_EVIDENCE = 20


def check_tuning_settings(threshold_metric: str, rare_label_thresholds: str) -> None:
    """Raise ``TrainingError`` for a ``[tagger]`` tuning setting that names no method."""
    for name, value, allowed in (
        ("threshold_metric", threshold_metric, ("tokens", "spans")),
        ("rare_label_thresholds", rare_label_thresholds, ("tokens", "rate")),
    ):
        if value not in allowed:
            raise TrainingError(
                Errors.E043.format(
                    reason=f"[tagger] {name} is {value!r}; use one of {', '.join(allowed)}"
                )
            )


def expected_span_counts(
    labels: Sequence[str], held_out: Sequence[Document], documents: Sequence[Document]
) -> dict[str, float]:
    """Per label, the spans its rate in all training ``documents`` predicts on ``held_out``
    (part of them): what ``rare_label_thresholds = "rate"`` aims a rare label's threshold at."""
    share = len(held_out) / max(1, len(documents))
    counts = Counter(span.technique for doc in documents for span in doc.spans)
    counts[ANY] = sum(counts.values())
    return {label: counts[label] * share for label in labels}


def token_thresholds(
    labels: Sequence[str],
    thresholds: dict[str, float],
    probs: list[np.ndarray],
    targets: list[np.ndarray],
) -> None:
    """Set, in ``thresholds``, each label's threshold that maximises token-level F1 of the
    held-out token ``probs`` against ``targets`` (one array per article, tokens x labels)."""
    p = np.concatenate(probs)
    t = np.concatenate(targets) > 0.5
    grid = np.arange(0.05, 0.91, 0.025)
    for j, label in enumerate(labels):
        if t[:, j].sum() < MIN_EVIDENCE:
            continue  # too little evidence: keep the default
        thresholds[label] = best_threshold(p[:, j], t[:, j], grid, digits=2)[0]


def span_thresholds(
    tagger: Any,
    thresholds: dict[str, float],
    docs: Sequence[Document],
    probs: list[np.ndarray],
    encodings: Sequence[Encoded],
    expected: dict[str, float] | None = None,
) -> float | None:
    """Set, in ``thresholds``, per label the threshold whose decoded spans score best
    (partial-overlap F1) on the held-out ``docs``; returns the decoding hysteresis chosen for
    the technique-agnostic channel, or None when ``tagger``'s config has no ``hysteresis_grid``.

    With a ``hysteresis_grid``, the technique-agnostic channel's best (hysteresis, threshold)
    pair is searched first and the other labels' thresholds are tuned under it. A label with
    fewer than 20 held-out spans keeps its token-level threshold, or, with ``expected`` (spans
    per label its training rate predicts on ``docs``), gets the threshold whose decoded spans
    come nearest that number (of equals, the one nearest the token-level threshold).
    """
    cfg = tagger.config
    chosen_hysteresis: float | None = None

    def current_hysteresis() -> float:
        return chosen_hysteresis if chosen_hysteresis is not None else tagger._hysteresis()

    def decoded(j: int, label: str, thr: float, hysteresis: float) -> list[SpanRow]:
        return [
            SpanRow(doc.id, None, s.start, s.end)
            for doc, p, enc in zip(docs, probs, encodings, strict=True)
            for s in decode_spans(
                doc.text,
                p[:, j : j + 1],
                enc.offsets,
                [label],
                {label: thr},
                None,
                replace(tagger.decode_settings(doc.language), hysteresis=hysteresis),
            )
        ]

    def f1(j: int, label: str, thr: float, gold: list[SpanRow], hysteresis: float) -> float:
        pred = decoded(j, label, thr, hysteresis)
        return score_span_overlap(gold, pred, technique_aware=False, task="tuning").main

    grid = [float(t) for t in np.arange(0.1, 0.71, 0.025)]
    order = sorted(range(len(cfg.labels)), key=lambda j: cfg.labels[j] != ANY)  # ANY first
    for j in order:
        label = cfg.labels[j]
        gold = [
            SpanRow(doc.id, None, s.start, s.end)
            for doc in docs
            for s in doc.spans
            if label == ANY or s.technique == label
        ]
        if len(gold) < MIN_EVIDENCE:
            if expected is not None:  # as many spans as the training rate predicts
                now = thresholds[label]
                candidates = [
                    (abs(len(decoded(j, label, t, current_hysteresis())) - expected[label]), t)
                    for t in grid
                ]
                best = min(candidates, key=lambda c: (c[0], abs(c[1] - now)))
                thresholds[label] = round(best[1], 3)
            continue  # too little evidence to tune for F1
        hystereses = cfg.hysteresis_grid if label == ANY and cfg.hysteresis_grid else None
        scored = [
            (f1(j, label, thr, gold, h), thr, h)
            for h in hystereses or [current_hysteresis()]
            for thr in grid
        ]
        _, chosen, hysteresis = max(scored, key=lambda x: x[0])  # the first of equal ones
        thresholds[label] = round(chosen, 3)
        if hystereses:
            chosen_hysteresis = hysteresis
    return chosen_hysteresis

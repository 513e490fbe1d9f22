"""Calibrated span confidences: a span's score becomes the precision it is expected to have.

The span tagger's raw score (the mean token probability of a span) is not a probability: on
articles the tagger never saw, spans scoring 0.5-0.7 were right less than half the time, and
spans whose technique the paragraph classifier also found were right far more often than the
others. :class:`SpanCalibration` maps what the pipeline knows about a span when it predicts it
to the span's expected overlap precision (the share of its characters inside an annotated span
of the same technique, the SemEval-2020 FLC precision of that one span), with one logistic
regression per technique category over these features:

* ``raw``: the logit of the span's raw score;
* ``margin``: the log ratio of the raw score to its technique's tuned threshold;
* ``paragraph``: the logit of the linear paragraph model's probability for the same technique in
  the span's paragraph (the consistency between levels);
* ``words``: log(1 + the span's number of words);
* ``prior``: the log share of the technique among annotated spans in training.

It is fitted on the articles the tagger's training held out (:meth:`SpanTagger._split`), which
trained neither the adapters nor (through a refit without them) the paragraph evidence, so the
spans it learns from are like spans on new articles. The same file holds the span shaping that
is applied before scoring: fragments of one technique are joined, and spans of clause-level
techniques shorter than their technique's typical annotated length grow to their clause.

Saved as ``calibration.json`` in the pipeline's folder: numbers only (coefficients, lengths,
counts), nothing derived from corpus text.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import Errors, ModelLoadError
from propscope.evaluation.spans import merge_overlapping
from propscope.models.base import paragraph_rows
from propscope.models.decoding import (
    decode_spans,
    extend_single_words,
    grow_to_clauses,
    join_fragments,
    tidy_edges,
    trim_function_words,
)
from propscope.models.linear import LinearTextClassifier
from propscope.taxonomy import TECHNIQUE_NAMES, get_technique
from propscope.types import Document, Span

CALIBRATION_FILE = "calibration.json"
FEATURES = ("raw", "margin", "paragraph", "words", "prior")
# Techniques whose annotated spans have a median of at least this many words are clause-level:
# their shorter spans grow to the clause around them.
CLAUSE_MEDIAN_WORDS = 8.0
_EPS = 1e-4


def _logit(p: np.ndarray | float) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(q / (1 - q))


@dataclass
class SpanCalibration:
    """Span shaping and calibrated scores, fitted on held-out articles.

    Attributes:
        join_gap: fragments of one technique at most this many characters apart (spaces and
            short punctuation within a line) are joined.
        clause_words: per clause-level technique, the number of words under which a span grows
            to its clause (the 25th percentile of its annotated spans' lengths).
        phrase_techniques: techniques annotated on phrases (a median of at least two words,
            fewer than 30% of spans one word): their one-word spans take in the next content word.
        trim_function_words: cut function words off the end of multi-word spans ("the arrogant
            clowns at" -> "the arrogant clowns").
        tidy: last, cut stray punctuation off span edges and pair quotation marks
            (:func:`~propscope.models.decoding.tidy_edges`).
        priors: per technique, its share of the annotated spans in training.
        coefficients: per category, ``[intercept, *weights]`` over :data:`FEATURES`; a category
            missing here uses ``"*"`` (all categories pooled).
        info: how it was fitted (counts; no text).

    Example:
        >>> cal = SpanCalibration(coefficients={"*": [0.0, 1.0, 0.0, 0.0, 0.0, 0.0]})
        >>> round(float(cal.predict(np.array([[0.0, 0, 0, 0, 0]]), ["Loaded_Language"])[0]), 2)
        0.5
    """

    join_gap: int = 3
    clause_words: dict[str, float] = field(default_factory=dict)
    phrase_techniques: list[str] = field(default_factory=list)
    trim_function_words: bool = True
    tidy: bool = True
    priors: dict[str, float] = field(default_factory=dict)
    coefficients: dict[str, list[float]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------------------- shaping
    def shape(self, text: str, spans: Sequence[Span], language: str = "en") -> list[Span]:
        """Join fragments of one technique, grow clause-level spans to their clause, cut function
        words off span ends, extend one-word spans of phrase-level techniques by the next
        content word, and cut stray punctuation off the edges (quotation marks paired)."""
        shaped = join_fragments(text, spans, self.join_gap)
        if self.clause_words:
            shaped = grow_to_clauses(text, shaped, self.clause_words)
        if self.trim_function_words:
            shaped = trim_function_words(text, shaped, language)
        if self.phrase_techniques:
            phrases = set(self.phrase_techniques)
            shaped = join_fragments(text, extend_single_words(text, shaped, phrases, language), 0)
        if self.tidy:
            shaped = tidy_edges(text, shaped)
        return shaped

    # ------------------------------------------------------------------------------ features
    def features(
        self,
        document: Document,
        spans: Sequence[Span],
        evidence: np.ndarray | None,
        thresholds: dict[str, float],
    ) -> np.ndarray:
        """The :data:`FEATURES` of each span, ``(n_spans, len(FEATURES))``.

        ``evidence`` holds the paragraph model's probabilities ``(n_paragraphs, 23)`` in
        :data:`TECHNIQUE_NAMES` order for ``document.paragraphs`` (None: no paragraph model,
        read as the technique's prior).
        """
        index = {name: i for i, name in enumerate(TECHNIQUE_NAMES)}
        starts = [p.start for p in document.paragraphs]
        rows = []
        for span in spans:
            technique = span.technique or ""
            prior = self.priors.get(technique, 1.0 / len(TECHNIQUE_NAMES))
            paragraph = prior
            if evidence is not None and len(starts) and technique in index:
                k = max(0, int(np.searchsorted(starts, span.start, side="right")) - 1)
                paragraph = float(evidence[k, index[technique]])
            raw = max(span.score, _EPS)
            rows.append(
                [
                    float(_logit(raw)),
                    math.log(raw / max(thresholds.get(technique, 0.5), _EPS)),
                    float(_logit(paragraph)),
                    math.log1p(len(span.text.split())),
                    math.log(max(prior, _EPS)),
                ]
            )
        return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))

    # ---------------------------------------------------------------------------- prediction
    def predict(self, x: np.ndarray, techniques: Sequence[str | None]) -> np.ndarray:
        """Calibrated precision of spans with features ``x`` and these techniques."""
        out = np.zeros(len(techniques))
        for i, technique in enumerate(techniques):
            coef = self.coefficients.get(_category(technique)) or self.coefficients.get("*")
            if coef is None:
                raise ModelLoadError(
                    Errors.E041.format(path=CALIBRATION_FILE, reason="no pooled coefficients")
                )
            out[i] = 1.0 / (1.0 + math.exp(-(coef[0] + float(np.dot(coef[1:], x[i])))))
        return out

    def apply(
        self,
        document: Document,
        spans: Sequence[Span],
        evidence: np.ndarray | None,
        thresholds: dict[str, float],
    ) -> list[Span]:
        """Shape ``spans`` and give each its calibrated score (all spans, none dropped)."""
        shaped = self.shape(document.text, spans, document.language)
        if not shaped:
            return []
        x = self.features(document, shaped, evidence, thresholds)
        scores = self.predict(x, [s.technique for s in shaped])
        return [
            Span(s.start, s.end, s.text, s.technique, round(float(p), 4))
            for s, p in zip(shaped, scores, strict=True)
        ]

    # ------------------------------------------------------------------------------- fitting
    def fit(
        self,
        x: np.ndarray,
        targets: np.ndarray,
        techniques: Sequence[str | None],
        by_category: bool = False,
        min_spans: int = 60,
        strength: float = 1.0,
    ) -> SpanCalibration:
        """Fit a logistic regression on spans with features ``x`` and observed precision
        ``targets`` in [0, 1] (soft targets: a span counts as right with weight ``target`` and
        wrong with ``1 - target``). With ``by_category``, also one per category that has at least
        ``min_spans`` spans (on the bundled models' 44 held-out English articles these overfit:
        cross-fitted, the pooled model was better calibrated). ``strength`` is the inverse L2
        penalty."""
        groups: dict[str, list[int]] = defaultdict(list)
        for i, technique in enumerate(techniques):
            groups[_category(technique)].append(i)
        self.coefficients = {"*": _fit_logistic(x, targets, strength)}
        for category, rows in groups.items() if by_category else ():
            if len(rows) >= min_spans and 0 < targets[rows].sum() < len(rows):
                idx = np.asarray(rows)
                self.coefficients[category] = _fit_logistic(x[idx], targets[idx], strength)
        self.info = {
            **self.info,
            "spans": len(targets),
            "mean_precision": round(float(np.mean(targets)) if len(targets) else 0.0, 4),
            "spans_per_category": {c: len(r) for c, r in sorted(groups.items())},
        }
        return self

    # --------------------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """Write ``calibration.json`` into the folder ``path``."""
        path.mkdir(parents=True, exist_ok=True)
        data = {"features": list(FEATURES), **asdict(self)}
        (path / CALIBRATION_FILE).write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> SpanCalibration | None:
        """The calibration saved in the folder ``path``, or None where there is none."""
        file = path / CALIBRATION_FILE
        if not file.exists():
            return None
        data = json.loads(file.read_text(encoding="utf-8"))
        data.pop("min_confidence", None)  # files of the first calibrations: now a pipeline setting
        if data.pop("features", list(FEATURES)) != list(FEATURES):
            raise ModelLoadError(
                Errors.E041.format(path=file, reason=f"features differ from {list(FEATURES)}")
            )
        return cls(**data)


def _category(technique: str | None) -> str:
    if not technique:
        return "*"
    try:
        return get_technique(technique).category
    except LookupError:
        return "*"


def _fit_logistic(x: np.ndarray, targets: np.ndarray, strength: float) -> list[float]:
    from sklearn.linear_model import LogisticRegression

    if len(targets) == 0 or targets.sum() <= 0 or targets.sum() >= len(targets):
        rate = float(np.clip(np.mean(targets) if len(targets) else 0.5, 0.01, 0.99))
        return [float(_logit(rate)), *([0.0] * x.shape[1])]
    xx = np.concatenate([x, x])
    yy = np.concatenate([np.ones(len(x)), np.zeros(len(x))])
    weights = np.concatenate([targets, 1.0 - targets])
    keep = weights > 0
    model = LogisticRegression(C=strength, max_iter=1000)
    model.fit(xx[keep], yy[keep], sample_weight=weights[keep])
    return [round(float(model.intercept_[0]), 6), *(round(float(c), 6) for c in model.coef_[0])]


# ------------------------------------------------------------------------------ the pipeline
def evidence_model(paragraphs: Any) -> Any:
    """The linear paragraph model whose probabilities are the paragraph evidence: the paragraph
    classifier itself, or the first linear member of an ensemble (None if there is none). The
    linear model is used, not the ensemble, because it can be refitted cheaply without the
    calibration's articles (:func:`fit_calibration`), so the evidence it was fitted on is as
    out-of-sample as the evidence it sees on new articles."""
    if isinstance(paragraphs, LinearTextClassifier):
        return paragraphs if paragraphs.config.multi_label else None
    for member in getattr(paragraphs, "members", ()):
        if isinstance(member, LinearTextClassifier) and member.config.multi_label:
            return member
    return None


def paragraph_evidence(model: Any, documents: Sequence[Document]) -> list[np.ndarray | None]:
    """Per document, ``model``'s probabilities ``(n_paragraphs, 23)`` in
    :data:`TECHNIQUE_NAMES` order (None for every document when ``model`` is None)."""
    if model is None:
        return [None for _ in documents]
    texts = [d.paragraph_text(p) for d in documents for p in d.paragraphs]
    languages = [d.language for d in documents for _ in d.paragraphs]
    order = [
        model.config.labels.index(t) if t in model.config.labels else -1 for t in TECHNIQUE_NAMES
    ]
    flat = model.predict_proba(texts, languages=languages) if texts else np.zeros((0, 0))
    out: list[np.ndarray | None] = []
    cursor = 0
    for doc in documents:
        rows = flat[cursor : cursor + len(doc.paragraphs)]
        cursor += len(doc.paragraphs)
        ev = np.zeros((len(rows), len(TECHNIQUE_NAMES)))
        for j, k in enumerate(order):
            ev[:, j] = rows[:, k] if k >= 0 and len(rows) else 0.0
        out.append(ev)
    return out


def calibrate_documents(
    calibration: SpanCalibration,
    documents: Sequence[Document],
    paragraphs: Any,
    thresholds: dict[str, float],
    min_confidence: float,
) -> list[Document]:
    """``documents`` with their spans shaped, calibrated and kept when their calibrated score is at
    least ``min_confidence``."""
    evidence = paragraph_evidence(evidence_model(paragraphs), documents)
    out = []
    for doc, ev in zip(documents, evidence, strict=True):
        spans = calibration.apply(doc, doc.spans, ev, thresholds)
        out.append(doc.with_spans(s for s in spans if s.score >= min_confidence))
    return out


def held_out_evidence(
    paragraphs: Any, paragraph_docs: Sequence[Document], held_out: Sequence[Document]
) -> list[np.ndarray | None]:
    """The paragraph evidence of ``held_out`` as a new article would get it: from the linear
    paragraph model (:func:`evidence_model`) refitted, with its own settings, on
    ``paragraph_docs`` without the held-out articles."""
    linear = evidence_model(paragraphs)
    if linear is None:
        return paragraph_evidence(None, held_out)
    held = {d.id for d in held_out}
    texts, targets, languages = paragraph_rows(d for d in paragraph_docs if d.id not in held)
    # Only its probabilities are read: no out-of-fold threshold tuning (tuning_folds=1).
    refit = LinearTextClassifier(replace(linear.config, tuning_folds=1))
    return paragraph_evidence(refit.fit(texts, targets, languages=languages), held_out)


def fit_calibration(
    tagger: Any,
    paragraphs: Any,
    span_docs: Sequence[Document],
    paragraph_docs: Sequence[Document],
    progress: Any = None,
) -> SpanCalibration | None:
    """Fit the calibration of a trained ``tagger`` (and paragraph model) on the articles its
    training held out from ``span_docs`` (its training documents, in training order); None
    when it held out none (fewer than ten documents).

    The paragraph evidence comes from the linear paragraph model refitted, with its own settings,
    on ``paragraph_docs`` without the held-out articles. Neither encoder is retrained.
    """
    held_out, trained, _ = tagger._split(span_docs)
    if not held_out:
        return None
    clause, phrases, priors = technique_lengths(trained)
    calibration = SpanCalibration(clause_words=clause, phrase_techniques=phrases, priors=priors)
    evidence = held_out_evidence(paragraphs, paragraph_docs, held_out)
    xs, ys, techniques = [], [], []
    for k, (doc, ev) in enumerate(zip(held_out, evidence, strict=True)):
        probs, offsets = tagger.token_probabilities(doc.text)
        raw = decode_spans(
            doc.text,
            probs,
            offsets,
            tagger.config.labels,
            tagger.thresholds_,
            None,
            tagger.decode_settings(doc.language),
        )
        spans = calibration.shape(doc.text, [s for s in raw if s.technique], doc.language)
        xs.append(calibration.features(doc, spans, ev, tagger.thresholds_))
        ys += [span_precision(s, doc.spans) for s in spans]
        techniques += [s.technique for s in spans]
        if progress:
            progress("span calibration", k + 1, len(held_out))
    x = np.concatenate(xs) if xs else np.zeros((0, len(FEATURES)))
    calibration.info = {"articles": len(held_out)}
    return calibration.fit(x, np.asarray(ys), techniques)


# ------------------------------------------------------------------------------- observation
def span_precision(span: Span, gold: Sequence[Span]) -> float:
    """The share of ``span``'s characters inside gold spans of its technique (gold spans of one
    technique that overlap are merged first, as the SemEval-2020 scorer does).

    Example:
        >>> text = "a bb cc dd"
        >>> gold = [Span.from_text(text, 2, 7, "Doubt")]
        >>> span_precision(Span.from_text(text, 5, 10, "Doubt"), gold)
        0.4
    """
    same = merge_overlapping((g.start, g.end) for g in gold if g.technique == span.technique)
    inside = sum(max(0, min(span.end, e) - max(span.start, s)) for s, e in same)
    return inside / (span.end - span.start)


def technique_lengths(
    documents: Sequence[Document],
) -> tuple[dict[str, float], list[str], dict[str, float]]:
    """From annotated documents: per clause-level technique the 25th percentile of its spans'
    word counts (``clause_words``), the phrase-level techniques (``phrase_techniques``), and per
    technique its share of all spans (``priors``)."""
    words: dict[str, list[int]] = defaultdict(list)
    for doc in documents:
        for span in doc.spans:
            if span.technique:
                words[span.technique].append(len(span.text.split()))
    counts = Counter({t: len(v) for t, v in words.items()})
    total = sum(counts.values()) or 1
    clause = {
        t: float(np.percentile(v, 25))
        for t, v in sorted(words.items())
        if len(v) >= 5 and float(np.median(v)) >= CLAUSE_MEDIAN_WORDS
    }
    phrases = [
        t
        for t, v in sorted(words.items())
        if len(v) >= 5
        and t not in clause
        and float(np.median(v)) >= 2
        and float(np.mean(np.asarray(v) == 1)) < 0.3
    ]
    priors = {
        t: round((counts[t] + 1) / (total + len(TECHNIQUE_NAMES)), 6) for t in TECHNIQUE_NAMES
    }
    return clause, phrases, priors


__all__ = [
    "CALIBRATION_FILE",
    "FEATURES",
    "SpanCalibration",
    "calibrate_documents",
    "evidence_model",
    "fit_calibration",
    "paragraph_evidence",
    "span_precision",
    "technique_lengths",
]

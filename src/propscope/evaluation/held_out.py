"""Span highlights on the articles each tagger held out: the unseen-article protocol for spans.

Every bundled tagger held out a deterministic 10% of its training articles
(:meth:`~propscope.models.tagger.SpanTagger.held_out_documents`, seeded by its config): they
trained no adapter, only the thresholds were tuned on them, so its spans there are like spans on
new articles. The helpers here rebuild that list the way ``propscope train`` reads its data,
decode the tagger's spans from cached token probabilities, fit the span calibration on one half
of the articles and score the other (cross-fitting), and add to the spans shown from a floor a
span that explains each paragraph label. ``benchmarks/span_highlights.py``,
``span_candidates.py`` and ``ptc_highlights.py`` measure with them; nothing with corpus text is
written (the caches hold token probabilities and paragraph evidence only).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import ConfigError, Errors
from propscope.models.calibration import SpanCalibration, held_out_evidence, span_precision
from propscope.models.decoding import ANY, decode_spans
from propscope.models.embeddings import embedding_cache
from propscope.models.tagger_tokens import span_means
from propscope.pipeline import Pipeline
from propscope.pipeline import load as load_model
from propscope.taxonomy import TECHNIQUE_NAMES
from propscope.training_data import TrainConfig, TrainingData, load_training_data
from propscope.types import Document, Span

#: The floors the default highlights are measured from (each model's default among them).
FLOORS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)
#: The calibration's inverse L2 penalty (:meth:`SpanCalibration.fit`'s default).
STRENGTH = 1.0


def held_out(
    name: str, folder: str | Path | None, data_dir: Path, configs: Path = Path("configs")
) -> tuple[Pipeline, list[Document], list[Document], TrainingData]:
    """The model ``name`` (bundled, or trained from ``configs/NAME.toml`` or
    ``configs/ablations/NAME.toml`` into ``folder`` when one is given), its held-out and
    training span articles, and its training data.

    Raises:
        ConfigError: E099, the data read now are not the ones the model was trained on.
    """
    found = [configs / f"{name}.toml", configs / "ablations" / f"{name}.toml"]
    config = TrainConfig.from_toml(next((p for p in found if p.exists()), found[0]))
    data = load_training_data(config, data_dir)
    pipeline = load_model(folder or name)
    expected = pipeline.meta["training_counts"]["span_docs"]
    if len(data.span_docs) != expected:
        raise ConfigError(
            Errors.E099.format(model=name, found=len(data.span_docs), expected=expected)
        )
    val, trained, _ = pipeline.tagger._split(data.span_docs)
    return pipeline, val, trained, data


def cached_inputs(
    name: str, pipeline: Pipeline, val: list[Document], data: TrainingData, cache: Path
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Token probabilities and out-of-sample paragraph evidence of the held-out articles."""
    folder = cache / name
    folder.mkdir(parents=True, exist_ok=True)
    probs_file, evidence_file = folder / "probs.pkl", folder / "evidence.pkl"
    if probs_file.exists():
        probs = pickle.loads(probs_file.read_bytes())["probs"]
    else:
        probs = {}
        for doc in val:
            p, offsets = pipeline.tagger.token_probabilities(doc.text)
            probs[doc.id] = (p.astype(np.float16), np.asarray(offsets, dtype=np.int32))
        probs_file.write_bytes(pickle.dumps({"val": [d.id for d in val], "probs": probs}))
    if evidence_file.exists():
        evidence = {k: v["refit"] for k, v in pickle.loads(evidence_file.read_bytes()).items()}
    else:
        with embedding_cache(cache / "embeddings.npz"):  # shared by the English models
            rows = held_out_evidence(pipeline.paragraphs, data.paragraph_docs, val)
        evidence = {d.id: e for d, e in zip(val, rows, strict=True)}
        evidence_file.write_bytes(pickle.dumps({k: {"refit": v} for k, v in evidence.items()}))
    return probs, evidence


def raw_spans(pipeline: Pipeline, doc: Document, probs: Any, factor: float = 1.0) -> list[Span]:
    """The technique spans of ``doc`` decoded at ``factor`` times each tuned threshold."""
    tagger = pipeline.tagger
    p, offsets = probs
    spans = decode_spans(
        doc.text,
        p.astype(np.float32),
        [tuple(o) for o in offsets],
        tagger.config.labels,
        {label: factor * t for label, t in tagger.thresholds_.items()},
        None,
        tagger.decode_settings(doc.language),
    )
    return [s for s in spans if s.technique]


def detected(tagger: Any, doc: Document, probs: Any) -> tuple[list[Span], np.ndarray]:
    """The technique-agnostic spans of ``doc`` (the tagger's ``ANY`` channel, decoded as SI is)
    and, per span, the mean probability of each technique channel over its tokens
    ``(n_spans, 23)``, columns in :data:`~propscope.taxonomy.TECHNIQUE_NAMES` order."""
    p, offsets = probs
    p = p.astype(np.float32)
    labels = tagger.config.labels
    j = labels.index(ANY)
    where = [tuple(o) for o in offsets]
    spans = decode_spans(
        doc.text,
        p[:, j : j + 1],
        where,
        [ANY],
        {ANY: tagger.thresholds_[ANY]},
        None,
        tagger.decode_settings(doc.language),
    )
    columns = [labels.index(t) for t in TECHNIQUE_NAMES]
    return spans, span_means(p, where, [(s.start, s.end) for s in spans], columns)


def si_classified(pipeline: Pipeline, doc: Document, probs: Any) -> list[Span]:
    """Technique-agnostic spans, each given the technique with the highest mean probability."""
    spans, means = detected(pipeline.tagger, doc, probs)
    out = []
    for span, row in zip(spans, means, strict=True):
        k = int(np.argmax(row))
        out.append(Span(span.start, span.end, span.text, TECHNIQUE_NAMES[k], float(row[k])))
    return out


def halves(docs: list[Document]) -> list[int]:
    """0 or 1 per article: alternate within each language over the sorted ids."""
    order = sorted(range(len(docs)), key=lambda i: (docs[i].language, docs[i].id))
    half = [0] * len(docs)
    for rank, i in enumerate(order):
        half[i] = rank % 2
    return half


def crossfit(
    base: SpanCalibration,
    docs: list[Document],
    shaped: list[list[Span]],
    x: list[np.ndarray],
    mask: np.ndarray | None = None,
    **fit_args: Any,
) -> list[list[Span]]:
    """Out-of-fold calibrated spans: fitted on one half, scoring the other."""
    half = halves(docs)
    out: list[list[Span]] = [[] for _ in docs]
    for h in (0, 1):
        train = [i for i in range(len(docs)) if half[i] != h]
        xs = np.concatenate([x[i] for i in train])
        ys = np.array([span_precision(s, docs[i].spans) for i in train for s in shaped[i]])
        if mask is not None:
            xs = xs * mask
        techniques = [s.technique for i in train for s in shaped[i]]
        fit_args = {"strength": STRENGTH, **fit_args}
        cal = replace(base).fit(xs, ys, techniques, **fit_args)
        for i in range(len(docs)):
            if half[i] == h and shaped[i]:
                xi = x[i] * mask if mask is not None else x[i]
                p = cal.predict(xi, [s.technique for s in shaped[i]])
                out[i] = [
                    Span(s.start, s.end, s.text, s.technique, float(q))
                    for s, q in zip(shaped[i], p, strict=True)
                ]
    return out


#: A paragraph's labels: ``(document index, document, paragraph index) -> techniques``.
ParagraphLabels = Callable[[int, Document, int], set[str]]


def evidence_labels(
    evidence: dict[str, np.ndarray], thresholds: dict[str, float]
) -> ParagraphLabels:
    """The labels the paragraph evidence gives at the linear model's ``thresholds``."""

    def labels(i: int, doc: Document, k: int) -> set[str]:
        row = evidence[doc.id][k]
        return {t for j, t in enumerate(TECHNIQUE_NAMES) if row[j] >= thresholds.get(t, 1.0)}

    return labels


def explained(
    docs: list[Document],
    predicted: list[list[Span]],
    labels: ParagraphLabels,
    floor: float,
    label_floor: float = 0.0,
) -> list[list[Span]]:
    """The spans from ``floor``, plus per paragraph label without such a span the best span of
    that technique in the paragraph, when that scores at least ``label_floor``."""
    out = []
    for i, (doc, spans) in enumerate(zip(docs, predicted, strict=True)):
        kept = [s for s in spans if s.score >= floor]
        for k, par in enumerate(doc.paragraphs):
            for technique in sorted(labels(i, doc, k)):
                inside = [
                    s for s in spans if s.technique == technique and par.start <= s.start < par.end
                ]
                if inside and not any(s.score >= floor for s in inside):
                    best = max(inside, key=lambda s: s.score)
                    if best.score >= label_floor:
                        kept.append(best)
        out.append(kept)
    return out


__all__ = [
    "FLOORS",
    "STRENGTH",
    "ParagraphLabels",
    "cached_inputs",
    "crossfit",
    "detected",
    "evidence_labels",
    "explained",
    "halves",
    "held_out",
    "raw_spans",
    "si_classified",
]

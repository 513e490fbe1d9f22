"""More for the span calibration to choose from: designs tried on 2026-12-03, none shipped.

Half of the spans the taggers return overlap an annotated span, but only half of those carry its
technique; spans under their technique's tuned threshold are never shown, even where the
paragraph model is sure of the technique; and a paragraph label often has no shown span. On the
same held-out articles, with the same cross-fitted calibration as ``span_highlights.py`` (whose
cache of token probabilities and paragraph evidence this reads), the spans shown from each
model's default floor (its ``min_confidence``) when the calibration is given:

* ``lower decoding thresholds``: each technique channel decoded at 0.8 or 0.6 times its tuned
  threshold, so spans the paragraph evidence supports can be scored up (their ``margin`` feature
  is then negative);
* ``other techniques of each span``: for every shaped span, each other technique whose mean token
  probability over it reaches 0.8 or 0.5 times that technique's threshold becomes a candidate of
  its own (a span classifier with the paragraph as context);
* ``best in its paragraph``: one more feature, whether the span has the highest raw score of its
  technique in its paragraph (alone, and only where the paragraph evidence is at least 0.5);
* ``paragraph labels explained``: besides the spans from the floor, each paragraph label without
  such a span is shown by its best span of that technique when that scores at least 0.25, 0.3 or
  0.35; the labels are those of the out-of-sample linear paragraph model (its tuned thresholds),
  or those and the techniques of the paragraph's raw spans from 0.3 (``union``, as the bundled
  models label paragraphs).

Rows ``floor F`` are the floors alone, for comparison. Nothing with corpus text is written::

    python benchmarks/span_candidates.py --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from propscope.evaluation.held_out import (
    cached_inputs,
    crossfit,
    evidence_labels,
    explained,
    held_out,
    raw_spans,
)
from propscope.evaluation.highlights import highlight_measures as measure
from propscope.evaluation.highlights import shown
from propscope.models.calibration import SpanCalibration, evidence_model, technique_lengths
from propscope.models.decoding import ANY
from propscope.models.tagger_tokens import span_means
from propscope.results import span_labels
from propscope.types import Document, Span

LOWER = (0.8, 0.6)
RELABEL = (0.8, 0.5)
EXPLAIN = (0.25, 0.3, 0.35)
COMPARE_FLOORS = (0.25, 0.3, 0.35, 0.4, 0.5)
UNION_MIN_SCORE = 0.3  # the bundled models' span_paragraph_min_score


def relabelled(
    pipeline: Any,
    base: SpanCalibration,
    doc: Document,
    probs: Any,
    spans: list[Span],
    factor: float,
) -> list[Span]:
    """``spans`` plus, for each, a copy with every other technique whose mean probability over
    its tokens reaches ``factor`` times that technique's threshold (score: that mean), shaped
    again (overlapping spans of one technique joined, new clause-level ones grown)."""
    tagger = pipeline.tagger
    labels = tagger.config.labels
    columns = [i for i, label in enumerate(labels) if label != ANY]
    p, offsets = probs
    if not spans:
        return []
    where = [(s.start, s.end) for s in spans]
    means = span_means(p.astype(np.float32), [tuple(o) for o in offsets], where, columns)
    out = list(spans)
    for span, row in zip(spans, means, strict=True):
        for k, column in enumerate(columns):
            technique = labels[column]
            floor = factor * tagger.thresholds_.get(technique, 0.5)
            if technique != span.technique and row[k] >= floor:
                out.append(Span(span.start, span.end, span.text, technique, float(row[k])))
    return base.shape(doc.text, sorted(out, key=lambda s: (s.start, s.end)), doc.language)


def best_in_paragraph(
    doc: Document, spans: list[Span], x: np.ndarray, min_evidence: float
) -> np.ndarray:
    """``x`` with one more column: 1 where the span has the highest raw score of its technique
    in its paragraph and (logit) paragraph evidence at least ``min_evidence``."""
    starts = [p.start for p in doc.paragraphs]
    where = [max(0, int(np.searchsorted(starts, s.start, side="right")) - 1) for s in spans]
    best = np.zeros(len(spans))
    for i, span in enumerate(spans):
        rivals = [j for j, t in enumerate(spans) if t.technique == span.technique]
        rivals = [j for j in rivals if where[j] == where[i]]
        best[i] = float(max(rivals, key=lambda j: spans[j].score) == i)
    if not spans:
        return np.zeros((0, x.shape[1] + 1))
    if min_evidence > 0:
        best *= x[:, 2] >= np.log(min_evidence / (1 - min_evidence))
    return np.column_stack([x, best])


def run(name: str, folder: str, args: argparse.Namespace) -> dict[str, Any]:
    pipeline, val, trained, data = held_out(name, folder, args.data_dir)
    probs, evidence = cached_inputs(name, pipeline, val, data, args.cache)
    clause, phrases, priors = technique_lengths(trained)
    base = SpanCalibration(clause_words=clause, phrase_techniques=phrases, priors=priors)
    thresholds = pipeline.tagger.thresholds_
    floor = float(pipeline.settings.min_confidence)
    out: dict[str, Any] = {"model": name, "held_out_articles": len(val), "floor": floor}
    rows: dict[str, Any] = {}

    def features(candidates: list[list[Span]]) -> list[np.ndarray]:
        pairs = zip(val, candidates, strict=True)
        return [base.features(d, s, evidence[d.id], thresholds) for d, s in pairs]

    raw = [raw_spans(pipeline, d, probs[d.id]) for d in val]
    shaped = [base.shape(d.text, r, d.language) for d, r in zip(val, raw, strict=True)]
    x = features(shaped)
    oof = crossfit(base, val, shaped, x)
    for f in COMPARE_FLOORS:
        rows[f"floor {f:g}"] = measure(val, shown(oof, f))
    for factor in LOWER:
        lowered = [raw_spans(pipeline, d, probs[d.id], factor) for d in val]
        cand = [base.shape(d.text, r, d.language) for d, r in zip(val, lowered, strict=True)]
        rows[f"lower decoding thresholds x{factor:g}"] = measure(
            val, shown(crossfit(base, val, cand, features(cand)), floor)
        )
    for factor in RELABEL:
        cand = [
            relabelled(pipeline, base, d, probs[d.id], s, factor)
            for d, s in zip(val, shaped, strict=True)
        ]
        rows[f"other techniques of each span from x{factor:g}"] = measure(
            val, shown(crossfit(base, val, cand, features(cand)), floor)
        )
    for min_evidence, label in ((0.0, "alone"), (0.5, "with paragraph evidence >= 0.5")):
        pairs = zip(val, shaped, x, strict=True)
        xb = [best_in_paragraph(d, s, xi, min_evidence) for d, s, xi in pairs]
        rows[f"best in its paragraph, {label}"] = measure(
            val, shown(crossfit(base, val, shaped, xb), floor)
        )
    linear = evidence_model(pipeline.paragraphs)
    cuts = dict(zip(linear.config.labels, linear.thresholds_, strict=True))

    classifier_labels = evidence_labels(evidence, cuts)

    def union_labels(i: int, doc: Document, k: int) -> set[str]:
        from_spans = span_labels(doc.paragraphs[k], raw[i], UNION_MIN_SCORE)
        return classifier_labels(i, doc, k) | set(from_spans)

    for label_floor in EXPLAIN:
        for kind, labels in (("classifier", classifier_labels), ("union", union_labels)):
            rows[f"paragraph labels explained from {label_floor:g}, {kind} labels"] = measure(
                val, explained(val, oof, labels, floor, label_floor)
            )
    out["rows"] = rows
    for key, m in rows.items():
        print(name, f"{key}: {m['precision']:.3f} / {m['recall']:.3f}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--models", nargs="+", default=["en-fast", "en-accurate", "multi-fast"])
    parser.add_argument("--cache", type=Path, default=Path("runs/calib"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/span-candidates.json"))
    args = parser.parse_args()
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    for spec in args.models:
        name, _, folder = spec.partition("=")
        results[name] = run(name, folder, args)
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

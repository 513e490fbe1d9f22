"""A technique-agnostic span detector, then a span classifier, against the technique channels.

The design several SemEval-2020 Task 11 teams used: find propaganda fragments with one
technique-agnostic detector (SI), then give each a technique with a classifier that reads the
fragment (TC). propscope's tagger has both: its ``ANY`` channel is the detector, and a linear
span classifier (word and character n-grams of the fragment and its line,
``models/span_classifier.py``) scores 0.565 TC micro-F1 on PTC dev's gold fragments where the
mean of the tagger's technique channels over the fragment scored 0.41. Whether that carries over
to fragments the detector finds is measured here, against the spans the technique channels
decode (what ``analyze`` returns), on two kinds of unseen articles:

* **held out**: the 10% of English train en-accurate's tagger held out (its shipped tagger; the
  span classifier is trained on the other 90%, ``SpanTagger._split``), spans shaped and scored
  with a calibration cross-fitted on halves of these articles, as ``span_highlights.py`` does;
  technique-aware overlap precision and recall of all spans, and of those shown from each floor;
* **PTC dev** (news): en-accurate's tagger trained on PTC train only
  (``configs/ablations/ptc-train-accurate-tagger.toml``) and the span classifier trained on PTC
  train, all spans, scored in PTC-14's classes.

Each detected span gets the technique with the highest: mean technique-channel probability over
its tokens (``channels``), span-classifier probability (``classifier``), or geometric mean of the
two (``product``); its score is the geometric mean of its detector score and that technique's
share. The trained classifiers are cached under ``--work``; results are numbers only::

    propscope train configs/ablations/ptc-train-accurate-tagger.toml --data-dir ../shared/data \\
        --out runs/ptc-train-accurate-tagger
    python benchmarks/span_two_stage.py --data-dir ../shared/data \\
        --out benchmarks/results/span-two-stage.json
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from propscope.corpora.ptc import read_ptc
from propscope.evaluation.held_out import (
    FLOORS,
    cached_inputs,
    crossfit,
    detected,
    held_out,
    raw_spans,
)
from propscope.evaluation.highlights import highlight_measures, shown
from propscope.evaluation.ptc_dev import in_ptc14, load_unseen
from propscope.models.calibration import SpanCalibration, technique_lengths
from propscope.models.span_classifier import SpanClassifier
from propscope.taxonomy import TECHNIQUE_NAMES
from propscope.types import Document, Span

LABELLINGS = ("channels", "classifier", "product")
MEASURES = ("precision", "recall", "f1", "spans_per_article", "one_word_share")


def measure(gold: Sequence[Document], spans: Sequence[Sequence[Span]]) -> dict[str, Any]:
    m = highlight_measures(gold, spans)
    return {k: m[k] for k in MEASURES}


def labelled(spans: list[Span], channels: np.ndarray, classes: np.ndarray, how: str) -> list[Span]:
    """Each detected span with one technique, chosen ``how`` (one of LABELLINGS)."""
    out = []
    for k, s in enumerate(spans):
        share = channels[k] / max(float(channels[k].sum()), 1e-6)
        q = {"channels": share, "classifier": classes[k], "product": np.sqrt(classes[k] * share)}[
            how
        ]
        t = int(np.argmax(q))
        score = float(np.sqrt(max(s.score, 1e-6) * q[t] / max(float(q.sum()), 1e-6)))
        out.append(Span(s.start, s.end, s.text, TECHNIQUE_NAMES[t], score))
    return out


def classifier(work: Path, name: str, docs: Sequence[Document]) -> tuple[SpanClassifier, float]:
    """The span classifier trained on ``docs`` (cached in ``work``), and its training seconds."""
    cache = work / f"span-classifier-{name}.pkl"
    if cache.exists():
        model, seconds = pickle.loads(cache.read_bytes())
        return model, seconds
    began = time.perf_counter()
    model = SpanClassifier().fit(docs)
    seconds = time.perf_counter() - began
    cache.write_bytes(pickle.dumps((model, seconds)))
    return model, seconds


def on_held_out(args: argparse.Namespace) -> dict[str, Any]:
    pipeline, val, trained, data = held_out("en-accurate", None, args.data_dir)
    probs, evidence = cached_inputs("en-accurate", pipeline, val, data, args.cache)
    model, seconds = classifier(args.work, "en-accurate-trained", trained)
    clause, phrases, priors = technique_lengths(trained)
    base = SpanCalibration(clause_words=clause, phrase_techniques=phrases, priors=priors)
    thresholds = pipeline.tagger.thresholds_
    found = [detected(pipeline.tagger, d, probs[d.id]) for d in val]
    classes = [
        model.predict_proba(d.text, [(s.start, s.end) for s in spans])
        for d, (spans, _) in zip(val, found, strict=True)
    ]
    variants = {"technique channels (shipped)": [raw_spans(pipeline, d, probs[d.id]) for d in val]}
    for how in LABELLINGS:
        variants[f"detector + {how}"] = [
            labelled(spans, means, c, how) for (spans, means), c in zip(found, classes, strict=True)
        ]
    result: dict[str, Any] = {"articles": len(val), "classifier_seconds": round(seconds)}
    for name, spans in variants.items():
        shaped = [base.shape(d.text, s, d.language) for d, s in zip(val, spans, strict=True)]
        x = [
            base.features(d, s, evidence[d.id], thresholds)
            for d, s in zip(val, shaped, strict=True)
        ]
        oof = crossfit(base, val, shaped, x)
        result[name] = {
            "all": measure(val, spans),
            "shown": {f"{f:g}": measure(val, shown(oof, f)) for f in FLOORS[:5]},
        }
        print("held out", name, json.dumps(result[name]["all"]), flush=True)
    return result


def on_ptc_dev(args: argparse.Namespace) -> dict[str, Any]:
    tagger_model = load_unseen(args.ptc_tagger)
    tagger = tagger_model.tagger
    model, seconds = classifier(
        args.work, "ptc-train", read_ptc(args.data_dir / "ptc-semeval2020" / "train")
    )
    dev = read_ptc(args.data_dir / "ptc-semeval2020" / "dev")
    gold = [d.with_spans(in_ptc14(d.spans)[0]) for d in dev]
    variants: dict[str, list[list[Span]]] = {"technique channels (shipped)": []}
    variants.update({f"detector + {how}": [] for how in LABELLINGS})
    for doc in dev:
        p, offsets = tagger.token_probabilities(doc.text)
        probs = (p, np.asarray(offsets))
        variants["technique channels (shipped)"].append(raw_spans(tagger_model, doc, probs))
        spans, means = detected(tagger, doc, probs)
        classes = model.predict_proba(doc.text, [(s.start, s.end) for s in spans])
        for how in LABELLINGS:
            variants[f"detector + {how}"].append(labelled(spans, means, classes, how))
    result: dict[str, Any] = {"articles": len(dev), "classifier_seconds": round(seconds)}
    for name, spans in variants.items():
        result[name] = {"all": measure(gold, [in_ptc14(s)[0] for s in spans])}
        print("PTC dev", name, json.dumps(result[name]["all"]), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--ptc-tagger", type=Path, default=Path("runs/ptc-train-accurate-tagger"))
    parser.add_argument("--cache", type=Path, default=Path("runs/calib"), help="span_highlights'")
    parser.add_argument("--work", type=Path, default=Path("runs/two-stage"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/span-two-stage.json"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    result = {"held_out": on_held_out(args), "ptc_dev": on_ptc_dev(args)}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Packed inference windows against the strided ones they replaced, on unseen articles.

The bundled tagger held out a fraction of its training articles (``SpanTagger._split``, by its
seed) to tune thresholds; its adapters never saw them. This scores the spans that each window
layout decodes on those articles (technique-aware and technique-agnostic partial-overlap F1, the
shared tasks' measure), and counts the encoder positions each layout runs and its time.

    python benchmarks/tagger_windows.py --model en-fast --config configs/en-fast.toml \\
        --data-dir ../shared/data --out benchmarks/results/tagger-windows-en-fast.json
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from propscope.evaluation.spans import score_span_overlap
from propscope.models.runtime import describe
from propscope.pipeline import load
from propscope.training import TrainConfig, load_training_data


def _per_article(documents: list[Any], pairs: list[tuple[Any, list[Any]]]) -> np.ndarray:
    """Per article: the summed precision and recall credit of its spans (technique-aware,
    overlap rule), its predicted and its gold span counts; summing rows gives the corpus F1."""
    rows = []
    for doc, found in pairs:
        gold = [(doc.id, s.technique, s.start, s.end) for s in doc.spans]
        pred = [(doc.id, s.technique, s.start, s.end) for s in found]
        scores = score_span_overlap(gold, pred, technique_aware=True, task="spans")
        n_gold = scores.support
        rows.append(
            [scores.metrics["precision"] * len(pred), scores.metrics["recall"] * n_gold,
             len(pred), n_gold]
        )  # fmt: skip
    del documents
    return np.array(rows, dtype=np.float64)


def _f1(rows: np.ndarray) -> np.ndarray:
    precision = rows[..., 0] / np.maximum(rows[..., 2], 1)
    recall = rows[..., 1] / np.maximum(rows[..., 3], 1)
    return 2 * precision * recall / np.maximum(precision + recall, 1e-12)


def _bootstrap(before: np.ndarray, after: np.ndarray, resamples: int) -> list[float]:
    """The 2.5th and 97.5th percentiles of F1(after) - F1(before) over articles resampled with
    replacement (paired: the same articles for both layouts)."""
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(before), size=(resamples, len(before)))
    change = _f1(after[picks].sum(1)) - _f1(before[picks].sum(1))
    return [round(float(np.percentile(change, q)), 4) for q in (2.5, 97.5)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="en-fast")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--overlaps", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--bootstrap", type=int, default=2000, help="resamples of the articles")
    args = parser.parse_args()
    layouts: dict[str, dict[str, Any]] = {"strided (192)": {"predict_overlap": None}}
    layouts.update({f"packed (overlap {o})": {"predict_overlap": o} for o in args.overlaps})

    tagger = load(args.model).tagger
    data = load_training_data(TrainConfig.from_toml(args.config), args.data_dir)
    held_out = tagger.held_out_documents(data.span_docs)
    gold = [(d.id, s.technique, s.start, s.end) for d in held_out for s in d.spans]
    gold_si = [(d.id, None, s.start, s.end) for d in held_out for s in d.spans]
    n_tokens = sum(len(tagger._encode(d.text).ids) for d in held_out)
    original = tagger.config
    results: dict[str, Any] = {
        "model": args.model,
        "articles": len(held_out),
        "tokens": n_tokens,
        "runtime": describe(),
        "layouts": {},
    }
    per_article: dict[str, np.ndarray] = {}
    for name, change in layouts.items():
        tagger.config = replace(original, **change)
        positions = sum(
            e - s + 2
            for d in held_out
            for s, e in tagger._predict_windows(len(tagger._encode(d.text).ids))
        )
        began = time.perf_counter()
        spans = tagger.predict_many(held_out)
        seconds = time.perf_counter() - began
        pairs = list(zip(held_out, spans, strict=True))
        pred = [(d.id, s.technique, s.start, s.end) for d, found in pairs for s in found]
        pred_si = [(d.id, None, s.start, s.end) for d, found in pairs for s in found]
        aware = score_span_overlap(gold, pred, technique_aware=True, task="spans")
        agnostic = score_span_overlap(gold_si, pred_si, technique_aware=False, task="si")
        results["layouts"][name] = {
            "positions_per_token": round(positions / n_tokens, 3),
            "seconds": round(seconds, 2),
            "spans": len(pred),
            "technique_f1": round(aware.main, 4),
            "technique_precision": round(aware.metrics["precision"], 4),
            "technique_recall": round(aware.metrics["recall"], 4),
            "si_f1": round(agnostic.main, 4),
        }
        per_article[name] = _per_article(held_out, pairs)
        print(name, results["layouts"][name], flush=True)
    tagger.config = original
    first = next(iter(layouts))
    for name in list(layouts)[1:]:
        results["layouts"][name]["technique_f1_change_95"] = _bootstrap(
            per_article[first], per_article[name], args.bootstrap
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

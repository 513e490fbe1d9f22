"""Do span taggers on different encoders add up? SI F1 on PTC dev of a weighted mean of the
technique-agnostic probabilities of several taggers trained on PTC train only.

Tokenisers differ (WordPiece, MPNet's), so every member's token probabilities are projected onto
the first member's tokens: a reference token gets the mean probability of the member's tokens
over its characters. For every weight vector of a grid (the first member weighs 1, the others 0,
0.5 or 1), the threshold and hysteresis of the mean are tuned on the held-out articles that
training set aside (the same ones for members trained with the same seed), then SI is scored on
PTC dev with the official measure. The weights a user would ship are the ones best on the
held-out articles; the dev column of every row is shown to say how much that choice matters.

    python benchmarks/tagger_ensemble.py --data-dir ../shared/data \\
        --models runs/ptc-train-mpnet runs/ptc-train runs/ptc-train-accurate \\
        --out benchmarks/results/tagger-ensemble.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from propscope.evaluation.ptc_dev import load_unseen

Probs = dict[str, tuple[np.ndarray, list[tuple[int, int]]]]


def project(
    text: str, probs: np.ndarray, offsets: list[tuple[int, int]], onto: list[tuple[int, int]]
) -> np.ndarray:
    """``probs`` of tokens at ``offsets`` as probabilities of the tokens at ``onto``: the mean over
    the characters of each target token (0 where no source token covers it)."""
    by_char = np.full((len(text) + 1, probs.shape[1]), np.nan, dtype=np.float32)
    for k, (start, end) in enumerate(offsets):
        by_char[start:end] = probs[k]
    out = np.zeros((len(onto), probs.shape[1]), dtype=np.float32)
    for k, (start, end) in enumerate(onto):
        chars = by_char[start : max(end, start + 1)]
        covered = chars[~np.isnan(chars[:, 0])]
        if len(covered):
            out[k] = covered.mean(0)
    return out


def mean_probs(members: list[Probs], texts: dict[str, str], weights: tuple[float, ...]) -> Probs:
    """The weighted mean of the members' probabilities, on the first member's tokens."""
    combined: Probs = {}
    for doc_id, text in texts.items():
        probs, offsets = members[0][doc_id]
        total = weights[0] * probs
        for weight, member in zip(weights[1:], members[1:], strict=True):
            if weight:
                total = total + weight * project(text, *member[doc_id], offsets)
        combined[doc_id] = (total / sum(weights), offsets)
    return combined


def decode(probs: Probs, texts: dict[str, str], threshold: float, hysteresis: float) -> list[Any]:
    from propscope.evaluation.spans import SpanRow
    from propscope.models.tagger import ANY, DecodeSettings, decode_spans

    settings = DecodeSettings(hysteresis=hysteresis)
    return [
        SpanRow(doc_id, None, span.start, span.end)
        for doc_id, (p, offsets) in probs.items()
        for span in decode_spans(texts[doc_id], p, offsets, [ANY], {ANY: threshold}, None, settings)
    ]


def official_si(rows: list[Any], gold: Path) -> dict[str, float]:
    from propscope.evaluation.files import evaluate_files

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "si.tsv"
        path.write_text("".join(f"{r.article_id}\t{r.start}\t{r.end}\n" for r in rows))
        score = evaluate_files("ptc-si", gold, path)
    return {
        "si_f1": score.main,
        "si_precision": score.metrics["precision"],
        "si_recall": score.metrics["recall"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, nargs="+", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--grid", type=float, nargs="+", default=[1.0, 0.8, 0.6])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from propscope.corpora import read_ptc
    from propscope.evaluation.spans import SpanRow, score_span_overlap
    from propscope.models.tagger import ANY

    ptc = args.data_dir / "ptc-semeval2020"
    train = read_ptc(ptc / "train")
    dev = {doc.id: doc.text for doc in read_ptc(ptc / "dev")}
    held_out: dict[str, str] = {}
    members: list[dict[str, Probs]] = []
    result: dict[str, Any] = {"models": [], "rows": []}
    for path in args.models:
        tagger = load_unseen(path).tagger
        if tagger is None:
            raise SystemExit(f"{path} has no tagger")
        docs = tagger._split(train)[0]
        if held_out and [d.id for d in docs] != list(held_out):
            raise SystemExit(f"{path} held out other articles than {args.models[0]}")
        held_out = {doc.id: doc.text for doc in docs}
        began = time.perf_counter()
        channel = tagger.config.labels.index(ANY)
        probs = {
            split: {
                doc_id: (p[:, channel : channel + 1], offsets)
                for doc_id, text in texts.items()
                for p, offsets in [tagger.token_probabilities(text)]
            }
            for split, texts in (("held_out", held_out), ("dev", dev))
        }
        members.append(probs)
        result["models"].append(
            {
                "path": str(path),
                "encoder": tagger.config.encoder,
                "epochs": tagger.config.epochs,
                "seconds": time.perf_counter() - began,
            }
        )
        print(path, f"{time.perf_counter() - began:.0f} s", flush=True)

    gold = [SpanRow(d.id, None, s.start, s.end) for d in train if d.id in held_out for s in d.spans]
    thresholds = [round(float(t), 3) for t in np.arange(0.1, 0.71, 0.025)]
    for rest in itertools.product([0.0, 0.5, 1.0], repeat=len(members) - 1):
        weights = (1.0, *rest)
        tuning = mean_probs([m["held_out"] for m in members], held_out, weights)
        candidates = [
            (score_span_overlap(gold, spans, technique_aware=False, task="si"), t, h)
            for h in args.grid
            for t in thresholds
            for spans in [decode(tuning, held_out, t, h)]
        ]
        best, threshold, hysteresis = max(candidates, key=lambda c: c[0].main)  # first of equals
        held_f1 = best.main
        scored = mean_probs([m["dev"] for m in members], dev, weights)
        si_gold = ptc / "dev" / "labels-si.tsv"
        row = {
            "weights": list(weights),
            "held_out_f1": held_f1,
            "threshold": threshold,
            "hysteresis": hysteresis,
            **official_si(decode(scored, dev, threshold, hysteresis), si_gold),
        }
        result["rows"].append(row)
        print(json.dumps(row), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

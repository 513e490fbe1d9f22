"""Default highlights on news the tagger never saw: PTC dev (SemEval-2020 Task 11).

The highlights table of span_highlights.py is measured on the 10% of English train each tagger
held out: mostly opinion, like the rest of train. PTC dev is 75 news articles that SemEval-2023
English train also holds (re-annotated), so no bundled tagger is unseen on it. Here the tagger
of a bundled English model is trained again, with the same settings, on PTC train only
(``configs/ablations/ptc-train-fast-tagger.toml``, ``ptc-train-accurate-tagger.toml``), and its
spans on PTC dev are shaped and scored by the bundled model's own calibration
(``calibration.json``, as shipped), with the paragraph evidence of its linear paragraph model
refitted on English train without the 75 dev articles. What ``analyze`` would show, from each
floor, is scored technique-aware with the SemEval-2020 overlap rule in PTC-14's classes (both
sides translated by ``propscope.taxonomy.mapping``; spans of techniques PTC-14 has no class for,
such as Appeal_to_Values, are left out and counted). With ``--own-calibration`` the spans are
scored instead by a calibration fitted for the PTC-trained tagger as ``propscope train`` fits
one (on its own held-out PTC train articles), so that news and a borrowed calibration can be
told apart (results under ``NAME, own calibration``). Nothing with corpus text is written::

    propscope train configs/ablations/ptc-train-accurate-tagger.toml --data-dir ../shared/data \\
        --out runs/ptc-train-accurate-tagger
    propscope train configs/ablations/ptc-train-fast-tagger.toml --data-dir ../shared/data \\
        --out runs/ptc-train-fast-tagger
    python benchmarks/ptc_highlights.py --data-dir ../shared/data \\
        --models en-accurate=runs/ptc-train-accurate-tagger en-fast=runs/ptc-train-fast-tagger
    python benchmarks/ptc_highlights.py --data-dir ../shared/data --own-calibration
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from propscope.corpora.ptc import read_ptc
from propscope.evaluation.held_out import FLOORS, raw_spans
from propscope.evaluation.highlights import (
    expected_calibration_error,
    reliability,
    scored_precisions,
    shown,
)
from propscope.evaluation.highlights import highlight_measures as measure
from propscope.evaluation.ptc_dev import in_ptc14, load_unseen
from propscope.models.calibration import fit_calibration, held_out_evidence
from propscope.models.embeddings import embedding_cache
from propscope.pipeline import load as load_model
from propscope.training import TrainConfig, load_training_data
from propscope.types import Span


def own_calibration(bundled: Any, tagger_model: Any, data: Any, data_dir: Path) -> Any:
    """A calibration fitted for the PTC-trained tagger as ``propscope train`` fits one
    (``fit_calibration``): on the PTC train articles its training held out, with the paragraph
    evidence of the bundled model's paragraph model refitted without them."""
    name = tagger_model.meta["name"]
    config = TrainConfig.from_toml(Path(f"configs/ablations/{name}.toml"))
    span_docs = load_training_data(config, data_dir).span_docs
    own = fit_calibration(tagger_model.tagger, bundled.paragraphs, span_docs, data.paragraph_docs)
    if own is None:
        raise SystemExit(f"{name} held out no articles to fit a calibration on")
    return own


def run_model(name: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    bundled = load_model(name)
    tagger_model = load_unseen(folder)
    dev = read_ptc(args.data_dir / "ptc-semeval2020" / "dev")
    config = TrainConfig.from_toml(Path(f"configs/{name}.toml"))
    data = load_training_data(config, args.data_dir)
    with embedding_cache(args.cache / "embeddings.npz"):  # shared with span_highlights.py
        evidence = held_out_evidence(bundled.paragraphs, data.paragraph_docs, dev)
        if args.own_calibration:
            calibration = own_calibration(bundled, tagger_model, data, args.data_dir)
        else:
            calibration = bundled.calibration
    if calibration is None:
        raise SystemExit(f"{name} has no calibration.json")
    tagger = tagger_model.tagger
    thresholds = tagger.thresholds_
    raw, scored = [], []
    for doc, ev in zip(dev, evidence, strict=True):
        probs = tagger.token_probabilities(doc.text)
        spans = raw_spans(tagger_model, doc, (probs[0], np.asarray(probs[1])))
        raw.append(spans)
        shaped = calibration.shape(doc.text, spans, doc.language)
        x = calibration.features(doc, shaped, ev, thresholds)
        p = calibration.predict(x, [s.technique for s in shaped]) if shaped else []
        pairs = zip(shaped, p, strict=True)
        scored.append([Span(s.start, s.end, s.text, s.technique, float(q)) for s, q in pairs])
    gold = [d.with_spans(in_ptc14(list(d.spans))[0]) for d in dev]
    floor = bundled.settings.min_confidence

    def scored_in_ptc14(floor_: float) -> tuple[dict[str, Any], int]:
        pairs = [in_ptc14(spans) for spans in shown(scored, floor_)]
        return measure(gold, [p for p, _ in pairs]), sum(n for _, n in pairs)

    result: dict[str, Any] = {
        "model": name,
        "tagger": str(folder),
        "articles": len(dev),
        "default_floor": floor,
        "calibration": "own" if args.own_calibration else "bundled",
        "before": measure(gold, [in_ptc14(s)[0] for s in raw]),
    }
    result["after"] = {}
    for f in FLOORS:
        measured, outside = scored_in_ptc14(f)
        result["after"][f"{f:g}"] = {**measured, "spans_without_ptc14_class": outside}
    scores, targets = scored_precisions(gold, [in_ptc14(spans)[0] for spans in scored])
    result["reliability"] = reliability(scores, targets)
    result["ece"] = round(expected_calibration_error(scores, targets), 4)
    print(name, json.dumps(result["after"][f"{floor:g}"]), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--models",
        nargs="+",
        default=[
            "en-accurate=runs/ptc-train-accurate-tagger",
            "en-fast=runs/ptc-train-fast-tagger",
        ],
        help="BUNDLED=FOLDER: a bundled English model, and its tagger trained on PTC train only",
    )
    parser.add_argument("--cache", type=Path, default=Path("runs/calib"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/ptc-highlights.json"))
    parser.add_argument(
        "--own-calibration",
        action="store_true",
        help="score with a calibration fitted for the PTC-trained tagger, as training fits one, "
        "instead of the bundled model's (results under 'NAME, own calibration')",
    )
    args = parser.parse_args()
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    for spec in args.models:
        name, _, folder = spec.partition("=")
        key = f"{name}, own calibration" if args.own_calibration else name
        results[key] = run_model(name, Path(folder), args)
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

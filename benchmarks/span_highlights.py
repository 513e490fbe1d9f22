"""Highlights a reader can trust: calibrated span confidences, measured on unseen articles.

Every bundled tagger held out a deterministic 10% of its training articles (``SpanTagger._split``,
seeded by its config): they trained no adapter, only the thresholds were tuned on them. This
script rebuilds that list the way ``propscope train`` reads its data (``load_training_data``),
checks it (``--verify``: tuning the thresholds again on the rebuilt list gives the shipped
thresholds; exactly so only with the inference code the models were trained with, commit 61015b0,
where all three taggers matched in all 24 labels: later inference changes move a few thresholds
by one grid step), and on those articles compares, technique-aware with the SemEval-2020 overlap
rule:

* ``before``: the tagger's spans as analyze returned them until now (all of them, raw scores);
* ``after``: shaped spans (fragments joined, clause-level techniques grown to their clause, one-word
  spans of phrase-level techniques extended by the next content word) with calibrated scores,
  cross-fitted (the calibration is fitted on one half of the articles and scores the other, then
  the halves swap), shown from each floor of FLOORS (the model's default floor among them);
* a reliability table per score decile (count, mean score, observed precision, share of spans that
  overlap an annotated span of their technique), and per language for multi-fast;
* what was tried and dropped: no shaping, one model per technique category, no paragraph
  evidence, a technique-agnostic detector whose spans are classified by the technique channels.

``--write-calibration`` then fits the calibration on all held-out articles (as ``propscope
train`` does, models/calibration.py ``fit_calibration``) and writes ``calibration.json`` into the
bundled model's folder. Token probabilities and the paragraph evidence (a linear paragraph model
refitted without the held-out articles) are cached under ``--cache``; nothing with corpus text is
written to the results::

    python benchmarks/span_highlights.py --data-dir ../shared/data --verify --write-calibration
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from propscope.bundled import bundled_model_path
from propscope.evaluation.held_out import (
    FLOORS,
    STRENGTH,
    cached_inputs,
    crossfit,
    evidence_labels,
    explained,
    held_out,
    raw_spans,
    si_classified,
)
from propscope.evaluation.highlights import (
    expected_calibration_error,
    reliability,
    scored_precisions,
    shown,
)
from propscope.evaluation.highlights import highlight_measures as measure
from propscope.models.calibration import (
    SpanCalibration,
    evidence_model,
    span_precision,
    technique_lengths,
)


def verify(pipeline: Any, data: Any) -> dict[str, Any]:
    """Tune the thresholds again on the rebuilt held-out list: equal to the shipped ones only if
    the list is the one training used."""
    import copy

    tagger = copy.copy(pipeline.tagger)
    shipped = dict(tagger.thresholds_)
    tagger.retune(data.span_docs)
    differing = [k for k in shipped if abs(shipped[k] - tagger.thresholds_[k]) > 1e-6]
    return {"labels": len(shipped), "thresholds_differing": len(differing)}


def run_model(name: str, folder: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every measure of the model ``name`` (in ``folder`` when not bundled)."""
    pipeline, val, trained, data = held_out(name, folder, args.data_dir)
    result: dict[str, Any] = {
        "model": name,
        "held_out_articles": len(val),
        "training_articles": len(data.span_docs),
    }
    if args.verify:
        result["split_check"] = verify(pipeline, data)
        print(name, "split check", result["split_check"], flush=True)
    probs, evidence = cached_inputs(name, pipeline, val, data, args.cache)
    clause, phrases, priors = technique_lengths(trained)
    base = SpanCalibration(clause_words=clause, phrase_techniques=phrases, priors=priors)
    thresholds = pipeline.tagger.thresholds_
    raw = [raw_spans(pipeline, d, probs[d.id]) for d in val]
    shaped = [base.shape(d.text, r, d.language) for d, r in zip(val, raw, strict=True)]
    x = [base.features(d, s, evidence[d.id], thresholds) for d, s in zip(val, shaped, strict=True)]
    result["before"] = measure(val, raw)
    result["shaped_uncalibrated"] = measure(val, shaped)
    oof = crossfit(base, val, shaped, x, strength=args.strength)
    result["after"] = {f"{f:g}": measure(val, shown(oof, f)) for f in FLOORS}
    scores, targets = scored_precisions(val, oof)
    result["reliability"] = reliability(scores, targets)
    result["ece"] = round(expected_calibration_error(scores, targets), 4)
    result["reliability_before"] = reliability(*scored_precisions(val, raw))
    languages = sorted({d.language for d in val})
    if len(languages) > 1:
        result["by_language"] = {}
        for lang in languages:
            idx = [i for i, d in enumerate(val) if d.language == lang]
            docs = [val[i] for i in idx]
            result["by_language"][lang] = {
                "before": measure(docs, [raw[i] for i in idx]),
                "after": measure(docs, shown([oof[i] for i in idx], 0.5)),
                "after_0.3": measure(docs, shown([oof[i] for i in idx], 0.3)),
            }
    # A paragraph label explained by a span: where the (refitted, out-of-sample) linear paragraph
    # model labels a paragraph with a technique and no shown span has it, the best candidate span
    # of that technique in the paragraph is shown too.
    linear = evidence_model(pipeline.paragraphs)
    label_thresholds = dict(zip(linear.config.labels, linear.thresholds_, strict=True))
    result["after_with_paragraph_explanations"] = measure(
        val, explained(val, oof, evidence_labels(evidence, label_thresholds), 0.5)
    )
    # What was tried and dropped.
    plain = SpanCalibration(priors=priors, tidy=False)
    unshaped = [plain.shape(d.text, r, d.language) for d, r in zip(val, raw, strict=True)]
    xu = [
        plain.features(d, s, evidence[d.id], thresholds) for d, s in zip(val, unshaped, strict=True)
    ]
    no_paragraph = np.array([1.0, 1.0, 0.0, 1.0, 1.0])
    si = [si_classified(pipeline, d, probs[d.id]) for d in val]
    strength = args.strength
    result["tried"] = {
        "only joined fragments (no clauses, no phrases), calibrated": measure(
            val, shown(crossfit(plain, val, unshaped, xu, strength=strength), 0.5)
        ),
        "one calibration per technique category": measure(
            val,
            shown(crossfit(base, val, shaped, x, by_category=True, strength=strength), 0.5),
        ),
        "no paragraph evidence": measure(
            val,
            shown(crossfit(base, val, shaped, x, mask=no_paragraph, strength=strength), 0.5),
        ),
        "technique-agnostic spans classified by the technique channels (raw, all)": measure(
            val, si
        ),
    }
    if args.write_calibration:
        xs = np.concatenate(x)
        ys = np.array(
            [
                span_precision(s, d.spans)
                for d, spans in zip(val, shaped, strict=True)
                for s in spans
            ]
        )
        final = replace(base)
        final.info = {"articles": len(val)}
        final.fit(xs, ys, [s.technique for spans in shaped for s in spans], strength=args.strength)
        final.save(Path(folder) if folder else bundled_model_path(name))
        result["calibration"] = {"coefficients": final.coefficients, "info": final.info}
    print(name, json.dumps({k: result[k] for k in ("before", "after")}, indent=1), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--models",
        nargs="+",
        default=["en-fast", "en-accurate", "multi-fast"],
        help="bundled model names, or NAME=FOLDER for a model trained from configs/NAME.toml "
        "or configs/ablations/NAME.toml",
    )
    parser.add_argument("--cache", type=Path, default=Path("runs/calib"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/span-highlights.json"))
    parser.add_argument("--verify", action="store_true")
    parser.add_argument("--write-calibration", action="store_true")
    parser.add_argument("--strength", type=float, default=STRENGTH)
    args = parser.parse_args()
    results = {}
    if args.out.exists():
        results = json.loads(args.out.read_text())
    for spec in args.models:
        name, _, folder = spec.partition("=")  # NAME or NAME=FOLDER
        results[name] = run_model(name, folder, args)
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

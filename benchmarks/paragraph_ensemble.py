"""Ablation of a paragraph ensemble on one cross-validation fold: each member alone against
their mean.

Trains the ``[paragraphs]`` ensemble of the config on the other folds' train articles of the
given languages (default English), then scores on the held-out fold (SemEval-2023 subtask 3
micro-F1, pooled and per language):

- the linear member alone, refitted on all training articles, with its own per-label thresholds;
- the encoder member alone, with per-label thresholds tuned on the ensemble's held-out articles
  (what ``EncoderClassifier`` does when trained alone, on the same split);
- the ensemble as shipped (mean of both, one threshold tuned on the held-out articles);
- with several languages, the ensemble with one threshold per language, each tuned on that
  language's held-out articles (does a joint threshold or per-language ones win?).

Folds are by article over the articles with paragraph labels (seed 0), within each language.

    python benchmarks/paragraph_ensemble.py --config configs/ablations/en-accurate-own.toml \\
        --data-dir ../shared/data --fold 0 --out benchmarks/results/paragraph-ensemble.json
    python benchmarks/paragraph_ensemble.py \\
        --config configs/ablations/multi-paragraph-ensemble.toml --data-dir ../shared/data \\
        --langs en fr ge it po ru --fold 0 --work runs/paragraph-ensemble-multi \\
        --out benchmarks/results/paragraph-ensemble-multi.json
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from propscope.evaluation.cross_validation import cv_parser


def main() -> None:
    parser = cv_parser(__doc__)
    parser.add_argument("--fold", type=int, default=0, help="which fold to test on (0-based)")
    parser.add_argument("--langs", nargs="+", default=["en"], help="SemEval-2023 folder codes")
    parser.add_argument(
        "--work", type=Path, default=None, help="embedding cache and checkpoints (to resume)"
    )
    args = parser.parse_args()

    import numpy as np

    from propscope.corpora.semeval2023 import load_split
    from propscope.evaluation.semeval2023 import score_subtask3
    from propscope.language import SEMEVAL_CODES
    from propscope.models import MODEL_FAMILIES
    from propscope.models.embeddings import embedding_cache
    from propscope.models.thresholds import labels_from_scores, language_thresholds, tune_thresholds
    from propscope.taxonomy import TECHNIQUE_NAMES
    from propscope.training import TrainConfig, default_folds

    config = TrainConfig.from_toml(args.config)
    settings = dict(config.paragraphs)
    if settings.pop("model", None) != "ensemble":
        raise SystemExit(f"{args.config}: [paragraphs] is not an ensemble")
    rows = []  # (language, article id, paragraph index, text, techniques)
    for lang in args.langs:
        split = load_split(args.data_dir / "semeval2023-task3", lang, "train")
        docs = split.documents
        ids = sorted(split.ids_by_subtask[3])
        test = default_folds(ids, args.folds)[args.fold]
        rows += [
            (lang, i in test, i, p.index, docs[i].paragraph_text(p), p.technique_names())
            for i in ids
            for p in docs[i].paragraphs
        ]
    train = [r for r in rows if not r[1]]
    held = [r for r in rows if r[1]]
    texts, targets, groups = [r[4] for r in train], [r[5] for r in train], [r[2] for r in train]
    languages = [SEMEVAL_CODES[r[0]] for r in train]
    test_languages = [SEMEVAL_CODES[r[0]] for r in held]
    labels = list(TECHNIQUE_NAMES)

    def pick(scores: Any, thresholds: list[float]) -> list[list[str]]:
        rows = labels_from_scores(scores, labels, True, thresholds)
        return [[label.name for label in row] for row in rows]

    def st3(picked: list[list[str]]) -> dict[str, float]:
        """Micro-F1 of the test paragraphs' picked labels, pooled and per language."""
        pred = {(r[2], r[3]): names for r, names in zip(held, picked, strict=True)}
        out = {}
        for lang in [None, *args.langs] if len(args.langs) > 1 else [None]:
            gold = {(r[2], r[3]): r[5] for r in held if lang is None or r[0] == lang}
            out[lang or "all"] = score_subtask3(gold, {k: pred[k] for k in gold}).main
        return out

    began = time.perf_counter()
    work = args.work
    with embedding_cache(work / "embeddings.npz" if work else None):
        ensemble = MODEL_FAMILIES["paragraphs/ensemble"](**{"seed": config.seed, **settings})
        ensemble.fit(
            texts,
            targets,
            groups=groups,
            languages=languages,
            checkpoint_dir=work / f"ckpt-fold{args.fold}" if work else None,
        )
        linear, encoder = ensemble.members
        test_texts = [r[4] for r in held]
        # The held-out articles the ensemble tuned its threshold on, and its scores there.
        val, val_scores = ensemble.held_out_
        truth = np.zeros((len(val), len(labels)), dtype=bool)
        for row, i in enumerate(val):
            for name in targets[i]:
                truth[row, labels.index(name)] = True
        # The encoder alone: per-label thresholds on those articles.
        encoder_thresholds = tune_thresholds(
            encoder.predict_proba([texts[i] for i in val]), truth, "per_label", 15
        )
        ensemble_scores = ensemble.predict_proba(test_texts, languages=test_languages)
        result = {
            "config": str(args.config),
            "languages": args.langs,
            "fold": args.fold,
            "train_paragraphs": len(train),
            "test_paragraphs": len(held),
            "st3_micro_f1_linear_alone": st3(
                pick(linear.predict_proba(test_texts, languages=test_languages), linear.thresholds_)
            ),
            "st3_micro_f1_encoder_alone": st3(
                pick(encoder.predict_proba(test_texts), encoder_thresholds)
            ),
            "st3_micro_f1_ensemble": st3(pick(ensemble_scores, ensemble.thresholds_)),
            "ensemble_threshold": ensemble.thresholds_[0],
            "encoder_epoch_seconds": encoder.epoch_seconds_,
        }
        if len(args.langs) > 1:
            # One threshold per language, tuned on its held-out articles' ensemble scores.
            by_language = language_thresholds(val_scores, truth, [languages[i] for i in val], 15)
            picked = [
                pick(row[None], [by_language.get(code, ensemble.thresholds_[0])] * len(labels))[0]
                for row, code in zip(ensemble_scores, test_languages, strict=True)
            ]
            result["per_language_thresholds"] = by_language
            result["st3_micro_f1_ensemble_per_language_thresholds"] = st3(picked)
        result["seconds"] = time.perf_counter() - began
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

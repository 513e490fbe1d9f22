"""Ablation of en-accurate's paragraph ensemble on one cross-validation fold: each member alone
against their mean.

Trains the ``[paragraphs]`` ensemble of the config on the other folds' English train articles,
then scores on the held-out fold (SemEval-2023 subtask 3 micro-F1):

- the linear member alone, refitted on all training articles, with its own per-label thresholds;
- the encoder member alone, with per-label thresholds tuned on the ensemble's held-out articles
  (what ``EncoderClassifier`` does when trained alone, on the same split);
- the ensemble as shipped (mean of both, one threshold tuned on the held-out articles).

Folds are by article over the articles with paragraph labels (seed 0).

    python benchmarks/paragraph_ensemble.py --config configs/en-accurate.toml \\
        --data-dir ../shared/data --fold 0 --out benchmarks/results/paragraph-ensemble.json
"""

from __future__ import annotations

import json
import time
from typing import Any

from cv_semeval2023 import cv_parser


def main() -> None:
    parser = cv_parser(__doc__)
    parser.add_argument("--fold", type=int, default=0, help="which fold to test on (0-based)")
    args = parser.parse_args()

    import numpy as np

    from propscope.corpora.semeval2023 import load_split
    from propscope.evaluation.semeval2023 import score_subtask3
    from propscope.models import MODEL_FAMILIES
    from propscope.models.base import held_out_split, labels_from_scores, tune_thresholds
    from propscope.models.linear import embedding_cache
    from propscope.taxonomy import TECHNIQUE_NAMES
    from propscope.training import TrainConfig, default_folds

    config = TrainConfig.from_toml(args.config)
    settings = dict(config.paragraphs)
    if settings.pop("model", None) != "ensemble":
        raise SystemExit(f"{args.config}: [paragraphs] is not an ensemble")
    split = load_split(args.data_dir / "semeval2023-task3", "en", "train")
    docs = split.documents
    ids = sorted(split.ids_by_subtask[3])
    test = default_folds(ids, args.folds)[args.fold]
    rows = [
        (i, p.index, docs[i].paragraph_text(p), p.technique_names())
        for i in ids
        for p in docs[i].paragraphs
    ]
    train = [r for r in rows if r[0] not in test]
    held = [r for r in rows if r[0] in test]
    texts, targets, groups = [r[2] for r in train], [r[3] for r in train], [r[0] for r in train]
    labels = list(TECHNIQUE_NAMES)
    gold = {(r[0], r[1]): r[3] for r in held}

    def st3(scores: Any, thresholds: list[float]) -> float:
        picked = labels_from_scores(scores, labels, True, thresholds)
        pred = {(r[0], r[1]): [x.name for x in row] for r, row in zip(held, picked, strict=True)}
        return score_subtask3(gold, pred).main

    began = time.perf_counter()
    with embedding_cache():
        ensemble = MODEL_FAMILIES["paragraphs/ensemble"](**{"seed": config.seed, **settings})
        ensemble.fit(texts, targets, groups=groups)
        linear, encoder = ensemble.members
        test_texts = [r[2] for r in held]
        # The encoder alone: per-label thresholds on the held-out articles the ensemble used.
        _, val = held_out_split(
            len(texts), groups, ensemble.config.validation_fraction, config.seed
        )
        truth = np.zeros((len(val), len(labels)), dtype=bool)
        for row, i in enumerate(val):
            for name in targets[i]:
                truth[row, labels.index(name)] = True
        val_scores = encoder.predict_proba([texts[i] for i in val])
        encoder_thresholds = tune_thresholds(val_scores, truth, "per_label", 15)
        result = {
            "config": str(args.config),
            "fold": args.fold,
            "train_paragraphs": len(train),
            "test_paragraphs": len(held),
            "st3_micro_f1_linear_alone": st3(linear.predict_proba(test_texts), linear.thresholds_),
            "st3_micro_f1_encoder_alone": st3(
                encoder.predict_proba(test_texts), encoder_thresholds
            ),
            "st3_micro_f1_ensemble": st3(ensemble.predict_proba(test_texts), ensemble.thresholds_),
            "ensemble_threshold": ensemble.thresholds_[0],
            "encoder_epoch_seconds": encoder.epoch_seconds_,
            "seconds": time.perf_counter() - began,
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

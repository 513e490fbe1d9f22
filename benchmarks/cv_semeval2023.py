"""K-fold cross-validation of a training config on a SemEval-2023 Task 3 train split.

Folds are by article (KFold over sorted article ids, shuffled with seed 0). Each fold trains every
component of the config on the other folds and predicts the held-out articles; the folds'
predictions are pooled and scored (:mod:`propscope.evaluation.cross_validation`) with the
official metrics:

- subtask 1 (genre) macro-F1, with per-class recall;
- subtask 2 (frames) micro-F1;
- subtask 3 (paragraph techniques) micro-F1 for paragraph labels from the paragraph classifier,
  from the spans, and from their union (the three ``paragraph_source`` settings);
- span F1 (partial overlap), technique-aware and technique-agnostic.

A finished fold's predictions are cached in ``--work`` (ids, labels and offsets only), so a stopped
run continues with the next fold. Results (numbers only) go to ``--out`` as JSON.

    python benchmarks/cv_semeval2023.py --config configs/ablations/en-fast-own.toml \\
        --data-dir ../shared/data --work runs/cv-en --out benchmarks/results/semeval2023-en-cv.json
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from propscope.evaluation.cross_validation import cv_parser, fit_and_cache_fold


def main() -> None:
    parser = cv_parser(__doc__)
    parser.add_argument("--lang", default="en")
    parser.add_argument(
        "--tagger-folds", type=int, default=None, help="train the tagger on the first N folds only"
    )
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument(
        "--only-folds",
        type=int,
        nargs="+",
        metavar="K",
        help="train and cache only these folds (0-based), e.g. to run folds in parallel "
        "processes; a run without it scores once every fold is cached",
    )
    parser.add_argument(
        "--score-folds",
        type=int,
        nargs="+",
        metavar="K",
        help="score only these cached folds (0-based), e.g. a quick comparison on one fold",
    )
    args = parser.parse_args()

    from propscope.corpora.semeval2023 import load_split
    from propscope.evaluation.cross_validation import pool_folds, score_split
    from propscope.models.embeddings import embedding_cache
    from propscope.training import TrainConfig, default_folds, load_training_data

    config = TrainConfig.from_toml(args.config)
    config.semeval2023 = [args.lang]
    data = load_training_data(config, args.data_dir)
    split = load_split(args.data_dir / "semeval2023-task3", args.lang, "train")
    ids = sorted(split.documents)
    folds = default_folds(ids, args.folds)
    args.work.mkdir(parents=True, exist_ok=True)
    # Paragraph embeddings (hashed keys, no text) persist in --work, so reruns skip the encoder.
    with embedding_cache(args.work / "embeddings.npz"):
        for k, test_ids in enumerate(folds):
            cache = args.work / f"fold{k}.json"
            if cache.exists() or (args.only_folds is not None and k not in args.only_folds):
                continue
            test_docs = [split.documents[i] for i in sorted(test_ids)]
            fold_config = copy.deepcopy(config)
            if args.tagger_folds is not None and k >= args.tagger_folds:
                fold_config.components["tagger"] = False  # span F1 then comes from fewer folds
            fit_and_cache_fold(fold_config, data, test_docs, cache, args.work / f"ckpt{k}")
            print(f"{cache.stem}: trained", flush=True)

    if args.only_folds is not None and args.score_folds is None:
        return
    scored = sorted(args.score_folds) if args.score_folds else list(range(len(folds)))
    pooled = pool_folds([args.work / f"fold{k}.json" for k in scored])
    result: dict[str, Any] = {
        "config": str(args.config),
        "lang": args.lang,
        "folds": args.folds,
        "scored_folds": scored,
        "tagger_folds": args.folds if args.tagger_folds is None else args.tagger_folds,
        "articles": len(ids),
        **score_split(split, pooled),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "st1_per_class"}, indent=2))


if __name__ == "__main__":
    main()

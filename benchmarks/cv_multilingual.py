"""Cross-validation of a multilingual config, per language, and zero-shot transfer.

Folds are by article within each language (the same KFold as ``cv_semeval2023.py``); fold k of
the run holds out fold k of every language at once, trains on everything else (all languages
jointly, as the shipped model is trained) and predicts the held-out articles. Scores are the
official ones, per language: ST1 macro-F1, ST2 micro-F1, ST3 micro-F1, and span F1 where the
fold trained a tagger (``--tagger-folds`` limits the expensive tagger to the first folds; the
JSON says over how many articles span F1 was measured; a config that trains only a tagger
trains only those folds).

Zero-shot (``--zero-shot fr ru``): train on all other languages, predict every train article of
the held-out language. Paragraph, genre and frame models only, unless the config has no other.

Fold predictions (ids, labels and offsets only) are cached in ``--work``, so a stopped run
continues where it stopped. ``--score-partial`` trains nothing and scores the folds cached so far
(the JSON lists them): an interim result for a run that takes longer than one sitting.

    python benchmarks/cv_multilingual.py --config configs/multi-fast.toml \\
        --data-dir ../shared/data --work runs/cv-multi --tagger-folds 1 --zero-shot fr ru \\
        --out benchmarks/results/semeval2023-multi-cv.json
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from propscope.evaluation.cross_validation import cv_parser, fit_and_cache_fold

LANGS = ("en", "fr", "ge", "it", "po", "ru")


def _train_folds(
    args: Any,
    config: Any,
    data: Any,
    splits: dict[str, Any],
    folds: dict[str, Any],
    tagger_folds: int,
) -> None:
    """Train and cache every fold (and zero-shot run) not cached yet in ``args.work``."""
    from propscope.models.embeddings import embedding_cache

    with embedding_cache(args.work / "embeddings.npz"):
        for k in range(args.folds):
            fold_config = copy.deepcopy(config)
            if k >= tagger_folds:
                fold_config.components["tagger"] = False
            if not any(fold_config.components.values()):
                continue  # a tagger-only config past --tagger-folds: nothing to train
            test_docs = [
                splits[lang].documents[i] for lang in args.langs for i in sorted(folds[lang][k])
            ]
            cache = args.work / f"fold{k}.json"
            if not cache.exists():
                fit_and_cache_fold(
                    fold_config, data, test_docs, cache, args.work / f"ckpt-{cache.stem}"
                )
        for lang in args.zero_shot:
            zs_config = copy.deepcopy(config)
            if any(v for c, v in zs_config.components.items() if c != "tagger"):
                zs_config.components["tagger"] = False
            test_docs = [splits[lang].documents[i] for i in sorted(splits[lang].documents)]
            cache = args.work / f"zero-shot-{lang}.json"
            if not cache.exists():
                fit_and_cache_fold(
                    zs_config, data, test_docs, cache, args.work / f"ckpt-{cache.stem}"
                )


def main() -> None:
    parser = cv_parser(__doc__)
    parser.add_argument("--langs", nargs="+", default=list(LANGS))
    parser.add_argument("--tagger-folds", type=int, default=None, help="default: all folds")
    parser.add_argument("--zero-shot", nargs="*", default=[], metavar="LANG")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument(
        "--score-partial", action="store_true", help="score the cached folds only, train nothing"
    )
    args = parser.parse_args()

    from propscope.corpora.semeval2023 import load_split
    from propscope.evaluation.cross_validation import pool_folds, score_split
    from propscope.training import TrainConfig, default_folds, load_training_data

    config = TrainConfig.from_toml(args.config)
    config.semeval2023 = list(args.langs)
    data = load_training_data(config, args.data_dir)
    splits = {
        lang: load_split(args.data_dir / "semeval2023-task3", lang, "train") for lang in args.langs
    }
    owner: dict[str, str] = {}
    for lang, split in splits.items():
        for article_id in split.documents:
            if owner.setdefault(article_id, lang) != lang:
                raise SystemExit(f"article id {article_id} is in {owner[article_id]} and {lang}")
    folds = {lang: default_folds(sorted(s.documents), args.folds) for lang, s in splits.items()}
    tagger_folds = args.folds if args.tagger_folds is None else args.tagger_folds
    args.work.mkdir(parents=True, exist_ok=True)

    if not args.score_partial:
        _train_folds(args, config, data, splits, folds, tagger_folds)
    else:
        args.zero_shot = [z for z in args.zero_shot if (args.work / f"zero-shot-{z}.json").exists()]
    fold_paths = [args.work / f"fold{k}.json" for k in range(args.folds)]
    fold_paths = [path for path in fold_paths if path.exists()]
    if not fold_paths:
        raise SystemExit(f"no fold predictions cached in {args.work}")

    result: dict[str, Any] = {
        "config": str(args.config),
        "folds": args.folds,
        "folds_scored": [int(path.stem.removeprefix("fold")) for path in fold_paths],
        "tagger_folds": tagger_folds,
        "languages": {},
        "zero_shot": {},
    }
    for lang, split in splits.items():
        pooled = pool_folds(fold_paths, ids=set(split.documents))
        result["languages"][lang] = {"articles": len(split.documents), **score_split(split, pooled)}
    for lang in args.zero_shot:
        pooled = pool_folds([args.work / f"zero-shot-{lang}.json"], ids=set(splits[lang].documents))
        result["zero_shot"][lang] = score_split(splits[lang], pooled)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for lang, scores in [
        *result["languages"].items(),
        *((f"{k} (zero-shot)", v) for k, v in result["zero_shot"].items()),
    ]:
        shown = {k: round(v, 3) for k, v in scores.items() if isinstance(v, float)}
        print(lang, json.dumps(shown))


if __name__ == "__main__":
    main()

"""Paragraph techniques from the classifier plus confident spans, on cross-validation folds.

``paragraph_source = "union"`` adds to a paragraph the technique of every span in it;
``span_paragraph_min_score`` keeps only spans at least that confident. This script trains the
config's tagger on one fold's training articles (as benchmarks/cv_semeval2023.py does), reads that
fold's paragraph-classifier labels from a cv_semeval2023.py cache, and scores ST3 micro-F1 with
spans above each minimum score added, and the techniques per paragraph:

    python benchmarks/span_min_score.py --config configs/en-accurate.toml \\
        --data-dir ../shared/data --cv-cache runs/cv-en-accurate-f0/fold0.json --fold 0 \\
        --work runs/minscore/accurate --out benchmarks/results/span-min-score-accurate.json

With ``--langs`` (a multilingual config), fold k holds out fold k of every language at once, as
benchmarks/cv_multilingual.py does, and the result has one entry per language under
``"languages"``. Several ``--fold`` (each with its ``--cv-cache``) are pooled: each fold's tagger
is trained in turn, and the scores are over all their held-out paragraphs together:

    python benchmarks/span_min_score.py --config configs/multi-fast.toml \\
        --data-dir ../shared/data --langs en fr ge it po ru \\
        --fold 0 1 2 3 4 --cv-cache benchmarks/results/cv-multi-ensemble/fold{0,1,2,3,4}.json \\
        --work runs/minscore/multi --out benchmarks/results/span-min-score-multi.json

The tagger's span scores per paragraph are kept in ``--work`` (techniques and scores, no text), so
a rerun only scores.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

GRID = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def _span_scores(args: Any, splits: dict[str, Any], fold: int, test_ids: dict[str, Any]) -> Any:
    """Each held-out paragraph's span scores by technique (``"id\\tparagraph"`` keys), from
    ``--work`` or by training the tagger of fold ``fold`` first."""
    from propscope.results import span_labels
    from propscope.training import TrainConfig, fit_pipeline, load_training_data

    cached = args.work / f"span-scores-fold{fold}.json"
    if not cached.exists():
        held_out = set().union(*test_ids.values())
        config = TrainConfig.from_toml(args.config)
        config.semeval2023 = list(args.langs)
        config.components = {c: c == "tagger" for c in config.components}
        config.borrowed = {}  # the tagger alone: nothing taken from another model either
        data = load_training_data(config, args.data_dir)
        pipeline = fit_pipeline(
            config,
            data.subset(lambda i: i not in held_out),
            checkpoint_dir=args.work / f"ckpt-fold{fold}",
        )
        documents = [
            split.documents[i] for lang, split in splits.items() for i in sorted(test_ids[lang])
        ]
        predicted = pipeline.analyze_documents(documents)
        cached.write_text(
            json.dumps(
                {
                    f"{doc.id}\t{par.index}": span_labels(par, doc.spans)
                    for doc in predicted
                    for par in doc.paragraphs
                }
            )
        )
    return json.loads(cached.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--cv-cache", type=Path, nargs="+", required=True, help="a foldK.json per --fold"
    )
    parser.add_argument("--fold", type=int, nargs="+", default=[0], help="0-based, pooled")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--langs", nargs="+", default=["en"], help="SemEval-2023 languages")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if len(args.cv_cache) != len(args.fold):
        parser.error("give one --cv-cache per --fold")

    from propscope.corpora.semeval2023 import load_split
    from propscope.evaluation.semeval2023 import score_subtask3
    from propscope.training import default_folds

    splits = {
        lang: load_split(args.data_dir / "semeval2023-task3", lang, "train") for lang in args.langs
    }
    folds = {lang: default_folds(sorted(s.documents), args.folds) for lang, s in splits.items()}
    args.work.mkdir(parents=True, exist_ok=True)
    span_scores: dict[str, dict[str, float]] = {}
    classifier: dict[str, list[str]] = {}
    for fold, cv_cache in zip(args.fold, args.cv_cache, strict=True):
        test_ids = {lang: folds[lang][fold] for lang in splits}
        span_scores.update(_span_scores(args, splits, fold, test_ids))
        fold_labels = json.loads(cv_cache.read_text())["st3"]["classifier"]
        held_out = set().union(*test_ids.values())
        classifier.update({k: v for k, v in fold_labels.items() if k.split("\t")[0] in held_out})
    tested = {k.split("\t")[0] for k in classifier}

    def score(gold: dict[str, list[str]], min_score: float | None) -> dict[str, Any]:
        pred = {}
        for key, labels in classifier.items():
            if key in gold:
                extra = (
                    []
                    if min_score is None
                    else [t for t, s in span_scores.get(key, {}).items() if s >= min_score]
                )
                article_id, number = key.split("\t")
                pred[(article_id, int(number))] = sorted(set(labels) | set(extra))
        truth = {k: gold[f"{k[0]}\t{k[1]}"] for k in pred}
        return {
            "st3_micro_f1": score_subtask3(truth, pred).main,
            "labels_per_paragraph": sum(map(len, pred.values())) / max(1, len(pred)),
        }

    def scores(gold: dict[str, list[str]]) -> dict[str, Any]:
        return {
            "paragraphs": sum(1 for key in classifier if key in gold),
            "classifier": score(gold, None),
            "union_min_score": {str(s): score(gold, s) for s in GRID},
        }

    golds = {
        lang: {
            f"{i}\t{p.index}": p.technique_names()
            for i in split.ids_by_subtask[3]
            if i in tested
            for p in split.documents[i].paragraphs
        }
        for lang, split in splits.items()
    }
    result: dict[str, Any] = {"config": str(args.config), "folds_scored": args.fold}
    if len(args.fold) == 1:
        result["fold"] = args.fold[0]
    if len(golds) == 1:
        result.update(scores(next(iter(golds.values()))))
    else:
        result["languages"] = {lang: scores(gold) for lang, gold in golds.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

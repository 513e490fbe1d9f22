"""5-fold cross-validation of the genre classifier alone (SemEval-2023 subtask 1, macro-F1).

The same folds and texts as benchmarks/cv_semeval2023.py, for the genre component only, so a change
to the genre settings is measured in a minute instead of re-training every component:

    python benchmarks/cv_genre.py --config configs/en-fast.toml --data-dir ../shared/data \\
        --out benchmarks/results/semeval2023-en-cv-genre.json
"""

from __future__ import annotations

import json
from pathlib import Path

from cv_semeval2023 import cv_parser


def main() -> None:
    parser = cv_parser(__doc__)
    parser.add_argument("--lang", default="en")
    parser.add_argument(
        "--work", type=Path, default=None, help="embedding cache folder (shareable with other CVs)"
    )
    args = parser.parse_args()

    from propscope.corpora.semeval2023 import load_split
    from propscope.evaluation.semeval2023 import score_subtask1
    from propscope.models.linear import embedding_cache
    from propscope.training import TrainConfig, TrainingData, default_folds, fit_pipeline

    config = TrainConfig.from_toml(args.config)
    config.components = {c: c == "genre" for c in config.components}
    split = load_split(args.data_dir / "semeval2023-task3", args.lang, "train")
    docs = split.documents
    gold = {i: d.genre.name for i, d in docs.items() if d.genre is not None}
    pred: dict[str, str] = {}
    with embedding_cache(args.work / "embeddings.npz" if args.work else None):
        for test in default_folds(sorted(docs), args.folds):
            train_docs = [docs[i] for i in sorted(gold) if i not in test]
            pipeline = fit_pipeline(config, TrainingData(genre_docs=train_docs))
            test_ids = [i for i in sorted(gold) if i in test]
            labels = pipeline.genre.predict_labels([docs[i].text for i in test_ids])
            pred.update({i: label[0].name for i, label in zip(test_ids, labels, strict=True)})
    scores = score_subtask1(gold, pred)
    result = {
        "config": str(args.config),
        "genre_settings": config.genre,
        "folds": args.folds,
        "st1_macro_f1": scores.main,
        "st1_per_class": scores.per_label,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

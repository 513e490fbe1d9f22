"""5-fold cross-validation of the genre classifier alone (SemEval-2023 subtask 1, macro-F1).

The same folds and texts as benchmarks/cv_semeval2023.py, for the genre component only, so a change
to the genre settings is measured in a minute instead of re-training every component:

    python benchmarks/cv_genre.py --config configs/en-fast.toml --data-dir ../shared/data \\
        --out benchmarks/results/semeval2023-en-cv-genre.json

Each fold's test articles are also scored reflowed, one sentence per line (``reflowed``): how
an article is cut into lines depends on where it was scraped (English train has a median of 38
words per line, English dev 22), and a genre model should not change its mind with the line
breaks. The predicted class counts of both are in the result.

``topics`` scores the same model on folds of unseen topics instead: the articles are clustered
into as many groups as folds by their words (k-means over TF-IDF vectors, words in more than half
of the articles left out), and each group is held out in turn, so no test article shares its
topic with a training one (English train's satire is mostly about Brexit and the Mueller inquiry,
and so are many of dev's news reports).

``--unlabelled-split dev`` also trains on all of train and counts the genres it predicts for
that split's articles (their labels are not in shared/; the data README gives their counts).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from cv_semeval2023 import cv_parser

# Its own sentence rule, not propscope.types.sentence_chunks: the stress test should not share
# the splitter of the models it tests.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"”’»)]?\s+(?=[\"“‘«(]?[A-ZÀ-ÖØ-ÞА-ЯЁ])")


def one_sentence_per_line(text: str) -> str:
    """``text`` with a line break after every sentence (the lines' own breaks kept)."""
    return _SENTENCE_BREAK.sub(lambda m: m.group(0).rstrip() + "\n", text)


def topic_folds(texts: dict[str, str], n_folds: int, seed: int = 0) -> list[set[str]]:
    """Article ids grouped into ``n_folds`` topics: k-means over the articles' TF-IDF word vectors
    (words in more than half of the articles, such as function words, are left out)."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = sorted(texts)
    vectors = TfidfVectorizer(min_df=2, max_df=0.5, sublinear_tf=True).fit_transform(
        [texts[i] for i in ids]
    )
    groups = KMeans(n_clusters=n_folds, random_state=seed, n_init=10).fit_predict(vectors)
    return [{i for i, g in zip(ids, groups, strict=True) if g == k} for k in range(n_folds)]


def main() -> None:
    parser = cv_parser(__doc__)
    parser.add_argument("--lang", default="en")
    parser.add_argument(
        "--work", type=Path, default=None, help="embedding cache folder (shareable with other CVs)"
    )
    parser.add_argument(
        "--unlabelled-split",
        default=None,
        help="also train on all of train and count the genres predicted for this split",
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
    reflowed: dict[str, str] = {}
    by_topic: dict[str, str] = {}
    topics = topic_folds({i: docs[i].text for i in gold}, args.folds)

    def fit_without(test: set[str]) -> Any:
        """The genre pipeline trained on the labelled articles not in ``test``."""
        train_docs = [docs[i] for i in sorted(gold) if i not in test]
        return fit_pipeline(config, TrainingData(genre_docs=train_docs))

    with embedding_cache(args.work / "embeddings.npz" if args.work else None):
        for test in default_folds(sorted(docs), args.folds):
            pipeline = fit_without(test)
            test_ids = [i for i in sorted(gold) if i in test]
            labels = pipeline.genre.predict_labels([docs[i].text for i in test_ids])
            pred.update({i: label[0].name for i, label in zip(test_ids, labels, strict=True)})
            labels = pipeline.genre.predict_labels(
                [one_sentence_per_line(docs[i].text) for i in test_ids]
            )
            reflowed.update({i: lab[0].name for i, lab in zip(test_ids, labels, strict=True)})
        for test in topics:
            pipeline = fit_without(test)
            test_ids = sorted(test)
            labels = pipeline.genre.predict_labels([docs[i].text for i in test_ids])
            by_topic.update({i: lab[0].name for i, lab in zip(test_ids, labels, strict=True)})
        if args.unlabelled_split:
            pipeline = fit_without(set())
            other = load_split(
                args.data_dir / "semeval2023-task3", args.lang, args.unlabelled_split
            )
            ids = list(other.ids_by_subtask.get(1, ()))
            labels = pipeline.genre.predict_labels([other.documents[i].text for i in ids])
            unlabelled = {
                "split": args.unlabelled_split,
                "predicted": dict(Counter(label[0].name for label in labels)),
            }
    scores = score_subtask1(gold, pred)
    scores_reflowed = score_subtask1(gold, reflowed)
    scores_by_topic = score_subtask1(gold, by_topic)
    result = {
        "config": str(args.config),
        "genre_settings": config.genre,
        "folds": args.folds,
        "st1_macro_f1": scores.main,
        "st1_per_class": scores.per_label,
        "predicted": dict(Counter(pred.values())),
        "gold": dict(Counter(gold.values())),
        "reflowed": {
            "st1_macro_f1": scores_reflowed.main,
            "st1_per_class": scores_reflowed.per_label,
            "predicted": dict(Counter(reflowed.values())),
        },
        "topics": {
            "st1_macro_f1": scores_by_topic.main,
            "st1_per_class": scores_by_topic.per_label,
            "predicted": dict(Counter(by_topic.values())),
            "gold_by_topic": [dict(Counter(gold[i] for i in group)) for group in topics],
        },
    }
    if args.unlabelled_split:
        result["unlabelled"] = unlabelled
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""How well a model does on news unlike its training articles: folds and pooled scores.

Random folds of one corpus flatter a model: its test articles share topics, sources and line
layout with its training ones. The folds here hold out what changes in real use:

* :func:`random_folds`: articles at random (the usual cross-validation, for comparison);
* :func:`topic_folds`: topics (k-means over TF-IDF word vectors, within each language), so no
  test article shares its topic cluster with a training one;
* :func:`language_folds`: one language at a time (leave-one-language-out);
* :func:`reflow`: a test article re-cut into one sentence per line, as a stress test of layout
  (scraped sources break lines differently);
* :func:`excerpt`: a test article cut to its first 150 words, as a stress test of length
  (readers paste excerpts).

A fold's predictions are pooled over all folds (:func:`pool`) and scored once
(:func:`score_genre`: the SemEval-2023 subtask-1 macro-F1, per-class recall and the predicted
distribution).

Example:
    >>> folds = language_folds({"a": "en", "b": "en", "c": "fr"})
    >>> [(f.name, sorted(f.test_ids)) for f in folds]
    [('en', ['a', 'b']), ('fr', ['c'])]
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from propscope.errors import Errors, TrainingError
from propscope.evaluation.semeval2023 import score_subtask1
from propscope.models.genre import UNCERTAIN
from propscope.taxonomy import GENRES
from propscope.types import sentence_chunks


@dataclass(frozen=True)
class Fold:
    """One held-out set: train on every other article, predict these."""

    name: str
    test_ids: frozenset[str]


def _check_enough(n_ids: int, n_folds: int) -> None:
    if n_folds < 2 or n_ids < n_folds:
        raise TrainingError(
            Errors.E043.format(reason=f"{n_ids} articles cannot make {n_folds} folds")
        )


def random_folds(ids: Iterable[str], n_folds: int = 5, seed: int = 0) -> list[Fold]:
    """``n_folds`` folds of article ids at random (KFold over the sorted ids, shuffled by ``seed``;
    the same folds as :func:`propscope.training.default_folds`).

    >>> [sorted(f.test_ids) for f in random_folds("abcd", 2)]
    [['c', 'd'], ['a', 'b']]
    """
    from sklearn.model_selection import KFold

    unique = sorted(set(ids))
    _check_enough(len(unique), n_folds)
    splitter = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return [
        Fold(f"random-{k + 1}", frozenset(unique[i] for i in test))
        for k, (_, test) in enumerate(splitter.split(unique))
    ]


def topic_folds(
    texts: Mapping[str, str],
    n_folds: int = 5,
    languages: Mapping[str, str] | None = None,
    seed: int = 0,
) -> list[Fold]:
    """``n_folds`` folds of unseen topics: the articles of each language are clustered into
    ``n_folds`` groups by k-means over their TF-IDF word vectors (words in more than half of the
    articles, such as function words, left out), and fold ``k`` holds out cluster ``k`` of every
    language. Clustering within a language keeps the clusters about topics, not languages.

    Clusters are numbered by size (largest first), so fold 1 holds each language's largest topic.
    """
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    by_language: dict[str, list[str]] = {}
    for article_id in sorted(texts):
        code = languages.get(article_id, "") if languages else ""
        by_language.setdefault(code, []).append(article_id)
    folds: list[set[str]] = [set() for _ in range(n_folds)]
    for ids in by_language.values():
        _check_enough(len(ids), n_folds)
        vectors = TfidfVectorizer(min_df=2, max_df=0.5, sublinear_tf=True).fit_transform(
            [texts[i] for i in ids]
        )
        groups = KMeans(n_clusters=n_folds, random_state=seed, n_init=10).fit_predict(vectors)
        ranked = [g for g, _ in Counter(groups.tolist()).most_common()]
        for article_id, group in zip(ids, groups.tolist(), strict=True):
            folds[ranked.index(group)].add(article_id)
    return [Fold(f"topic-{k + 1}", frozenset(ids)) for k, ids in enumerate(folds)]


def language_folds(languages: Mapping[str, str]) -> list[Fold]:
    """One fold per language (sorted by code) holding out all its articles."""
    codes = sorted(set(languages.values()))
    if len(codes) < 2:
        raise TrainingError(Errors.E043.format(reason=f"one language ({codes}) cannot be left out"))
    return [Fold(code, frozenset(i for i, c in languages.items() if c == code)) for code in codes]


def reflow(text: str) -> str:
    """``text`` re-cut into one sentence per line (its own line breaks become spaces).

    >>> reflow("Title\\n\\nOne. Two!\\nThree")
    'Title One.\\nTwo!\\nThree'
    """
    return "\n".join(sentence_chunks(text, 1))


def excerpt(text: str, words: int = 150) -> str:
    """The first ``words`` words of ``text``, its line breaks kept: a stress test of length,
    since readers paste excerpts and sources differ in how long their articles are.

    >>> excerpt("Title\\n\\nOne two three. Four", words=3)
    'Title\\n\\nOne two'
    """
    for kept, match in enumerate(re.finditer(r"\S+", text), start=1):
        if kept == words:
            return text[: match.end()]
    return text


def pool(
    folds: Sequence[Fold], predict_fold: Callable[[Fold], Mapping[str, str]]
) -> dict[str, str]:
    """Run ``predict_fold`` (train without the fold, predict its articles) on every fold and pool
    the predictions by article id. An article predicted by two folds is an error: the folds must
    not overlap.

    >>> pool(language_folds({"a": "en", "b": "fr"}), lambda f: dict.fromkeys(f.test_ids, "x"))
    {'a': 'x', 'b': 'x'}
    """
    pooled: dict[str, str] = {}
    for fold in folds:
        predicted = dict(predict_fold(fold))
        twice = sorted(set(predicted) & set(pooled))
        if twice:
            raise TrainingError(Errors.E043.format(reason=f"folds overlap on ids {twice[:5]}"))
        unknown = sorted(set(predicted) - fold.test_ids)
        if unknown:
            raise TrainingError(
                Errors.E043.format(
                    reason=f"fold {fold.name} predicted ids not in it: {unknown[:5]}"
                )
            )
        pooled.update(predicted)
    return pooled


@dataclass
class GenreScores:
    """Pooled genre predictions scored against gold.

    Attributes:
        macro_f1: SemEval-2023 subtask-1 macro-F1 over the three genres; an ``uncertain`` or
            missing prediction counts as wrong (against its gold class's recall).
        recall: Per genre, the share of its gold articles predicted as it.
        predicted: How many articles got each prediction (``uncertain`` included).
        gold: How many articles have each gold genre.
        macro_f1_at_prior: The macro-F1 expected where the genres occur with ``prior`` rather
            than as in ``gold`` (see :func:`macro_f1_at_prior`); ``None`` without a prior.
    """

    macro_f1: float
    recall: dict[str, float] = field(default_factory=dict)
    predicted: dict[str, int] = field(default_factory=dict)
    gold: dict[str, int] = field(default_factory=dict)
    macro_f1_at_prior: float | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "macro_f1": round(self.macro_f1, 4),
            "recall": {k: round(v, 4) for k, v in self.recall.items()},
            "predicted": self.predicted,
            "gold": self.gold,
        }
        if self.macro_f1_at_prior is not None:
            out["macro_f1_at_prior"] = round(self.macro_f1_at_prior, 4)
        return out


def macro_f1_at_prior(
    gold: Mapping[str, str], predicted: Mapping[str, str], prior: Mapping[str, float]
) -> float:
    """Macro-F1 where genre ``g`` makes up ``prior[g]`` of the articles, from the confusion
    rows of ``gold``: each gold genre's articles are predicted as in ``predicted`` (a missing or
    ``uncertain`` prediction is wrong), in the proportions of the prior (the label-shift
    assumption: articles of a genre look alike wherever they come from). Train's folds are 83%
    opinion; a news stream is not, and its precision for reports is not train's. Genres without
    gold articles are left out.

    >>> gold = {"1": "reporting", "2": "opinion", "3": "opinion"}
    >>> pred = {"1": "reporting", "2": "opinion", "3": "reporting"}
    >>> round(macro_f1_at_prior(gold, pred, {"reporting": 0.5, "opinion": 0.5, "satire": 0}), 4)
    0.7333
    """
    present = [g for g in GENRES if any(v == g for v in gold.values())]
    rows: dict[str, Counter[str]] = {g: Counter() for g in present}
    for article_id, genre in gold.items():
        rows[genre][predicted.get(article_id, UNCERTAIN)] += 1
    mass = {
        g: {p: prior.get(g, 0.0) * n / sum(rows[g].values()) for p, n in rows[g].items()}
        for g in present
    }
    f1s = []
    for g in present:
        tp = mass[g].get(g, 0.0)
        fp = sum(mass[o].get(g, 0.0) for o in present if o != g)
        fn = prior.get(g, 0.0) - tp
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0)
    return sum(f1s) / len(f1s) if f1s else 0.0


def score_genre(
    gold: Mapping[str, str],
    predicted: Mapping[str, str],
    prior: Mapping[str, float] | None = None,
) -> GenreScores:
    """Score pooled genre predictions (only the ids in ``gold``); with ``prior``, also the
    macro-F1 expected at that genre distribution (:func:`macro_f1_at_prior`).

    >>> s = score_genre({"1": "satire", "2": "opinion", "3": "reporting"},
    ...                 {"1": "satire", "2": "opinion", "3": "uncertain"})
    >>> round(s.macro_f1, 4), s.recall["reporting"], s.predicted["uncertain"]
    (0.6667, 0.0, 1)
    """
    known = {i: p for i, p in predicted.items() if i in gold and p in GENRES}
    scores = score_subtask1(gold, known)
    counts = Counter(predicted[i] for i in gold if i in predicted)
    return GenreScores(
        macro_f1=scores.main,
        recall={g: scores.per_label[g]["recall"] for g in GENRES},
        predicted={g: counts[g] for g in (*GENRES, UNCERTAIN) if counts[g]},
        gold={g: n for g in GENRES if (n := sum(v == g for v in gold.values()))},
        macro_f1_at_prior=None if prior is None else macro_f1_at_prior(gold, predicted, prior),
    )


def scores_by_language(
    gold: Mapping[str, str],
    predicted: Mapping[str, str],
    languages: Mapping[str, str],
    prior: Mapping[str, float] | None = None,
) -> dict[str, GenreScores]:
    """:func:`score_genre` per language (``languages``: article id -> code)."""
    return {
        code: score_genre({i: g for i, g in gold.items() if languages[i] == code}, predicted, prior)
        for code in sorted(set(languages[i] for i in gold))
    }


def read_genre_probabilities(
    path: Path, scheme: str
) -> tuple[list[str], np.ndarray, dict[str, str], dict[str, str], np.ndarray]:
    """The file ``benchmarks/cv_genre.py --probabilities`` writes: the article ids, their
    out-of-fold probabilities under ``scheme`` (columns in :data:`~propscope.taxonomy.GENRES`
    order, as the genre models' labels), gold genres, languages, and English dev's
    probabilities (``dev-en``)."""
    stored = json.loads(Path(path).read_text(encoding="utf-8"))
    ids = sorted(stored[f"{scheme}/proba"])
    proba = np.array([[float(p) for p in stored[f"{scheme}/proba"][i].split()] for i in ids])
    gold = {i: stored["gold"][i] for i in ids}
    languages = {i: stored["languages"][i] for i in ids}
    dev = np.array([[float(p) for p in row.split()] for row in stored["dev-en"].values()])
    return ids, proba, gold, languages, dev


__all__ = [
    "UNCERTAIN",
    "Fold",
    "GenreScores",
    "excerpt",
    "language_folds",
    "macro_f1_at_prior",
    "pool",
    "random_folds",
    "read_genre_probabilities",
    "reflow",
    "score_genre",
    "scores_by_language",
    "topic_folds",
]

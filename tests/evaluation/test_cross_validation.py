"""Pooling and scoring of SemEval-2023 cross-validation folds, on four invented articles.

A stand-in pipeline "predicts" hand-written documents, so every score below is computed by hand.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from propscope.corpora.semeval2023 import Semeval2023Split
from propscope.errors import CorpusFormatError, InputNotFoundError, TrainingError
from propscope.evaluation.cross_validation import fold_predictions, pool_folds, score_split
from propscope.types import Document, Label, Paragraph, Span

NCL, LL, DOUBT, EXAG = (
    "Name_Calling-Labeling",
    "Loaded_Language",
    "Doubt",
    "Exaggeration-Minimisation",
)

# id: (text, [(fragment, technique)], genre, frames); a1's second paragraph is line 3.
GOLD = {
    "a1": (
        "The senator is a corrupt traitor.\n\nHe voted on the budget today.\n",
        [("corrupt traitor", NCL)],
        "opinion",
        ["Political"],
    ),
    "a2": (
        "These crooks will destroy everything we love.\nWho could trust them?\n",
        [("crooks", NCL), ("destroy everything we love", LL), ("Who could trust them", DOUBT)],
        "opinion",
        ["Political", "Morality"],
    ),
    "a3": (
        "Officials said the bridge will reopen in June.\nTraffic was diverted.\n",
        [],
        "reporting",
        ["Economic"],
    ),
    "a4": (
        "Our glorious leader never sleeps and never eats.\nThe palace said so on Monday.\n",
        [("never sleeps and never eats", EXAG)],
        "satire",
        ["Morality"],
    ),
}
# An imperfect model: genre, frames, spans, and the paragraph classifier's labels by paragraph.
PREDICTED = {
    "a1": ("opinion", ["Political"], [("traitor", NCL)]),
    "a2": ("reporting", ["Political"], [("crooks", NCL), ("Who could trust them", DOUBT)]),
    "a3": ("reporting", ["Economic", "Political"], []),
    "a4": ("satire", ["Morality"], []),
}
CLASSIFIER = {("a1", 1): [NCL], ("a1", 3): [DOUBT], ("a2", 1): [LL], ("a2", 2): [DOUBT]}


def _document(article_id: str, fragments: list[tuple[str, str]], **labels: Any) -> Document:
    text = GOLD[article_id][0]
    spans = [
        Span.from_text(text, text.index(f), text.index(f) + len(f), technique)
        for f, technique in fragments
    ]
    return Document(article_id, text, **labels).with_spans(spans)


def gold_documents() -> dict[str, Document]:
    """The gold articles; a paragraph's techniques are those of the spans in it."""
    docs = {}
    for article_id, (_, fragments, genre, frames) in GOLD.items():
        doc = _document(article_id, fragments, genre=Label(genre), frames=tuple(map(Label, frames)))
        paragraphs = [
            Paragraph(
                p.index,
                p.start,
                p.end,
                tuple(Label(s.technique) for s in doc.spans if s.start < p.end and s.end > p.start),
            )
            for p in doc.paragraphs
        ]
        docs[article_id] = doc.with_labels(paragraphs=paragraphs)
    return docs


def gold_split(ids: Sequence[str] = tuple(GOLD)) -> Semeval2023Split:
    docs = {i: d for i, d in gold_documents().items() if i in ids}
    return Semeval2023Split(
        lang="en",
        split="train",
        documents=docs,
        ids_by_subtask=dict.fromkeys((1, 2, 3), tuple(sorted(docs))),
        template=tuple((i, p.index) for i, d in docs.items() for p in d.paragraphs),
        gold_subtasks=(1, 2, 3),
    )


@dataclass
class _Paragraphs:
    labels: dict[str, list[str]]  # paragraph text -> techniques

    def predict_labels(
        self, texts: Sequence[str], *, languages: Sequence[str] | None = None
    ) -> list[list[Label]]:
        return [[Label(name) for name in self.labels.get(t, [])] for t in texts]


@dataclass
class FakePipeline:
    """Stands in for a trained pipeline: ``predicted`` are its analyses, by article id."""

    predicted: dict[str, Document]
    paragraphs: _Paragraphs | None
    tagger: object | None = "tagger"
    trained: list[str] = field(default_factory=lambda: ["tagger", "paragraphs", "genre", "frames"])

    def analyze_documents(self, documents: Sequence[Document]) -> list[Document]:
        return [self.predicted[d.id] for d in documents]

    def components(self) -> list[str]:
        return list(self.trained)


def perfect_pipeline() -> FakePipeline:
    gold = gold_documents()
    labels = {d.paragraph_text(p): p.technique_names() for d in gold.values() for p in d.paragraphs}
    return FakePipeline(gold, _Paragraphs(labels))


def imperfect_pipeline() -> FakePipeline:
    predicted = {
        i: _document(i, spans, genre=Label(genre), frames=tuple(map(Label, frames)))
        for i, (genre, frames, spans) in PREDICTED.items()
    }
    gold = gold_documents()
    labels = {
        gold[i].paragraph_text(p): CLASSIFIER.get((i, p.index), [])
        for i in gold
        for p in gold[i].paragraphs
    }
    return FakePipeline(predicted, _Paragraphs(labels))


def write_fold(path: Path, pipeline: Any, ids: Sequence[str]) -> Path:
    """What ``fit_and_cache_fold`` caches for a fold holding out ``ids`` (one minute's training)."""
    docs = [gold_documents()[i] for i in ids]
    predictions = fold_predictions(pipeline, docs)
    predictions |= {"fit_seconds": 60.0, "tagger_epoch_seconds": [30.0]}
    path.write_text(json.dumps(predictions))
    return path


@pytest.fixture
def two_folds(tmp_path: Path) -> list[Path]:
    pipeline = imperfect_pipeline()
    return [
        write_fold(tmp_path / "fold0.json", pipeline, ["a1", "a2"]),
        write_fold(tmp_path / "fold1.json", pipeline, ["a3", "a4"]),
    ]


def test_fold_predictions_are_ids_labels_and_offsets() -> None:
    predictions = fold_predictions(imperfect_pipeline(), [gold_documents()["a1"]])
    assert predictions == {
        "genre": {"a1": "opinion"},
        "frames": {"a1": ["Political"]},
        "st3": {
            "classifier": {"a1\t1": [NCL], "a1\t3": [DOUBT]},
            "spans": {"a1\t1": [NCL], "a1\t3": []},
        },
        "spans": [["a1", NCL, 25, 32]],
        "span_ids": ["a1"],
        "components": ["tagger", "paragraphs", "genre", "frames"],
    }
    assert json.loads(json.dumps(predictions)) == predictions


def test_pool_folds_gives_every_article_once(two_folds: list[Path]) -> None:
    pooled = pool_folds(two_folds)
    assert list(pooled.genre) == ["a1", "a2", "a3", "a4"]
    paragraphs = ["a1\t1", "a1\t3", "a2\t1", "a2\t2", "a3\t1", "a3\t2", "a4\t1", "a4\t2"]
    assert {variant: list(rows) for variant, rows in pooled.st3.items()} == dict.fromkeys(
        ["classifier", "spans", "union"], paragraphs
    )
    assert pooled.st3["union"]["a2\t1"] == [LL, NCL]  # classifier LL, spans NCL
    assert pooled.span_ids == set(GOLD)
    assert (pooled.fit_seconds, pooled.epoch_seconds) == ([60.0, 60.0], [30.0, 30.0])


def test_pool_folds_refuses_overlapping_folds(tmp_path: Path) -> None:
    pipeline = imperfect_pipeline()
    paths = [
        write_fold(tmp_path / "fold0.json", pipeline, ["a1", "a2"]),
        write_fold(tmp_path / "fold1.json", pipeline, ["a2", "a3"]),
    ]
    with pytest.raises(TrainingError, match=r"\[E092\].*fold0\.json.*fold1\.json.*'a2'"):
        pool_folds(paths)
    # Restricted to articles that only one fold holds out, they pool.
    assert list(pool_folds(paths, ids={"a1", "a3"}).genre) == ["a1", "a3"]


@pytest.mark.parametrize(
    ("content", "error", "code"),
    [
        (None, InputNotFoundError, "E090"),
        ("{not json", CorpusFormatError, "E091"),
        ('{"genre": {}}', CorpusFormatError, "E091"),
    ],
)
def test_pool_folds_refuses_a_missing_or_broken_fold_file(
    two_folds: list[Path], content: str | None, error: type[Exception], code: str
) -> None:
    broken = two_folds[0].parent / "fold2.json"
    if content is not None:
        broken.write_text(content)
    with pytest.raises(error, match=rf"\[{code}\] .*fold2\.json"):
        pool_folds([*two_folds, broken])


def test_pool_folds_refuses_no_folds() -> None:
    with pytest.raises(TrainingError, match=r"\[E094\]"):
        pool_folds([])


def test_perfect_predictions_score_one_on_every_measure(tmp_path: Path) -> None:
    pipeline = perfect_pipeline()
    paths = [
        write_fold(tmp_path / f"fold{k}.json", pipeline, ids)
        for k, ids in enumerate([["a1", "a3"], ["a2", "a4"]])
    ]
    scores = score_split(gold_split(), pool_folds(paths))
    macro = {k: scores.pop(k) for k in list(scores) if k.startswith("st3_macro_f1")}
    # Macro-F1 averages over all 23 techniques, and the 19 no article has score 0.
    assert macro == dict.fromkeys(
        ["st3_macro_f1_classifier", "st3_macro_f1_spans", "st3_macro_f1_union"], 4 / 23
    )
    assert {k: v["f1"] for k, v in scores.pop("st1_per_class").items()} == {
        "reporting": 1.0,
        "opinion": 1.0,
        "satire": 1.0,
    }
    assert scores == {
        "st1_macro_f1": 1.0,
        "st2_micro_f1": 1.0,
        "span_articles": 4,
        "span_f1_technique_aware": 1.0,
        "span_f1_technique_agnostic": 1.0,
        "fit_minutes_per_fold": 1.0,
        "tagger_minutes_per_epoch": 0.5,
        "st3_micro_f1_classifier": 1.0,
        "st3_micro_f1_spans": 1.0,
        "st3_micro_f1_union": 1.0,
    }


def test_imperfect_predictions_score_by_hand(two_folds: list[Path]) -> None:
    scores = score_split(gold_split(), pool_folds(two_folds))
    # ST1: opinion P 1 R 1/2, reporting P 1/2 R 1 (F1 2/3 each), satire F1 1.
    assert scores["st1_macro_f1"] == pytest.approx(7 / 9)
    assert scores["st1_per_class"]["opinion"]["recall"] == 0.5
    # ST2: TP 4 (a1, a2, a3, a4), FP 1 (a3 Political), FN 1 (a2 Morality) -> 8/10.
    assert scores["st2_micro_f1"] == pytest.approx(0.8)
    # ST3, classifier: TP 3 (a1 NCL, a2 LL, a2 Doubt), FP 1 (a1 line 3 Doubt),
    # FN 2 (a2 NCL, a4 Exag) -> 2*3 / (2*3 + 1 + 2) = 2/3.
    assert scores["st3_micro_f1_classifier"] == pytest.approx(2 / 3)
    # From the spans: TP 3 (a1 NCL, a2 NCL, a2 Doubt), FP 0, FN 2 (a2 LL, a4 Exag) -> 6/8.
    assert scores["st3_micro_f1_spans"] == pytest.approx(0.75)
    # The union: TP 4, FP 1 (a1 Doubt), FN 1 (a4 Exag) -> 8/10.
    assert scores["st3_micro_f1_union"] == pytest.approx(0.8)
    # Spans: 3 predicted, each inside a gold span (P 1); 5 gold, "traitor" covers 7 of
    # "corrupt traitor"'s 15 characters: R = (7/15 + 1 + 1) / 5 = 37/75; F1 = 74/112.
    assert scores["span_f1_technique_aware"] == pytest.approx(37 / 56)
    assert scores["span_f1_technique_agnostic"] == pytest.approx(37 / 56)
    assert scores["span_articles"] == 4


def test_pool_folds_restricted_to_ids(two_folds: list[Path]) -> None:
    pooled = pool_folds(two_folds, ids={"a1", "a3"})
    assert list(pooled.genre) == list(pooled.frames) == ["a1", "a3"]
    assert list(pooled.st3["classifier"]) == ["a1\t1", "a1\t3", "a3\t1", "a3\t2"]
    assert pooled.spans == [["a1", NCL, 25, 32]]
    assert pooled.span_ids == {"a1", "a3"}
    # Scored against the split of those two articles only: a1 line 1 NCL TP, line 3 Doubt FP.
    scores = score_split(gold_split(["a1", "a3"]), pooled)
    assert scores["st3_micro_f1_classifier"] == pytest.approx(2 / 3)
    assert scores["span_articles"] == 2


def test_score_split_refuses_ids_the_split_lacks(two_folds: list[Path]) -> None:
    with pytest.raises(TrainingError, match=r"\[E093\] 1 predicted article.*en/train.*'a4'"):
        score_split(gold_split(["a1", "a2", "a3"]), pool_folds(two_folds))


def test_score_split_leaves_out_what_no_fold_trained(tmp_path: Path) -> None:
    pipeline = imperfect_pipeline()
    pipeline.tagger, pipeline.trained = None, ["paragraphs", "frames"]
    paths = [write_fold(tmp_path / "fold0.json", pipeline, list(GOLD))]
    scores = score_split(gold_split(), pool_folds(paths))
    assert sorted(scores) == [
        "fit_minutes_per_fold",
        "span_articles",
        "span_f1_technique_agnostic",
        "span_f1_technique_aware",
        "st2_micro_f1",
        "st3_macro_f1_classifier",
        "st3_micro_f1_classifier",
        "tagger_minutes_per_epoch",
    ]
    assert scores["span_f1_technique_aware"] is None and scores["span_articles"] == 0


def test_pool_folds_reads_caches_from_before_span_ids_and_components(
    two_folds: list[Path],
) -> None:
    for path in two_folds:
        fold = json.loads(path.read_text())
        del fold["span_ids"], fold["components"]
        path.write_text(json.dumps(fold))
    pooled = pool_folds(two_folds)
    assert pooled.span_ids == set(GOLD)
    assert pooled.components == {"tagger", "paragraphs", "genre", "frames"}


def test_a_fold_model_must_not_borrow_a_component(tmp_path: Path) -> None:
    from propscope.errors import ConfigError
    from propscope.evaluation.cross_validation import fit_and_cache_fold
    from propscope.training_data import TrainConfig, TrainingData

    config = TrainConfig(name="en-x")
    config.borrowed = {"paragraphs": "multi-fast"}  # as [components] paragraphs = "multi-fast"
    docs = list(gold_documents().values())
    data = TrainingData(docs, docs, docs, docs, ["tiny"])
    cache = tmp_path / "fold0.json"
    with pytest.raises(ConfigError, match=r"E100.*en-x takes paragraphs.*\(multi-fast\)"):
        fit_and_cache_fold(config, data, docs[:1], cache, tmp_path / "ckpt")
    assert not cache.exists()  # refused before any training


def test_cv_parser_takes_the_arguments_every_cross_validation_script_takes() -> None:
    from propscope.evaluation.cross_validation import cv_parser

    parser = cv_parser("Cross-validate a config.\n\nMore words.")
    assert parser.description == "Cross-validate a config."
    args = parser.parse_args(["--config", "c.toml", "--data-dir", "d", "--out", "o.json"])
    assert (args.config, args.data_dir, args.folds, args.out) == (
        Path("c.toml"),
        Path("d"),
        5,
        Path("o.json"),
    )

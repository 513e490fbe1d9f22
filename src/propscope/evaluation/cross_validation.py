"""Out-of-fold predictions of a SemEval-2023 cross-validation run: cached, pooled and scored.

Each fold of a k-fold run trains a pipeline without its articles and predicts them;
:func:`fold_predictions` turns those predictions into a JSON-able dict of ids, labels and
character offsets (no text), which the run caches as one file per fold. :func:`pool_folds` merges
the cached folds, every article from exactly one fold, and :func:`score_split` scores the pool
against one split's gold with the official measures of :mod:`propscope.evaluation.semeval2023`:
subtask 1 macro-F1 (and per genre), subtask 2 micro-F1, subtask 3 micro- and macro-F1 for each
source of paragraph techniques, and span F1 (partial overlap, technique-aware and agnostic).

A fold file is a JSON object with the keys

* ``genre``: article id -> genre (``null`` where none was predicted);
* ``frames``: article id -> frames;
* ``st3``: ``{"classifier": rows, "spans": rows}``, the paragraph techniques from the paragraph
  classifier and from the spans, rows keyed ``"<article id>\\t<paragraph number>"`` (their union
  is derived by :func:`pool_folds`);
* ``spans``: ``[article id, technique, start, end]`` rows;
* ``span_ids`` and ``components``: the articles a tagger predicted, the components trained;
* ``fit_seconds`` and ``tagger_epoch_seconds``: what the training run that wrote it adds.

Example:
    >>> pooled = pool_folds([Path(f"runs/cv-en/fold{k}.json") for k in range(5)])  # doctest: +SKIP
    >>> split = load_split(Path("../shared/data"), "en", "train")  # doctest: +SKIP
    >>> round(score_split(split, pooled)["st3_micro_f1_classifier"], 3)  # doctest: +SKIP
    0.358
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from propscope.errors import (
    ConfigError,
    CorpusFormatError,
    Errors,
    InputNotFoundError,
    TrainingError,
)
from propscope.evaluation.semeval2023 import (
    score_spans,
    score_subtask1,
    score_subtask2,
    score_subtask3,
)
from propscope.results import span_labels
from propscope.types import Document, SpanRow

if TYPE_CHECKING:
    from propscope.corpora.semeval2023 import Semeval2023Split
    from propscope.pipeline import Pipeline
    from propscope.training_data import TrainConfig, TrainingData

_FOLD_KEYS = ("genre", "frames", "st3", "spans", "fit_seconds", "tagger_epoch_seconds")
# Fold files from before ``components`` was recorded came from runs that trained all of these.
_FORMER_COMPONENTS = ("tagger", "paragraphs", "genre", "frames")


@dataclass
class PooledFolds:
    """The predictions of several folds merged, in the fold file's shapes (module docstring).

    ``st3`` also has the ``union`` of both sources; ``fit_seconds`` has one entry per fold and
    ``epoch_seconds`` every tagger epoch's; ``span_ids`` are the articles whose fold had a
    tagger and ``components`` what any fold trained.
    """

    genre: dict[str, str | None] = field(default_factory=dict)
    frames: dict[str, list[str]] = field(default_factory=dict)
    st3: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    spans: list[list[Any]] = field(default_factory=list)
    fit_seconds: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    span_ids: set[str] = field(default_factory=set)
    components: set[str] = field(default_factory=set)

    def article_ids(self) -> set[str]:
        """Every article id that any of the predictions names."""
        ids = set(self.genre) | set(self.frames) | self.span_ids | {row[0] for row in self.spans}
        return ids | {_article(key) for rows in self.st3.values() for key in rows}


def _article(key: str) -> str:
    return key.split("\t")[0]


def fold_predictions(pipeline: Pipeline, docs: Sequence[Document]) -> dict[str, Any]:
    """What ``pipeline`` (trained without ``docs``) predicts for ``docs``, as a fold file's dict
    (the module docstring lists its keys; the training times are the caller's to add).

    Args:
        pipeline: The fold's trained pipeline.
        docs: The fold's held-out articles (their text only is used).

    Returns:
        A JSON-able dict of ids, labels and character offsets.
    """
    predicted = pipeline.analyze_documents(docs)
    out: dict[str, Any] = {"genre": {}, "frames": {}, "st3": {}, "spans": []}
    variants: dict[str, dict[str, list[str]]] = {"classifier": {}, "spans": {}}
    for gold, doc in zip(docs, predicted, strict=True):
        out["genre"][doc.id] = doc.genre.name if doc.genre else None
        out["frames"][doc.id] = [f.name for f in doc.frames]
        texts = [doc.paragraph_text(p) for p in doc.paragraphs]
        languages = [doc.language] * len(texts)
        classifier = (
            pipeline.paragraphs.predict_labels(texts, languages=languages)
            if texts and pipeline.paragraphs is not None
            else [[] for _ in texts]  # a model without a paragraph classifier predicts none
        )
        for par, by_classifier in zip(doc.paragraphs, classifier, strict=True):
            key = f"{doc.id}\t{par.index}"
            variants["classifier"][key] = [label.name for label in by_classifier]
            variants["spans"][key] = sorted(span_labels(par, doc.spans))
        out["spans"] += [[doc.id, s.technique, s.start, s.end] for s in doc.spans]
        assert gold.id == doc.id
    out["st3"] = variants
    out["span_ids"] = [doc.id for doc in docs] if pipeline.tagger is not None else []
    out["components"] = pipeline.components()
    return out


def cv_parser(doc: str | None) -> argparse.ArgumentParser:
    """The arguments every cross-validation script of ``benchmarks/`` takes: ``--config``,
    ``--data-dir``, ``--folds``, ``--out`` (described by the first paragraph of ``doc``)."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, required=True)
    return parser


def fit_and_cache_fold(
    config: TrainConfig,
    data: TrainingData,
    test_docs: Sequence[Document],
    cache: Path,
    checkpoint_dir: Path,
) -> None:
    """Train ``config`` on ``data`` without ``test_docs``, predict them, and cache the
    predictions as a fold file (:func:`fold_predictions`, plus the training time).

    Raises:
        ConfigError: E100, the config borrows a component from another model, which was trained
            on these test articles too.
    """
    # Imported here: propscope.training reaches back into this package (the models it trains
    # import propscope.evaluation.spans), and this package's __init__ imports this module.
    from propscope.training import fit_pipeline

    if config.borrowed:
        raise ConfigError(
            Errors.E100.format(
                name=config.name,
                components=", ".join(sorted(config.borrowed)),
                models=", ".join(sorted(set(config.borrowed.values()))),
            )
        )
    test_ids = {d.id for d in test_docs}
    began = time.perf_counter()
    pipeline = fit_pipeline(
        config, data.subset(lambda i: i not in test_ids), checkpoint_dir=checkpoint_dir
    )
    fit_seconds = time.perf_counter() - began
    predictions = fold_predictions(pipeline, test_docs)
    predictions["fit_seconds"] = fit_seconds
    predictions["tagger_epoch_seconds"] = pipeline.meta["train_seconds"].get(
        "tagger_epoch_seconds", []
    )
    cache.write_text(json.dumps(predictions), encoding="utf-8")


def _read_fold(path: Path) -> dict[str, Any]:
    def broken(reason: str) -> CorpusFormatError:
        keys = ", ".join(_FOLD_KEYS)
        return CorpusFormatError(Errors.E091.format(path=path, reason=reason, keys=keys))

    try:
        fold = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputNotFoundError(Errors.E090.format(path=path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise broken(f"not JSON: {exc}") from exc
    if not isinstance(fold, dict):
        raise broken(f"a JSON {type(fold).__name__}, not an object")
    missing = [k for k in _FOLD_KEYS if k not in fold]
    if not missing and "classifier" not in fold["st3"]:
        missing = ["st3.classifier"]
    if missing:
        raise broken(f"no {', '.join(missing)}")
    return fold


def _examples(ids: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in sorted(ids)[:5])


def pool_folds(paths: Sequence[Path], ids: Collection[str] | None = None) -> PooledFolds:
    """Merge the fold files at ``paths`` (only the articles in ``ids``, if given).

    Args:
        paths: One fold file per fold, as :func:`fold_predictions` and the run wrote them.
        ids: Keep only these articles (e.g. one language's of a multilingual run).

    Returns:
        The merged predictions, with the ``union`` of both paragraph sources in ``st3``.

    Raises:
        InputNotFoundError: A fold file does not exist (E090).
        CorpusFormatError: A file is not a fold file (E091).
        TrainingError: Two folds hold out the same article (E092), or ``paths`` is empty (E094).
    """
    if not paths:
        raise TrainingError(Errors.E094.format())
    pooled = PooledFolds()
    held_out_by: dict[str, Path] = {}

    def keep(key: str) -> bool:
        return ids is None or _article(key) in ids

    for path in paths:
        fold = _read_fold(path)
        held_out = {
            i for i in (*fold["genre"], *map(_article, fold["st3"]["classifier"])) if keep(i)
        }
        if twice := held_out & held_out_by.keys():
            first = held_out_by[min(twice)]
            raise TrainingError(
                Errors.E092.format(
                    first=first, second=path, count=len(twice), examples=_examples(twice)
                )
            )
        held_out_by |= dict.fromkeys(held_out, path)
        pooled.genre.update({k: v for k, v in fold["genre"].items() if keep(k)})
        pooled.frames.update({k: v for k, v in fold["frames"].items() if keep(k)})
        st3 = dict(fold["st3"])
        # The union of both sources, derived here (older caches stored a "union" that was the
        # pipeline's configured paragraph source: it is replaced).
        st3["union"] = {
            k: sorted(set(v) | set(st3["spans"].get(k, []))) for k, v in st3["classifier"].items()
        }
        for variant, rows in st3.items():
            pooled.st3.setdefault(variant, {}).update({k: v for k, v in rows.items() if keep(k)})
        pooled.spans += [row for row in fold["spans"] if keep(row[0])]
        pooled.fit_seconds.append(fold["fit_seconds"])
        pooled.epoch_seconds += fold["tagger_epoch_seconds"]
        # Caches from before span_ids was recorded all came from runs with a tagger.
        tagged = fold.get(
            "span_ids", list(fold["genre"]) + [_article(k) for k in fold["st3"]["classifier"]]
        )
        pooled.span_ids.update(i for i in tagged if ids is None or i in ids)
        pooled.components.update(fold.get("components", _FORMER_COMPONENTS))
    return pooled


def score_split(split: Semeval2023Split, pooled: PooledFolds) -> dict[str, Any]:
    """Official scores of pooled out-of-fold predictions against one split's gold.

    Span F1 is computed over the articles whose fold had a tagger (``span_ids``), if any; a
    subtask whose component no fold trained is left out (not scored as 0).

    Args:
        split: The split the folds were cut from (or one language of it).
        pooled: Its pooled predictions (:func:`pool_folds`).

    Returns:
        ``st1_macro_f1`` and ``st1_per_class``, ``st2_micro_f1``, ``span_articles``,
        ``span_f1_technique_aware`` and ``span_f1_technique_agnostic`` (``None`` without gold
        spans), ``fit_minutes_per_fold``, ``tagger_minutes_per_epoch`` (``None`` without a
        tagger), and ``st3_micro_f1_<source>`` and ``st3_macro_f1_<source>`` for the sources
        ``classifier``, ``spans`` and ``union``.

    Raises:
        TrainingError: The predictions name articles that the split does not have (E093).
    """
    docs = split.documents
    if unknown := pooled.article_ids() - docs.keys():
        raise TrainingError(
            Errors.E093.format(
                count=len(unknown), lang=split.lang, split=split.split, examples=_examples(unknown)
            )
        )
    gold_genre = {
        i: doc.genre.name
        for i in split.ids_by_subtask[1]
        if (doc := docs[i]).genre and i in pooled.genre and "genre" in pooled.components
    }
    gold_frames = {
        i: [f.name for f in docs[i].frames]
        for i in split.ids_by_subtask[2]
        if i in pooled.frames and "frames" in pooled.components
    }
    gold_st3 = {
        (i, p.index): p.technique_names()
        for i in split.ids_by_subtask[3]
        for p in docs[i].paragraphs
        if f"{i}\t{p.index}" in pooled.st3["classifier"]
    }
    span_ids = pooled.span_ids
    gold_spans = [
        SpanRow(i, s.technique, s.start, s.end)
        for i in split.ids_by_subtask[3]
        if i in span_ids
        for s in docs[i].spans
    ]
    pred_spans = [SpanRow(*row) for row in pooled.spans if row[0] in span_ids]
    result: dict[str, Any] = {}
    if gold_genre:
        # A null genre (a fold whose genre model predicted none) is refused by the scorer (E020).
        predicted_genre = cast(dict[str, str], {i: pooled.genre[i] for i in gold_genre})
        st1 = score_subtask1(gold_genre, predicted_genre)
        result.update(st1_macro_f1=st1.main, st1_per_class=st1.per_label)
    if gold_frames:
        frames = {i: pooled.frames[i] for i in gold_frames}
        result["st2_micro_f1"] = score_subtask2(gold_frames, frames).main
    fit_seconds, epoch_seconds = pooled.fit_seconds, pooled.epoch_seconds
    result |= {
        "span_articles": len(span_ids),
        "span_f1_technique_aware": score_spans(gold_spans, pred_spans, technique_aware=True).main
        if gold_spans
        else None,
        "span_f1_technique_agnostic": score_spans(
            gold_spans, pred_spans, technique_aware=False
        ).main
        if gold_spans
        else None,
        "fit_minutes_per_fold": sum(fit_seconds) / len(fit_seconds) / 60,
        "tagger_minutes_per_epoch": (sum(epoch_seconds) / len(epoch_seconds) / 60)
        if epoch_seconds
        else None,
    }
    for variant, rows in pooled.st3.items():
        if variant == "classifier" and "paragraphs" not in pooled.components:
            continue  # no paragraph classifier
        if variant != "classifier" and not span_ids:
            continue  # no tagger: the span variants carry no information
        pred = {
            (_article(key), int(key.split("\t")[1])): labels
            for key, labels in rows.items()
            # The span variants only where a tagger predicted (folds without one have no spans).
            if variant == "classifier" or _article(key) in span_ids
        }
        gold = {key: labels for key, labels in gold_st3.items() if key in pred}
        scores = score_subtask3(gold, pred)
        result[f"st3_micro_f1_{variant}"] = scores.main
        result[f"st3_macro_f1_{variant}"] = scores.metrics.get("macro_f1")
    return result


__all__ = [
    "PooledFolds",
    "cv_parser",
    "fit_and_cache_fold",
    "fold_predictions",
    "pool_folds",
    "score_split",
]

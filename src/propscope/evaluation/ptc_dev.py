"""SemEval-2020 Task 11 on PTC dev, as an unseen-news set: a model trained on PTC train only.

PTC dev is 75 news articles that no such model saw; SemEval-2023's English train holds them too
(re-annotated), so a model trained on it is refused (:func:`require_unseen`). Scores use the
organisers' scorers on the organisers' formats (SI F1; TC micro- and macro-F1 on the gold
fragments of ``labels-tc.tsv``), and for a tagger the technique-aware span F1 (the tagger's spans
in PTC-14's classes, partial-overlap rule)::

    propscope train configs/ptc-train.toml --data-dir ../shared/data --out runs/ptc-train
    propscope bench ptc-dev --model runs/ptc-train --data-dir ../shared/data \\
        --out benchmarks/results/ptc-dev.json
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from propscope.corpora.ptc import read_articles, read_tc_labels, read_tc_template, write_tc
from propscope.errors import ConfigError, Errors, InputNotFoundError
from propscope.evaluation.files import evaluate_files
from propscope.evaluation.spans import SpanRow, score_span_overlap
from propscope.pipeline import Pipeline
from propscope.tasks import predict_ptc, predict_tc
from propscope.taxonomy.mapping import PTC14_TO_SEMEVAL2023, SEMEVAL2023_TO_PTC14, to_ptc14
from propscope.types import Document, Span

#: Where the PTC corpus keeps its dev split, under the data folder.
DEV_FOLDER = Path("ptc-semeval2020") / "dev"


def dev_folder(data_dir: Path) -> Path:
    """PTC dev under ``data_dir`` (articles, ``labels-si.tsv``, ``labels-tc.tsv``).

    Raises:
        InputNotFoundError: E097, the folder or one of its files is missing.
    """
    dev = data_dir / DEV_FOLDER
    for needed in (dev / "articles", dev / "labels-si.tsv", dev / "labels-tc.tsv"):
        if not needed.exists():
            raise InputNotFoundError(Errors.E097.format(path=needed, data_dir=data_dir))
    return dev


def require_unseen(pipeline: Pipeline, where: str | Path = "the model") -> Pipeline:
    """``pipeline``, unless its training data (``meta.json``'s ``training_data``) include PTC
    dev: a PTC split named ``dev``, or SemEval-2023 English train, which contains it. A model
    that borrows components from another model is refused too: the bundled ones it could borrow
    from were trained on SemEval-2023 English train.

    Raises:
        ConfigError: E098, the model has seen PTC dev, or may have through what it borrows.
    """
    sources = list(pipeline.meta.get("training_data", []))
    settings = getattr(pipeline, "settings", None)
    borrowed = dict(getattr(settings, "borrowed", None) or {})
    if borrowed:
        sources += [f"{part} borrowed from {model}" for part, model in sorted(borrowed.items())]
    if borrowed or any(s.endswith("dev") or s.startswith("semeval2023-task3/en") for s in sources):
        raise ConfigError(Errors.E098.format(model=where, sources=", ".join(sources)))
    return pipeline


def load_unseen(path: Path) -> Pipeline:
    """The pipeline saved at ``path``, checked by :func:`require_unseen`."""
    return require_unseen(Pipeline.load(path), path)


def in_ptc14(spans: Sequence[Span]) -> tuple[list[Span], int]:
    """``spans`` in PTC-14's classes, and how many had a technique PTC-14 has no class for.

    Each class is named by the one SemEval-2023 technique it translates to (Straw_Man and
    Whataboutism become Red_Herring, PTC-14's ``Whataboutism,Straw_Men,Red_Herring``), so that
    two spans match exactly when their PTC-14 classes do."""
    kept = []
    for s in spans:
        ptc = SEMEVAL2023_TO_PTC14.get(s.technique or "")
        if ptc:
            kept.append(Span(s.start, s.end, s.text, PTC14_TO_SEMEVAL2023[ptc], s.score))
    return kept, len(spans) - len(kept)


def score_tagger_on_dev(pipeline: Pipeline, dev: Path) -> dict[str, float]:
    """SI F1 (precision, recall) and the technique-aware span F1 (PTC-14) of the pipeline's
    tagger on PTC dev (``dev``: :func:`dev_folder`), and the seconds SI prediction took."""
    articles = read_articles(dev / "articles")
    gold = [
        SpanRow(r.article_id, r.technique, r.start, r.end)
        for r in read_tc_labels(dev / "labels-tc.tsv")
    ]
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        predict_ptc(pipeline, dev / "articles", Path(tmp))
        seconds = time.perf_counter() - began
        si = evaluate_files("ptc-si", dev / "labels-si.tsv", Path(tmp) / "si.tsv")
    pred = [
        SpanRow(article_id, ptc, span.start, span.end)
        for article_id, text in sorted(articles.items())
        for span in pipeline.tagger.predict(Document(article_id, text))
        if (ptc := to_ptc14(span.technique)) is not None
    ]
    aware = score_span_overlap(gold, pred, technique_aware=True, task="ptc-flc")
    return {
        "si_f1": si.main,
        "si_precision": si.metrics["precision"],
        "si_recall": si.metrics["recall"],
        "span_f1_technique_aware": aware.main,
        "seconds": seconds,
    }


def score_ptc_dev(
    pipeline: Pipeline, data_dir: Path, where: str | Path = "the model"
) -> dict[str, Any]:
    """SemEval-2020 Task 11's scores of ``pipeline`` on PTC dev: SI (spans, technique-agnostic)
    where it has a tagger, TC (the technique of each gold fragment), in the organisers' formats
    and with their scorers; numbers only.

    Raises:
        InputNotFoundError: E097, no PTC dev under ``data_dir``.
        ConfigError: E098, the model has seen it.
    """
    require_unseen(pipeline, where)
    dev = dev_folder(data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        began = time.perf_counter()
        if pipeline.tagger is None:  # TC labels of the template's fragments only (no SI file)
            template = read_tc_template(dev / "labels-tc.tsv")
            labels = predict_tc(pipeline, read_articles(dev / "articles"), template)
            write_tc(out / "tc.tsv", labels)
        else:
            predict_ptc(pipeline, dev / "articles", out, tc_template=dev / "labels-tc.tsv")
        seconds = time.perf_counter() - began
        si = None
        if pipeline.tagger is not None:
            si = evaluate_files("ptc-si", dev / "labels-si.tsv", out / "si.tsv")
        tc = evaluate_files("ptc-tc", dev / "labels-tc.tsv", out / "tc.tsv")
    return {
        "model": str(where),
        "training_data": pipeline.meta.get("training_data", []),
        "si_f1": si.main if si else None,
        "si_precision": si.metrics["precision"] if si else None,
        "si_recall": si.metrics["recall"] if si else None,
        "tc_micro_f1": tc.main,
        "tc_macro_f1": tc.metrics.get("macro_f1"),
        "tc_per_class_f1": {k: v.get("f1") for k, v in tc.per_label.items()},
        "predict_seconds": seconds,
        "train_seconds": pipeline.meta.get("train_seconds", {}),
        "reused": pipeline.meta.get("reused", {}),
    }


__all__ = [
    "dev_folder",
    "in_ptc14",
    "load_unseen",
    "require_unseen",
    "score_ptc_dev",
    "score_tagger_on_dev",
]

"""Shared-task runs: predict whole corpus splits and write the organisers' submission files.

The writers live in :mod:`propscope.corpora`; this module runs a pipeline over a split and turns
its documents into rows. Each output file is written atomically, after all predictions are made,
so a failed run leaves no half-written submission.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from propscope.corpora.ptc import SiRow, TcRow, read_articles, read_tc_template, write_si, write_tc
from propscope.corpora.semeval2023 import (
    SpanRow,
    load_split,
    write_spans,
    write_subtask1,
    write_subtask2,
    write_subtask3,
)
from propscope.errors import CorpusFormatError, Errors, InputNotFoundError, ModelLoadError
from propscope.pipeline import Pipeline
from propscope.taxonomy import TECHNIQUE_NAMES
from propscope.taxonomy.mapping import PTC14_NAMES, to_ptc14
from propscope.types import Document

ProgressCallback = Callable[[int, int], None]


def predict_semeval2023(
    pipeline: Pipeline,
    data_dir: Path,
    lang: str,
    split: str,
    out_dir: Path,
    *,
    threshold: float | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, Path]:
    """Predict all three subtasks (and spans) for a SemEval-2023 Task 3 split.

    Writes ``subtask-1.tsv`` (id, genre), ``subtask-2.tsv`` (id, frames), ``subtask-3.tsv`` (one
    row per template row: id, paragraph_no, techniques) and ``spans-subtask-3.tsv`` (id,
    technique, start, end) into ``out_dir``. Returns the written paths by name.
    """
    loaded = load_split(data_dir, lang, split)
    ids = sorted(loaded.documents)
    # Subtask 1 needs one of the three genres: never "uncertain", the most likely one instead.
    pipeline = pipeline.with_genre_settings(min_score=0.0)
    predicted = {
        doc.id: doc
        for doc in pipeline.analyze_documents(
            [loaded.documents[i] for i in ids],
            threshold=threshold,
            progress=progress,
            # The spans file is scored by F1: every span, not only the confident ones shown.
            min_confidence=0.0,
        )
    }
    paths = {
        "subtask-1": out_dir / "subtask-1.tsv",
        "subtask-2": out_dir / "subtask-2.tsv",
        "subtask-3": out_dir / "subtask-3.tsv",
        "spans": out_dir / "spans-subtask-3.tsv",
    }
    genres = {
        i: predicted[i].genre.name if predicted[i].genre else "reporting"
        for i in loaded.ids_by_subtask.get(1, ())
    }
    frames = {i: [f.name for f in predicted[i].frames] for i in loaded.ids_by_subtask.get(2, ())}
    rows = []
    for article_id, number in loaded.template:
        by_number = {p.index: p for p in predicted[article_id].paragraphs}
        paragraph = by_number.get(number)
        rows.append((article_id, number, paragraph.technique_names() if paragraph else []))
    spans = [
        SpanRow(doc_id, span.technique, span.start, span.end)
        for doc_id in loaded.ids_by_subtask.get(3, ())
        for span in predicted[doc_id].spans
        if span.technique
    ]
    write_subtask1(paths["subtask-1"], genres)
    write_subtask2(paths["subtask-2"], frames)
    write_subtask3(paths["subtask-3"], rows)
    write_spans(paths["spans"], spans)
    return paths


def _tagger(pipeline: Pipeline) -> Any:
    if pipeline.tagger is None:
        raise ModelLoadError(
            Errors.E041.format(path=pipeline.name, reason="this model has no span tagger")
        )
    return pipeline.tagger


def ptc_technique_labels(pipeline: Pipeline, text: str, spans: list[tuple[int, int]]) -> list[str]:
    """The PTC-14 technique of each given span of one article (for SemEval-2020 TC).

    The span classifier's SemEval-2023 probabilities (or, for a model without one, the tagger's
    token probabilities averaged over the span) are summed into the PTC class each technique
    maps to. A span listed k times (a fragment annotated with k techniques: the TC template
    repeats it once per technique) gets its k most likely techniques, one per line, instead of
    the same one k times, which could be right at most once.
    """
    if pipeline.span_classifier is not None:
        scores = pipeline.span_classifier.predict_proba(text, spans)
    else:
        scores = _tagger(pipeline).span_scores(text, spans)
    grouped = np.zeros((len(spans), len(PTC14_NAMES)), dtype=np.float32)
    for j, name in enumerate(TECHNIQUE_NAMES):
        target = to_ptc14(name)
        if target is not None:
            grouped[:, PTC14_NAMES.index(target)] += scores[:, j]
    ranked = np.argsort(-grouped, axis=1, kind="stable")
    repeats: dict[tuple[int, int], int] = {}
    labels = []
    for row, span in enumerate(spans):
        k = repeats.get(span, 0)
        repeats[span] = k + 1
        labels.append(PTC14_NAMES[int(ranked[row, k % len(PTC14_NAMES)])])
    return labels


def predict_ptc(
    pipeline: Pipeline,
    articles_dir: Path,
    out_dir: Path,
    *,
    tc_template: Path | None = None,
    threshold: float | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, Path]:
    """SemEval-2020 Task 11: write ``si.tsv`` and, given a TC template, ``tc.tsv``."""
    if not articles_dir.is_dir():
        raise InputNotFoundError(Errors.E005.format(path=articles_dir))
    articles = read_articles(articles_dir)
    template = read_tc_template(tc_template) if tc_template is not None else None
    tagger = _tagger(pipeline)
    si_rows: list[SiRow] = []
    ids = sorted(articles)
    for n, article_id in enumerate(ids, start=1):
        doc = Document(article_id, articles[article_id])
        si_rows += [SiRow(article_id, s.start, s.end) for s in tagger.predict_si(doc, threshold)]
        if progress:
            progress(n, len(ids) * (2 if template else 1))
    paths = {"si": out_dir / "si.tsv"}
    tc_out: list[TcRow] = []
    if template is not None:
        for row in template:
            if row.article_id not in articles:
                raise CorpusFormatError(
                    Errors.E032.format(
                        path=tc_template,
                        problem=f"article {row.article_id} is not in {articles_dir}; a template "
                        "may only name the given articles",
                    )
                )

        def tc_progress(n: int, total: int) -> None:
            if progress:
                progress(len(ids) + n, len(ids) * 2)

        tc_out = predict_tc(pipeline, articles, template, tc_progress)
        paths["tc"] = out_dir / "tc.tsv"
    write_si(paths["si"], si_rows)
    if template is not None:
        write_tc(paths["tc"], tc_out)
    return paths


def predict_tc(
    pipeline: Pipeline,
    articles: dict[str, str],
    template: Sequence[TcRow],
    progress: ProgressCallback | None = None,
) -> list[TcRow]:
    """SemEval-2020 TC: the template's rows (article, span) with their predicted PTC-14 technique.

    Every article the template names must be in ``articles`` (id -> text).
    """
    by_article: dict[str, list[TcRow]] = {}
    for row in template:
        by_article.setdefault(row.article_id, []).append(row)
    out: list[TcRow] = []
    for n, (article_id, rows) in enumerate(sorted(by_article.items()), start=1):
        labels = ptc_technique_labels(
            pipeline, articles[article_id], [(r.start, r.end) for r in rows]
        )
        out += [
            TcRow(article_id, label, r.start, r.end) for r, label in zip(rows, labels, strict=True)
        ]
        if progress:
            progress(n, len(by_article))
    return out

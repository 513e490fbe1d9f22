"""Score prediction files against gold files, by task name (what ``propscope evaluate`` runs)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from propscope.corpora.ptc import read_si_labels, read_tc_labels
from propscope.corpora.semeval2023 import read_spans, read_subtask1, read_subtask2, read_subtask3
from propscope.errors import Errors, InputNotFoundError, UnknownLabelError
from propscope.evaluation.base import Scores
from propscope.evaluation.semeval2020 import score_si, score_tc
from propscope.evaluation.semeval2023 import (
    score_spans,
    score_subtask1,
    score_subtask2,
    score_subtask3,
)
from propscope.evaluation.spans import SiSpan, SpanRow


def _semeval2023_st1(gold: Path, pred: Path) -> Scores:
    return score_subtask1(read_subtask1(gold), read_subtask1(pred))


def _semeval2023_st2(gold: Path, pred: Path) -> Scores:
    return score_subtask2(read_subtask2(gold), read_subtask2(pred))


def _semeval2023_st3(gold: Path, pred: Path) -> Scores:
    return score_subtask3(read_subtask3(gold), read_subtask3(pred))


def _span_rows(path: Path) -> list[SpanRow]:
    return read_spans(path)


def _semeval2023_spans(gold: Path, pred: Path) -> Scores:
    return score_spans(_span_rows(gold), _span_rows(pred), technique_aware=True)


def _semeval2023_spans_si(gold: Path, pred: Path) -> Scores:
    return score_spans(_span_rows(gold), _span_rows(pred), technique_aware=False)


def _ptc_si(gold: Path, pred: Path) -> Scores:
    def rows(path: Path) -> list[SiSpan]:
        return [SiSpan(r.article_id, r.start, r.end) for r in read_si_labels(path)]

    return score_si(rows(gold), rows(pred))


def _ptc_tc(gold: Path, pred: Path) -> Scores:
    def rows(path: Path) -> list[SpanRow]:
        return [SpanRow(r.article_id, r.technique, r.start, r.end) for r in read_tc_labels(path)]

    return score_tc(rows(gold), rows(pred))


TASKS: dict[str, tuple[Callable[[Path, Path], Scores], str]] = {
    "semeval2023-st1": (_semeval2023_st1, "genre, macro-F1 (labels-subtask-1 format)"),
    "semeval2023-st2": (_semeval2023_st2, "frames, micro-F1 (labels-subtask-2 format)"),
    "semeval2023-st3": (_semeval2023_st3, "paragraph techniques, micro-F1 (labels-subtask-3)"),
    "semeval2023-spans": (_semeval2023_spans, "technique-aware span F1, partial overlap"),
    "semeval2023-spans-si": (_semeval2023_spans_si, "technique-agnostic span F1"),
    "ptc-si": (_ptc_si, "SemEval-2020 span identification F1 (SI format)"),
    "ptc-tc": (_ptc_tc, "SemEval-2020 technique classification micro-F1 (TC format)"),
}


def evaluate_files(task: str, gold: Path, pred: Path) -> Scores:
    """Score the predictions in ``pred`` against ``gold`` with the official metric of ``task``.

    Example:
        >>> evaluate_files("semeval2023-st1", Path("gold.tsv"), Path("pred.tsv"))  # doctest: +SKIP
    """
    if task not in TASKS:
        raise UnknownLabelError(Errors.E023.format(task=task, expected=", ".join(TASKS)))
    for path in (gold, pred):
        if not path.is_file():
            raise InputNotFoundError(Errors.E005.format(path=path))
    return TASKS[task][0](gold, pred)

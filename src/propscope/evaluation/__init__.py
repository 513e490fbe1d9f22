"""Official metrics of the SemEval propaganda tasks, one module per task.

Scorers take plain Python data that :mod:`propscope.corpora` has read and return
:class:`Scores`. The partial-overlap span rule lives only in :mod:`propscope.evaluation.spans`.
:mod:`propscope.evaluation.cross_validation` pools the fold predictions of a SemEval-2023
cross-validation run and scores them with these scorers.
"""

from __future__ import annotations

from propscope.evaluation import cross_validation, semeval2020, semeval2021, semeval2023
from propscope.evaluation.base import Scores, score_multilabel
from propscope.evaluation.cross_validation import (
    PooledFolds,
    fold_predictions,
    pool_folds,
    score_split,
)
from propscope.evaluation.semeval2020 import PTC_TECHNIQUES, TcRow, score_si, score_tc
from propscope.evaluation.spans import SiSpan, SpanRow, merge_overlapping, score_span_overlap

__all__ = [
    "PTC_TECHNIQUES",
    "PooledFolds",
    "Scores",
    "SiSpan",
    "SpanRow",
    "TcRow",
    "cross_validation",
    "fold_predictions",
    "merge_overlapping",
    "pool_folds",
    "score_multilabel",
    "score_si",
    "score_span_overlap",
    "score_split",
    "score_tc",
    "semeval2020",
    "semeval2021",
    "semeval2023",
]

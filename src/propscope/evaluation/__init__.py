"""Official metrics of the SemEval propaganda tasks, one module per task.

Scorers take plain Python data that :mod:`propscope.corpora` has read and return
:class:`Scores`. The partial-overlap span rule lives only in :mod:`propscope.evaluation.spans`.
"""

from __future__ import annotations

from propscope.evaluation import semeval2020, semeval2021, semeval2023
from propscope.evaluation.base import Scores, score_multilabel
from propscope.evaluation.semeval2020 import PTC_TECHNIQUES, TcRow, score_si, score_tc
from propscope.evaluation.spans import SiSpan, SpanRow, merge_overlapping, score_span_overlap

__all__ = [
    "PTC_TECHNIQUES",
    "Scores",
    "SiSpan",
    "SpanRow",
    "TcRow",
    "merge_overlapping",
    "score_multilabel",
    "score_si",
    "score_span_overlap",
    "score_tc",
    "semeval2020",
    "semeval2021",
    "semeval2023",
]

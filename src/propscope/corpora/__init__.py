"""Readers and writers for the corpus formats, one module per format.

Inside propscope techniques always carry SemEval-2023 names; each reader translates from its
edition's names and each writer back, through :mod:`propscope.taxonomy.mapping`.
"""

from propscope.corpora.jsonl import read_jsonl, write_jsonl
from propscope.corpora.ptc import (
    SiRow,
    TcRow,
    read_articles,
    read_ptc,
    read_si_labels,
    read_tc_labels,
    read_tc_template,
    tc_rows,
    write_si,
    write_tc,
)
from propscope.corpora.semeval2021 import read_semeval2021, write_semeval2021
from propscope.corpora.semeval2023 import (
    LANGUAGES,
    Semeval2023Split,
    SpanRow,
    load_split,
    read_spans,
    read_subtask1,
    read_subtask2,
    read_subtask3,
    read_template,
    write_spans,
    write_subtask1,
    write_subtask2,
    write_subtask3,
    write_template,
)

__all__ = [
    "LANGUAGES",
    "Semeval2023Split",
    "SiRow",
    "SpanRow",
    "TcRow",
    "load_split",
    "read_articles",
    "read_jsonl",
    "read_ptc",
    "read_semeval2021",
    "read_si_labels",
    "read_spans",
    "read_subtask1",
    "read_subtask2",
    "read_subtask3",
    "read_tc_labels",
    "read_tc_template",
    "read_template",
    "tc_rows",
    "write_jsonl",
    "write_semeval2021",
    "write_si",
    "write_spans",
    "write_subtask1",
    "write_subtask2",
    "write_subtask3",
    "write_tc",
    "write_template",
]

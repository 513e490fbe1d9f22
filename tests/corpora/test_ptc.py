from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

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
from propscope.errors import CorpusFormatError, InputNotFoundError, UnknownLabelError


def test_read_articles_ids_and_exact_text(resources: Path) -> None:
    texts = read_articles(resources / "ptc" / "train" / "articles")
    assert list(texts) == ["101", "102"]
    assert texts["101"].startswith("\ufeffCrisis")
    assert texts["101"].count("\r\n") == 6


def test_read_articles_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match=r"\[E031\]"):
        read_articles(tmp_path / "articles")


def test_read_tc_labels_rows_in_file_order(resources: Path) -> None:
    rows = read_tc_labels(resources / "ptc" / "train" / "labels-tc.tsv")
    assert len(rows) == 8
    assert rows[0] == TcRow("102", "Thought-terminating_Cliches", 164, 192)
    assert rows[-1] == TcRow("102", "Doubt", 35, 84)


def test_read_ptc_offsets_count_bom_crlf_and_emoji(resources: Path) -> None:
    docs = {doc.id: doc for doc in read_ptc(resources / "ptc" / "train")}
    slogan = next(s for s in docs["101"].spans if s.technique == "Slogans")
    assert slogan.text == "Make our town great — again 🎉"
    assert (slogan.start, slogan.end) == (150, 179)
    names = [s.text for s in docs["101"].spans if s.technique == "Name_Calling-Labeling"]
    assert names == ["traitors"]


def test_read_ptc_maps_names_and_keeps_ptc_names(resources: Path) -> None:
    docs = {doc.id: doc for doc in read_ptc(resources / "ptc" / "train")}
    doc = docs["102"]
    assert [s.technique for s in doc.spans] == ["Doubt", "Red_Herring", "Conversation_Killer"]
    assert doc.metadata["ptc_techniques"] == (
        "Doubt",
        "Whataboutism,Straw_Men,Red_Herring",
        "Thought-terminating_Cliches",
    )
    assert len(docs["101"].metadata["ptc_techniques"]) == len(docs["101"].spans)


def test_read_ptc_without_labels_gives_documents_without_spans(resources: Path) -> None:
    docs = read_ptc(resources / "ptc" / "test")
    assert [d.id for d in docs] == ["201"]
    assert docs[0].spans == ()


def test_read_tc_template_question_mark_is_none(resources: Path) -> None:
    rows = read_tc_template(resources / "ptc" / "test" / "tc-template.tsv")
    assert rows == [TcRow("201", None, 43, 57), TcRow("201", None, 59, 67)]


def test_write_tc_golden(resources: Path, tmp_path: Path) -> None:
    out = tmp_path / "labels-tc.tsv"
    write_tc(out, read_tc_labels(resources / "ptc" / "train" / "labels-tc.tsv"))
    assert out.read_bytes() == (resources / "ptc" / "expected" / "labels-tc.tsv").read_bytes()


def test_write_tc_from_documents_golden(resources: Path, tmp_path: Path) -> None:
    out = tmp_path / "labels-tc.tsv"
    write_tc(out, tc_rows(read_ptc(resources / "ptc" / "train")))
    expected = resources / "ptc" / "expected" / "labels-tc-from-documents.tsv"
    assert out.read_bytes() == expected.read_bytes()


def test_write_si_golden(resources: Path, tmp_path: Path) -> None:
    out = tmp_path / "labels-si.tsv"
    write_si(out, read_si_labels(resources / "ptc" / "train" / "labels-si.tsv"))
    assert out.read_bytes() == (resources / "ptc" / "expected" / "labels-si.tsv").read_bytes()


def test_write_tc_template_golden(resources: Path, tmp_path: Path) -> None:
    out = tmp_path / "tc-template.tsv"
    write_tc(out, read_tc_template(resources / "ptc" / "test" / "tc-template.tsv"))
    assert out.read_bytes() == (resources / "ptc" / "expected" / "tc-template.tsv").read_bytes()


def test_si_round_trip(tmp_path: Path) -> None:
    rows = [SiRow("7", 0, 4), SiRow("7", 10, 12), SiRow("8", 3, 9)]
    write_si(tmp_path / "si.tsv", rows)
    assert read_si_labels(tmp_path / "si.tsv") == rows


def test_write_tc_translates_semeval2023_names(tmp_path: Path) -> None:
    write_tc(tmp_path / "tc.tsv", [TcRow("7", "False_Dilemma-No_Choice", 0, 4)])
    assert (tmp_path / "tc.tsv").read_text(encoding="utf-8") == "7\tBlack-and-White_Fallacy\t0\t4\n"


def test_write_tc_without_ptc_counterpart_raises_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UnknownLabelError, match="Appeal_to_Values"):
        write_tc(tmp_path / "tc.tsv", [TcRow("7", "Appeal_to_Values", 0, 4)])
    assert not (tmp_path / "tc.tsv").exists()


BROKEN_TC = [
    pytest.param("1\tDoubt\t0\n", 1, "3 tab-separated columns", id="too-few-columns"),
    pytest.param(
        "1\tDoubt\t0\t4\n1\tDoubt\t0\t4\t9\n", 2, "5 tab-separated columns", id="too-many"
    ),
    pytest.param("1\tDoubt\t0\t4\n\n1\tDoubt\t5\t8\n", 2, "empty line", id="blank-line"),
    pytest.param("1\tDoubt\tzero\t4\n", 1, "start is 'zero'", id="non-int-start"),
    pytest.param("1\tDoubt\t0\t4.5\n", 1, "end is '4.5'", id="non-int-end"),
    pytest.param("1\tDoubt\t-1\t4\n", 1, "start is '-1'", id="negative"),
    pytest.param("1\tDoubt\t4\t4\n", 1, "start=4 is not before end=4", id="empty-span"),
    pytest.param("1\tDoubt\t0\t4\n1\tDoubt\t9\t2\n", 2, "not before", id="start-after-end"),
    pytest.param("1\tDoubt\t0\t4\n1\tName_Calling-Labeling\t0\t4\n", 2, "unknown", id="2023-name"),
    pytest.param("1\tBandwagon\t0\t4\n", 1, "unknown technique 'Bandwagon'", id="ptc18-name"),
]


@pytest.mark.parametrize(("content", "line", "problem"), BROKEN_TC)
def test_read_tc_labels_malformed_line_names_file_and_line(
    tmp_path: Path, content: str, line: int, problem: str
) -> None:
    path = tmp_path / "labels-tc.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusFormatError) as info:
        read_tc_labels(path)
    message = str(info.value)
    assert f"{path}, line {line}:" in message
    assert problem in message


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param("1\t0\n", "2 tab-separated columns", id="columns"),
        pytest.param("1\tx\t3\n", "start is 'x'", id="non-int"),
        pytest.param("1\t3\t1\n", "not before", id="start-after-end"),
    ],
)
def test_read_si_labels_malformed_line(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "labels-si.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=problem):
        read_si_labels(path)


def _split_with_labels(resources: Path, tmp_path: Path, labels: str) -> Path:
    split = tmp_path / "train"
    shutil.copytree(resources / "ptc" / "train" / "articles", split / "articles")
    (split / "labels-tc.tsv").write_text(labels, encoding="utf-8")
    return split


@pytest.mark.parametrize(
    ("labels", "problem"),
    [
        pytest.param(
            "102\tDoubt\t0\t5\n102\tDoubt\t190\t500\n", "ends past the end", id="past-end"
        ),
        pytest.param(
            "102\tDoubt\t0\t5\n999\tDoubt\t0\t5\n", "article '999' is not", id="no-article"
        ),
    ],
)
def test_read_ptc_bad_span_names_file_and_line(
    resources: Path, tmp_path: Path, labels: str, problem: str
) -> None:
    split = _split_with_labels(resources, tmp_path, labels)
    with pytest.raises(CorpusFormatError) as info:
        read_ptc(split)
    assert f"{split / 'labels-tc.tsv'}, line 2:" in str(info.value)
    assert problem in str(info.value)


# ----------------------------------------------------------------- real corpus (slow)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("split", "articles", "with_spans", "spans"),
    [("train", 371, 357, 6128), ("dev", 75, 74, 1063)],
)
def test_real_ptc_counts_match_readme(
    data_dir: Path, split: str, articles: int, with_spans: int, spans: int
) -> None:
    docs = read_ptc(data_dir / "ptc-semeval2020" / split)
    assert len(docs) == articles
    assert sum(1 for d in docs if d.spans) == with_spans
    assert sum(len(d.spans) for d in docs) == spans


@pytest.mark.slow
@pytest.mark.parametrize(("split", "count"), [("train", 5468), ("dev", 940)])
def test_real_ptc_si_counts_match_readme(data_dir: Path, split: str, count: int) -> None:
    assert len(read_si_labels(data_dir / "ptc-semeval2020" / split / "labels-si.tsv")) == count


@pytest.mark.slow
def test_real_ptc_test_template(data_dir: Path) -> None:
    rows = read_tc_template(data_dir / "ptc-semeval2020" / "test" / "tc-template.tsv")
    assert len(rows) == 1790
    assert len({r.article_id for r in rows}) == 87
    assert all(r.technique is None for r in rows)
    assert len(read_ptc(data_dir / "ptc-semeval2020" / "test")) == 90


@pytest.mark.slow
def test_real_ptc_release_labels_read(data_dir: Path) -> None:
    root = data_dir / "ptc-semeval2020"
    rows = read_tc_labels(root / "labels-semeval2020-release" / "dev-labels-tc.tsv")
    assert len(rows) == 1075


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "read", "write"),
    [
        ("train/labels-tc.tsv", read_tc_labels, write_tc),
        ("train/labels-si.tsv", read_si_labels, write_si),
        ("test/tc-template.tsv", read_tc_template, write_tc),
    ],
)
def test_real_ptc_files_write_back_byte_identical(
    data_dir: Path, tmp_path: Path, name: str, read: Any, write: Any
) -> None:
    source = data_dir / "ptc-semeval2020" / name
    write(tmp_path / "out.tsv", read(source))
    assert (tmp_path / "out.tsv").read_bytes() == source.read_bytes()

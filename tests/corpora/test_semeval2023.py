from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from propscope.corpora.semeval2023 import (
    LANGUAGES,
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
from propscope.errors import CorpusFormatError, InputNotFoundError, UnknownLabelError

TRAIN = Path("semeval2023-task3") / "en" / "train"
EXPECTED = Path("semeval2023-task3") / "expected"

GOLDEN: list[Any] = [
    pytest.param("labels-subtask-1.tsv", read_subtask1, write_subtask1, id="subtask1"),
    pytest.param("labels-subtask-2.tsv", read_subtask2, write_subtask2, id="subtask2"),
    pytest.param("labels-subtask-3.tsv", read_subtask3, write_subtask3, id="subtask3"),
    pytest.param("paragraphs-subtask-3.tsv", read_template, write_template, id="template"),
    pytest.param("spans-subtask-3.tsv", read_spans, write_spans, id="spans"),
]


@pytest.mark.parametrize(("name", "read", "write"), GOLDEN)
def test_semeval2023_golden(
    resources: Path,
    tmp_path: Path,
    name: str,
    read: Callable[[Path], Any],
    write: Callable[[Path, Any], None],
) -> None:
    write(tmp_path / name, read(resources / TRAIN / name))
    assert (tmp_path / name).read_bytes() == (resources / EXPECTED / name).read_bytes()


@pytest.mark.parametrize(("name", "read", "write"), GOLDEN)
def test_semeval2023_round_trip(
    resources: Path,
    tmp_path: Path,
    name: str,
    read: Callable[[Path], Any],
    write: Callable[[Path, Any], None],
) -> None:
    first = read(resources / TRAIN / name)
    write(tmp_path / name, first)
    assert read(tmp_path / name) == first


def test_read_subtask3_fixes_known_typo_and_keeps_empty(resources: Path) -> None:
    labels = read_subtask3(resources / TRAIN / "labels-subtask-3.tsv")
    assert labels[("301", 7)] == ["Appeal_to_Fear-Prejudice", "Slogans"]
    assert labels[("301", 1)] == []


def test_read_subtask2_empty_column_is_no_frames(resources: Path) -> None:
    assert read_subtask2(resources / TRAIN / "labels-subtask-2.tsv")["303"] == []


def test_write_subtask3_accepts_triples(tmp_path: Path) -> None:
    write_subtask3(tmp_path / "st3.tsv", [("9", 2, []), ("9", 1, ["Doubt", "Slogans"])])
    assert (tmp_path / "st3.tsv").read_text(encoding="utf-8") == "9\t2\t\n9\t1\tDoubt,Slogans\n"


def test_load_split_documents_and_gold(resources: Path) -> None:
    split = load_split(resources / "semeval2023-task3", "en", "train")
    assert split.ids_by_subtask == {1: ("301", "302", "303"), 2: ("301", "303"), 3: ("301", "302")}
    assert sorted(split.documents) == ["301", "302", "303"]
    assert split.gold_subtasks == (1, 2, 3)
    assert split.template[:2] == (("301", 1), ("301", 3))
    assert len(split.template) == 7
    doc = split.documents["301"]
    assert doc.language == "en"
    assert doc.genre is not None and doc.genre.name == "opinion"
    assert [f.name for f in doc.frames] == ["Political", "Economic"]
    assert {p.index: p.technique_names() for p in doc.paragraphs} == {
        1: [],
        3: ["Name_Calling-Labeling", "Loaded_Language"],
        5: ["Doubt"],
        7: ["Appeal_to_Fear-Prejudice", "Slogans"],
    }
    assert (
        doc.paragraph_text(doc.paragraphs[2]) == "Will the council ever learn? Zürich did better."
    )
    assert [s.text for s in doc.spans][:2] == ["so-called experts", "ruined"]
    assert split.dropped_spans == 0


def test_load_split_text_falls_back_to_subtask2_then_1(resources: Path) -> None:
    docs = load_split(resources / "semeval2023-task3", "en", "train").documents
    assert docs["303"].text.endswith("only subtask 2 has.\n")  # subtask-2 wins over subtask-1
    assert docs["303"].frames == ()
    assert docs["303"].genre is not None and docs["303"].genre.name == "satire"


def test_load_split_without_labels_has_no_gold(resources: Path) -> None:
    split = load_split(resources / "semeval2023-task3", "en", "dev")
    assert split.gold_subtasks == ()
    assert split.template == (("311", 1), ("311", 3))
    doc = split.documents["311"]
    assert doc.genre is None and doc.spans == ()
    assert all(p.techniques == () for p in doc.paragraphs)


def test_load_split_drops_spans_outside_text(resources: Path) -> None:
    split = load_split(resources / "semeval2023-task3", "fr", "train")
    assert split.dropped_spans == 1
    assert [s.text for s in split.documents["401"].spans] == ["des incapables"]
    assert split.documents["401"].language == "fr"


def test_load_split_accepts_parent_data_folder(resources: Path) -> None:
    assert sorted(load_split(resources, "en", "dev").documents) == ["311"]


def test_load_split_unknown_language(resources: Path) -> None:
    with pytest.raises(UnknownLabelError, match=r"\[E022\].*'xx'.*en, fr, ge"):
        load_split(resources / "semeval2023-task3", "xx", "train")


def test_load_split_missing_folder(resources: Path) -> None:
    with pytest.raises(InputNotFoundError, match=r"\[E031\]"):
        load_split(resources / "semeval2023-task3", "ka", "train")


def _copy_train(resources: Path, tmp_path: Path) -> Path:
    root = tmp_path / "semeval2023-task3"
    shutil.copytree(resources / TRAIN, root / "en" / "train")
    return root


@pytest.mark.parametrize(
    ("name", "row", "problem"),
    [
        pytest.param("paragraphs-subtask-3.tsv", "302\t2\tx\n", "paragraph 2", id="template-gap"),
        pytest.param("paragraphs-subtask-3.tsv", "302\t40\tx\n", "paragraph 40", id="template-oob"),
        pytest.param("paragraphs-subtask-3.tsv", "999\t1\tx\n", "article '999'", id="template-id"),
        pytest.param("labels-subtask-3.tsv", "301\t4\t\n", "paragraph 4", id="labels-blank-line"),
        pytest.param("labels-subtask-1.tsv", "777\topinion\n", "article '777'", id="st1-id"),
    ],
)
def test_load_split_inconsistent_row_names_file_and_line(
    resources: Path, tmp_path: Path, name: str, row: str, problem: str
) -> None:
    root = _copy_train(resources, tmp_path)
    path = root / "en" / "train" / name
    lines = path.read_text(encoding="utf-8").count("\n")
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(row)
    with pytest.raises(CorpusFormatError) as info:
        load_split(root, "en", "train")
    assert f"{path}, line {lines + 1}:" in str(info.value)
    assert problem in str(info.value)


BROKEN: list[Any] = [
    pytest.param(read_subtask1, "1\topinion\textra\n", 1, "3 tab-separated", id="st1-columns"),
    pytest.param(read_subtask1, "1\topinion\n2\tnews\n", 2, "unknown genre 'news'", id="genre"),
    pytest.param(read_subtask1, "1\topinion\n1\tsatire\n", 2, "duplicate", id="st1-duplicate"),
    pytest.param(read_subtask2, "1\tPolitical,Sports\n", 1, "unknown frame 'Sports'", id="frame"),
    pytest.param(read_subtask3, "1\tone\tDoubt\n", 1, "paragraph_no is 'one'", id="st3-non-int"),
    pytest.param(read_subtask3, "1\t1\tDoubt,Smears\n", 1, "technique 'Smears'", id="st3-tech"),
    pytest.param(read_subtask3, "1\t1\tDoubt\n1\t1\t\n", 2, "duplicate", id="st3-duplicate"),
    pytest.param(read_template, "1\t1\n", 1, "2 tab-separated", id="template-columns"),
    pytest.param(read_spans, "1\tDoubt\t5\n", 1, "3 tab-separated", id="spans-columns"),
    pytest.param(read_spans, "1\tDoubt\t5\tsix\n", 1, "end is 'six'", id="spans-non-int"),
    pytest.param(read_spans, "1\tDoubt\t6\t5\n", 1, "not before", id="spans-start-after-end"),
    pytest.param(read_spans, "1\tDoubt\t0\t5\n1\tLies\t0\t5\n", 2, "'Lies'", id="spans-tech"),
]


@pytest.mark.parametrize(("read", "content", "line", "problem"), BROKEN)
def test_semeval2023_malformed_line_names_file_and_line(
    tmp_path: Path, read: Callable[[Path], Any], content: str, line: int, problem: str
) -> None:
    path = tmp_path / "labels.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusFormatError) as info:
        read(path)
    assert f"{path}, line {line}:" in str(info.value)
    assert problem in str(info.value)


def test_write_subtask2_unknown_frame_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UnknownLabelError, match="Sports"):
        write_subtask2(tmp_path / "st2.tsv", {"1": ["Sports"]})
    assert list(tmp_path.iterdir()) == []


def test_write_template_rejects_tab_in_text(tmp_path: Path) -> None:
    with pytest.raises(CorpusFormatError, match=r"\[E032\]"):
        write_template(tmp_path / "t.tsv", [("1", 1, "a\tb")])
    assert list(tmp_path.iterdir()) == []


def test_write_spans_normalises_typo(tmp_path: Path) -> None:
    write_spans(tmp_path / "s.tsv", [SpanRow("1", "Appeal_to_Fear-Prejudi-čce", 0, 3)])
    assert (tmp_path / "s.tsv").read_text(encoding="utf-8") == "1\tAppeal_to_Fear-Prejudice\t0\t3\n"


# ----------------------------------------------------------------- real corpus (slow)


@pytest.mark.slow
def test_real_en_train_counts_match_readme(data_dir: Path) -> None:
    split = load_split(data_dir, "en", "train")
    assert len(split.ids_by_subtask[3]) == 446
    assert len(split.ids_by_subtask[1]) == len(split.ids_by_subtask[2]) == 433
    assert len(split.template) == 9498
    docs = split.documents
    labelled = sum(1 for d in docs.values() for p in d.paragraphs if p.techniques)
    assert labelled == 3760
    assert sum(len(d.spans) for d in docs.values()) == 7201
    assert split.dropped_spans == 0
    genres = Counter(d.genre.name for d in docs.values() if d.genre)
    assert genres == {"opinion": 382, "reporting": 41, "satire": 10}
    assert sum(1 for d in docs.values() if "Political" in {f.name for f in d.frames}) == 235


@pytest.mark.slow
def test_real_en_train_spans_inside_text(data_dir: Path) -> None:
    rows = read_spans(data_dir / "semeval2023-task3" / "en" / "train" / "spans-subtask-3.tsv")
    docs = load_split(data_dir, "en", "train").documents
    for row in rows:
        text = docs[row.article_id].text
        assert 0 <= row.start < row.end <= len(text)
    for doc in docs.values():
        for span in doc.spans:
            assert span.text == doc.text[span.start : span.end]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "rows"), [("fr", 5595), ("ge", 4501), ("it", 6027), ("po", 2839), ("ru", 3399)]
)
def test_real_non_english_spans_are_realigned(data_dir: Path, lang: str, rows: int) -> None:
    """Re-aligned spans keep (almost) every row, sit on word edges and agree with the paragraphs."""
    split = load_split(data_dir, lang, "train")
    spans = [(doc, span) for doc in split.documents.values() for span in doc.spans]
    assert split.dropped_spans + len(spans) == rows
    assert split.dropped_spans <= rows // 100
    consistent = 0
    for doc, span in spans:
        paragraph = next(p for p in doc.paragraphs if p.start <= span.start < p.end)
        consistent += span.technique in {t.name for t in paragraph.techniques}
        assert span.text == span.text.strip()
    # The paragraph labels are exact: a span's paragraph must carry its technique.
    assert consistent / len(spans) >= 0.99


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "split_name", "articles", "paragraphs"),
    [
        ("en", "dev", 90, 3127),
        ("en", "test", 54, 910),
        ("es", "test", 30, 330),
        ("gr", "test", 64, 948),
        ("ka", "test", 29, 162),
        ("fr", "dev", 53, 610),
    ],
)
def test_real_splits_without_gold(
    data_dir: Path, lang: str, split_name: str, articles: int, paragraphs: int
) -> None:
    split = load_split(data_dir, lang, split_name)
    assert len(split.ids_by_subtask[3]) == articles
    assert len(split.template) == paragraphs
    assert split.gold_subtasks == ()


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_real_every_language_loads(data_dir: Path, lang: str) -> None:
    split = load_split(data_dir, lang, "test")
    assert split.template
    iso = {"ge": "de", "po": "pl", "gr": "el"}.get(lang, lang)
    assert all(d.language == iso for d in split.documents.values())


@pytest.mark.slow
@pytest.mark.parametrize(("name", "read", "write"), GOLDEN)
def test_real_files_write_back_byte_identical(
    data_dir: Path,
    tmp_path: Path,
    name: str,
    read: Callable[[Path], Any],
    write: Callable[[Path, Any], None],
) -> None:
    source = data_dir / "semeval2023-task3" / "en" / "train" / name
    write(tmp_path / name, read(source))
    written = (tmp_path / name).read_bytes().split(b"\n")
    original = source.read_bytes().split(b"\n")
    assert len(written) == len(original)
    changed = [i + 1 for i, (a, b) in enumerate(zip(written, original, strict=True)) if a != b]
    # Only the line with the known typo Appeal_to_Fear-Prejudi-čce is rewritten.
    assert changed == ([9] if name == "labels-subtask-3.tsv" else [])

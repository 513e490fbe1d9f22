from __future__ import annotations

from pathlib import Path

import pytest

from propscope.corpora.jsonl import read_jsonl, write_jsonl
from propscope.errors import CorpusFormatError
from propscope.types import Document, Span


def test_read_jsonl_documents(resources: Path) -> None:
    docs = read_jsonl(resources / "jsonl" / "documents.jsonl")
    assert [d.id for d in docs] == ["a1", "b2"]
    first = docs[0]
    assert first.text.startswith("\ufeff") and "\r\n" in first.text
    assert [s.text for s in first.spans] == ["reckless", "Citizens deserve better — now"]
    assert first.spans[0].score == 0.875
    assert first.paragraphs[1].technique_names() == ["Loaded_Language"]
    assert first.genre is not None and first.genre.name == "opinion"
    assert docs[1].language == "fr"


def test_jsonl_golden(resources: Path, tmp_path: Path) -> None:
    source = resources / "jsonl" / "documents.jsonl"
    write_jsonl(tmp_path / "out.jsonl", read_jsonl(source))
    assert (tmp_path / "out.jsonl").read_bytes() == source.read_bytes()


def test_jsonl_round_trip(tmp_path: Path) -> None:
    text = "Line one 🎉\r\n\r\nThey are traitors.\n"
    doc = Document("x", text, language="it").with_spans(
        [Span.from_text(text, 25, 33, "Name_Calling-Labeling", 0.5)]
    )
    write_jsonl(tmp_path / "docs.jsonl", [doc, Document("y", "z")])
    assert read_jsonl(tmp_path / "docs.jsonl") == [doc, Document("y", "z")]


def test_read_jsonl_skips_blank_lines_and_needs_only_id_and_text(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "a", "text": "Hello."}\n\n{"id": "b", "text": "Bye."}\n', "utf-8")
    assert [d.id for d in read_jsonl(path)] == ["a", "b"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        pytest.param('{"id": "a", "text": ', "invalid JSON", id="bad-json"),
        pytest.param("[1, 2]", "a JSON list, not an object", id="not-object"),
        pytest.param('{"id": "a"}', "missing field 'text'", id="missing-text"),
        pytest.param(
            '{"id": "a", "text": "abc", "spans": [{"start": 1, "end": 9, "text": "bc"}]}',
            "E012",
            id="span-text-mismatch",
        ),
        pytest.param(
            '{"id": "a", "text": "abc", "spans": [{"start": 0, "end": 2, "text": "ab", '
            '"technique": "Lies"}]}',
            "Unknown technique 'Lies'",
            id="unknown-technique",
        ),
        pytest.param(
            '{"id": "a", "text": "abc", "spans": [{"start": "one", "end": 2, "text": "ab"}]}',
            "invalid literal",
            id="non-int-offset",
        ),
        pytest.param('{"id": "", "text": "abc"}', "E014", id="empty-id"),
    ],
)
def test_read_jsonl_malformed_line_names_file_and_line(
    tmp_path: Path, line: str, problem: str
) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "ok", "text": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError) as info:
        read_jsonl(path)
    assert f"{path}, line 2:" in str(info.value)
    assert problem in str(info.value)

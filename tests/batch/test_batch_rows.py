"""Batch rows: the fixed schema, failure rows, error objects and span rows."""

from __future__ import annotations

from propscope.batch.rows import (
    ARTICLE_FIELDS,
    RESULT_FIELDS,
    error_dict,
    failure_row,
    ok_row,
    span_rows,
)
from propscope.errors import Errors, InputTooLargeError
from propscope.pipeline import Pipeline
from propscope.results import result_dict
from propscope.types import Document, Label, Paragraph, Span

TEXT = "Title line\n\nThey are traitors.\nThe meeting ended.\n"


def _document() -> Document:
    doc = Document("a1", TEXT, language="en")
    spans = [
        Span.from_text(TEXT, 0, 5, "Loaded_Language", 0.5),
        Span.from_text(TEXT, 21, 29, "Name_Calling-Labeling", 0.9),
    ]
    paragraphs = [
        Paragraph(p.index, p.start, p.end, (Label("Doubt", 0.4),)) for p in doc.paragraphs
    ]
    return doc.with_spans(spans).with_labels(paragraphs=paragraphs, genre=Label("opinion", 0.8))


def test_rows_hold_exactly_the_fields_of_result_dict() -> None:
    result = result_dict(_document(), Pipeline(meta={"name": "m", "version": "1"}))
    assert set(result) == {"id", *RESULT_FIELDS}
    row = ok_row(result)
    assert list(row) == list(ARTICLE_FIELDS)
    assert row["status"] == "ok" and row["error"] is None and isinstance(row["zero_shot"], bool)
    assert {k: row[k] for k in result} == result


def test_failure_row_has_null_fields_and_empty_lists() -> None:
    message = Errors.E004.format(source="x", size=9, limit=5)
    error = error_dict(InputTooLargeError(message))
    assert error == {
        "code": "E004",
        "type": "InputTooLargeError",
        "message": message,
    }
    row = failure_row("x", error)
    assert list(row) == list(ARTICLE_FIELDS)
    assert row["status"] == "failed" and row["error"] == error
    assert row["text"] is None and row["genre"] is None and row["model"] is None
    assert row["frames"] == row["paragraphs"] == row["spans"] == []
    assert row["zero_shot"] is None


def test_error_dict_of_an_unexpected_exception_is_e078() -> None:
    error = error_dict(RuntimeError("tensor shapes differ"))
    assert error["code"] == "E078" and error["type"] == "RuntimeError"
    assert error["message"].startswith("[E078]") and "tensor shapes differ" in error["message"]


def test_span_rows_name_the_paragraph_and_carry_columns() -> None:
    row = ok_row(result_dict(_document(), Pipeline()))
    row["source"] = "blog"
    rows = span_rows(row, ["source"])
    assert [(r["start"], r["paragraph"]) for r in rows] == [(0, 1), (21, 3)]
    assert rows[1] == {
        "id": "a1",
        "language": "en",
        "start": 21,
        "end": 29,
        "text": "traitors",
        "technique": "Name_Calling-Labeling",
        "category": "Attack on reputation",
        "score": 0.9,
        "paragraph": 3,
        "source": "blog",
    }
    assert span_rows(failure_row("x", {"code": "E001", "type": "T", "message": "m"}), []) == []

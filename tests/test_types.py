"""Spans, paragraphs and documents: offsets always point into the text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propscope.errors import SpanError, UnknownLabelError
from propscope.types import Document, Label, Paragraph, Span, sentence_chunks, split_paragraphs

TEXTS = st.text(alphabet=st.sampled_from(list("ab \n\r\t.é😀\ufeffЖż")), min_size=0, max_size=60)


@given(TEXTS)
def test_split_paragraphs_are_nonempty_lines(text: str) -> None:
    paragraphs = split_paragraphs(text)
    lines = text.split("\n")
    assert [p.index for p in paragraphs] == [i + 1 for i, line in enumerate(lines) if line.strip()]
    for par in paragraphs:
        body = text[par.start : par.end]
        assert body == lines[par.index - 1].removesuffix("\r")


@given(TEXTS, st.integers(0, 70), st.integers(1, 20))
def test_span_from_text_matches_text_or_raises(text: str, start: int, length: int) -> None:
    end = start + length
    if end > len(text):
        with pytest.raises(SpanError):
            Span.from_text(text, start, end)
    else:
        span = Span.from_text(text, start, end)
        assert Document("d", text or "x" * end, (span,) if text else ()).text is not None
        assert span.text == text[start:end]


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2)])
def test_span_bad_offsets_raise(start: int, end: int) -> None:
    with pytest.raises(SpanError, match="E010"):
        Span.from_text("some text here", start, end)


def test_span_unknown_technique_raises() -> None:
    with pytest.raises(UnknownLabelError):
        Span.from_text("some text", 0, 4, "Propaganda_In_General")


def test_document_rejects_span_with_other_text() -> None:
    with pytest.raises(SpanError, match="E012"):
        Document("d", "abc def", (Span(0, 3, "xyz"),))


def test_document_rejects_span_past_end() -> None:
    with pytest.raises(SpanError, match="E011"):
        Document("d", "abc", (Span(1, 5, "bcde"),))


@pytest.mark.parametrize("score", [-0.1, 1.5, float("nan")])
def test_label_score_out_of_range_raises(score: float) -> None:
    with pytest.raises(SpanError, match="E013"):
        Label("Doubt", score)


def test_document_dict_round_trip() -> None:
    text = "\ufeffTitle 😀\r\n\r\nThey are traitors.\n"
    start = text.index("traitors")
    span = Span.from_text(text, start, start + 8, "Name_Calling-Labeling", 0.75)
    doc = Document(
        "a1",
        text,
        (span,),
        genre=Label("opinion", 0.9),
        frames=(Label("Political", 0.6),),
    )
    doc = doc.with_labels(
        paragraphs=[
            Paragraph(p.index, p.start, p.end, (Label("Doubt", 0.5),)) for p in doc.paragraphs
        ]
    )
    assert Document.from_dict(doc.to_dict()) == doc
    assert doc.spans[0].text == "traitors"
    assert doc.spans[0].category == "Attack on reputation"


def test_sentence_chunks_ignore_where_lines_break() -> None:
    text = (
        "Le Brexit? Non.\nIl part à 9 h. «Vraiment.» Москва ждёт.\n\n"
        "Она ушла… 3 jours plus tard, fin."
    )
    one_line = " ".join(text.split())
    per_sentence = text.replace(". ", ".\n").replace("? ", "?\n")
    assert sentence_chunks(text, 1) == sentence_chunks(one_line, 1)
    assert sentence_chunks(text, 1) == sentence_chunks(per_sentence, 1)
    assert sentence_chunks(text, 1) == [
        "Le Brexit?",
        "Non.",
        "Il part à 9 h.",
        "«Vraiment.»",
        "Москва ждёт.",
        "Она ушла…",
        "3 jours plus tard, fin.",
    ]
    # Grouped into runs of whole sentences with at least 5 words; the last may be shorter.
    assert sentence_chunks(text, 5) == [
        "Le Brexit? Non. Il part à 9 h.",
        "«Vraiment.» Москва ждёт. Она ушла…",
        "3 jours plus tard, fin.",
    ]
    assert sentence_chunks(" \n ", 5) == []


def test_errors_carry_their_catalogue_code() -> None:
    from propscope.errors import Errors, InvalidInputError, PropscopeError

    exc = InvalidInputError(Errors.E001.format(source="x"))
    assert exc.code == "E001" and str(exc).startswith("[E001] ")
    assert PropscopeError("free text").code is None
    # The code comes from the template, not from the text: a message quoting another code
    # keeps its own.
    assert InvalidInputError(Errors.E005.format(path="[E001] x")).code == "E005"


def test_every_error_class_survives_pickling() -> None:
    """Errors cross process boundaries (batch workers, Dask, Ray) with their text and code."""
    import pickle

    import propscope.errors as errors_module
    from propscope.errors import Errors, PropscopeError

    classes = [
        c
        for c in vars(errors_module).values()
        if isinstance(c, type) and issubclass(c, PropscopeError)
    ]
    assert len(classes) >= 10
    for cls in classes:
        exc = cls(Errors.E001.format(source="x"))
        again = pickle.loads(pickle.dumps(exc))
        assert type(again) is cls and str(again) == str(exc) and again.code == "E001"

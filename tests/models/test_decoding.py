"""Span shaping: fragments joined, clause-level spans grown to clauses, phrases completed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propscope.models.decoding import (
    clause_bounds,
    extend_single_words,
    grow_to_clauses,
    join_fragments,
    tidy_edges,
    trim_function_words,
)
from propscope.types import Span

LL = "Loaded_Language"


def _span(text: str, part: str, technique: str = LL, score: float = 0.5) -> Span:
    start = text.index(part)
    return Span.from_text(text, start, start + len(part), technique, score)


def test_join_fragments_joins_across_spaces_and_short_punctuation() -> None:
    text = "They are corrupt, lying thieves."
    joined = join_fragments(
        text, [_span(text, "corrupt", score=0.6), _span(text, "lying", score=0.3)]
    )
    assert [s.text for s in joined] == ["corrupt, lying"]
    # length-weighted mean of the parts' scores
    assert abs(joined[0].score - (0.6 * 7 + 0.3 * 5) / 12) < 1e-9


def test_join_fragments_keeps_techniques_lines_and_long_gaps_apart() -> None:
    text = "corrupt elites and the\nlying press of the nation"
    spans = [
        _span(text, "corrupt"),
        _span(text, "elites", "Name_Calling-Labeling"),
        _span(text, "lying"),
        _span(text, "nation"),
    ]
    joined = join_fragments(text, spans)
    assert sorted(s.text for s in joined) == ["corrupt", "elites", "lying", "nation"]
    # across a line break: apart even when nothing else separates them
    broken = "corrupt\nlying"
    parts = [_span(broken, "corrupt"), _span(broken, "lying")]
    assert len(join_fragments(broken, parts)) == 2


def test_clause_bounds_stops_at_sentence_and_clause_ends() -> None:
    text = "It rained; is he really the man for this job? Nobody knows."
    start = text.index("really")
    s, e = clause_bounds(text, start, start + len("really"))
    assert text[s:e] == "is he really the man for this job"


def test_grow_to_clauses_grows_only_short_spans_of_clause_techniques() -> None:
    text = "Experts said so. Is he really the man for this job? They are corrupt."
    spans = [_span(text, "really", "Doubt"), _span(text, "corrupt")]
    grown = grow_to_clauses(text, spans, {"Doubt": 4.0})
    assert sorted(s.text for s in grown) == ["Is he really the man for this job", "corrupt"]
    # a span already as long as the technique's typical length stays as it is
    long = [_span(text, "he really the man", "Doubt")]
    assert [s.text for s in grow_to_clauses(text, long, {"Doubt": 4.0})] == ["he really the man"]
    # a clause longer than max_words is not taken
    assert [s.text for s in grow_to_clauses(text, spans[:1], {"Doubt": 4.0}, max_words=3)] == [
        "really"
    ]


def test_extend_single_words_takes_the_next_content_word_only() -> None:
    text = "the corrupt elites, the corrupt of the land, shameful."
    first = Span.from_text(text, 4, 11, LL)
    second = Span.from_text(text, 24, 31, LL)  # followed by a function word
    third = _span(text, "shameful")  # followed by punctuation
    out = extend_single_words(text, [first, second, third], {LL})
    assert [s.text for s in out] == ["corrupt elites", "corrupt", "shameful"]
    assert extend_single_words(text, [first], {"Doubt"}) == [first]
    title = "Bridge Fiasco Shows Greed"
    fiasco = _span(title, "Fiasco")
    assert extend_single_words(title, [fiasco], {LL}) == [fiasco]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("the arrogant clowns at city", "en", "the arrogant clowns"),
        ("corrupt, lying, and", "en", "corrupt, lying"),
        ("incapables arrogants de la", "fr", "incapables arrogants"),
        ("he is a liar", "en", "he is a liar"),
        ("at", "en", "at"),  # one word: left to the stop-word filter of decoding
    ],
)
def test_trim_function_words_cuts_span_ends(text: str, language: str, expected: str) -> None:
    end = len(text) if expected != "the arrogant clowns" else 22
    span = Span.from_text(text, 0, end, LL)
    assert trim_function_words(text, [span], language)[0].text == expected


@pytest.mark.parametrize(
    ("text", "part", "expected"),
    [
        ("so, the council lied. Again", ", the council lied", "the council lied"),
        ("It failed! – a disaster, they said", "! – a disaster,", "a disaster"),
        ("a “witch hunt”, he said", "a “witch hunt", "a “witch hunt”"),
        ("a “witch hunt,” he said", "a “witch hunt", "a “witch hunt,”"),
        ("because of “collusion.” Then", "collusion.”", "“collusion.”"),
        ("Not once.” He left", "Not once.”", "Not once."),
        ("they said “ lies", "they said “", "they said"),
        ("“lies and more lies, he said", "“lies and more", "lies and more"),
        ("den „Grünen Pass“ als sinnlos", "„Grünen Pass", "„Grünen Pass“"),
        ("de « c'est » la", "de « c'est", "de « c'est »"),
        ('he said: "lies" and', 'said: "lies', 'said: "lies"'),
        ("Trump’s “crosshairs and more", "Trump’s “crosshairs", "Trump’s “crosshairs"),
        ("the president’s plan", "the president’s plan", "the president’s plan"),
    ],
)
def test_tidy_edges_cuts_stray_punctuation_and_pairs_quotes(
    text: str, part: str, expected: str
) -> None:
    (out,) = tidy_edges(text, [_span(text, part)])
    assert out.text == expected
    assert out.text == text[out.start : out.end] and out.score == 0.5


def test_tidy_edges_drops_spans_of_punctuation_only_and_joins_what_now_overlaps() -> None:
    text = "Liars, “liars” – all of them"
    spans = [_span(text, ", “"), _span(text, "Liars,"), _span(text, "liars”")]
    assert [s.text for s in tidy_edges(text, spans)] == ["Liars", "“liars”"]


@given(st.text(alphabet="ab ,.;\n?", min_size=1, max_size=40), st.data())
def test_shaping_keeps_offsets_inside_the_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    span = Span.from_text(text, start, end, "Doubt", 0.4)
    for out in (
        join_fragments(text, [span]),
        grow_to_clauses(text, [span], {"Doubt": 10.0}),
        extend_single_words(text, [span], {"Doubt"}),
        trim_function_words(text, [span]),
        tidy_edges(text, [span]),
    ):
        for s in out:
            assert 0 <= s.start < s.end <= len(text)
            assert s.text == text[s.start : s.end]


@given(st.text(alphabet='ab ,.!“”„«»"–', min_size=1, max_size=30), st.data())
def test_tidy_edges_keeps_offsets_inside_the_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    for out in tidy_edges(text, [Span.from_text(text, start, end, "Doubt", 0.4)]):
        assert 0 <= out.start < out.end <= len(text)
        assert out.text == text[out.start : out.end]
        assert out.start >= start - 1 and out.end <= end + 4  # grows by one quotation at most

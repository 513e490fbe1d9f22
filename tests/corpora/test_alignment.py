"""Re-alignment of shifted span offsets (invented article; see corpora/alignment.py)."""

from __future__ import annotations

from propscope.corpora.alignment import realign

TEXT = "Titre du jour\n\nLes élus sont des incapables.\n\nIls mentent, encore et toujours.\n"


def _texts(text: str, spans: list[tuple[int, int, str]]) -> list[str]:
    return [text[s:e] for s, e, _ in spans]


def test_offsets_with_doubled_newlines_are_mapped_back() -> None:
    start = TEXT.index("des incapables")
    second = TEXT.index("mentent")
    # Offsets measured on a copy where each line break counted twice, ends one short.
    shifted = [
        (start + 2, start + 2 + len("des incapables") - 1, "Name_Calling-Labeling"),
        (second + 4, second + 4 + len("mentent"), "Loaded_Language"),
    ]
    aligned = realign(TEXT, shifted)
    assert aligned.model == "doubled_newlines"
    assert _texts(TEXT, aligned.spans) == ["des incapables", "mentent"]
    assert aligned.dropped == 0


def test_raw_offsets_are_kept_when_they_fit_better() -> None:
    start = TEXT.index("incapables")
    aligned = realign(TEXT, [(start, start + len("incapables"), "Loaded_Language")])
    assert aligned.model == "raw"
    assert _texts(TEXT, aligned.spans) == ["incapables"]


def test_spans_are_widened_to_words_and_stripped() -> None:
    line = "Les élus sont des incapables."  # no line break: both offset models agree
    aligned = realign(line, [(5, 10, "Loaded_Language"), (17, 19, "Doubt")])  # "lus s", " i"
    assert _texts(line, aligned.spans) == ["élus sont", "incapables"]


def test_spans_past_the_text_or_empty_are_dropped() -> None:
    blank = TEXT.index("\n\n")
    aligned = realign(TEXT, [(len(TEXT) - 2, len(TEXT) + 5, "Doubt"), (blank, blank + 1, "Doubt")])
    assert aligned.spans == []
    assert aligned.dropped == 2

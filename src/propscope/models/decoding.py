"""From token probabilities to spans: runs of tokens above a label's threshold, cut to words.

Kept apart from :mod:`propscope.models.tagger` so span decoding can be changed without touching
the encoder's inference.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from propscope.types import Span

ANY = "<propaganda>"


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_'’-"


@dataclass(frozen=True)
class DecodeSettings:
    """How token probabilities become spans (applied at prediction time, stored in the config).

    Attributes:
        hysteresis: a run starts at a token at or above the threshold and grows over neighbours at
            or above ``hysteresis * threshold`` (1.0 turns growing off).
        min_chars: spans with fewer letters or digits are dropped (stray punctuation).
        drop_stopwords: drop one-word spans that are function words ("if", "will"; "le", "und")
            of ``language``.
        language: ISO 639-1 code of the text (function word lists from ``stop-words``; English
            uses scikit-learn's list).
    """

    hysteresis: float = 1.0
    min_chars: int = 2
    drop_stopwords: bool = True
    language: str = "en"


# ISO 639-1 -> the language names of the ``stop-words`` package.
_STOP_WORD_LANGUAGES = {
    "fr": "french", "de": "german", "it": "italian", "pl": "polish", "ru": "russian",
    "es": "spanish", "el": "greek", "pt": "portuguese", "nl": "dutch", "uk": "ukrainian",
    "bg": "bulgarian", "cs": "czech", "sk": "slovak", "ro": "romanian", "hu": "hungarian",
    "sv": "swedish", "da": "danish", "no": "norwegian", "nb": "norwegian", "fi": "finnish",
    "tr": "turkish", "ca": "catalan", "ar": "arabic",
}  # fmt: skip


def _sklearn_english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop-word list, read from its one-file module without importing
    the ``sklearn.feature_extraction`` package (about a second: it imports scipy.stats)."""
    import importlib.util

    package = importlib.util.find_spec("sklearn")
    if package is None or not package.submodule_search_locations:
        raise ModuleNotFoundError("scikit-learn is not installed")
    path = Path(package.submodule_search_locations[0]) / "feature_extraction" / "_stop_words.py"
    spec = importlib.util.spec_from_file_location("_propscope_english_stop_words", path)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"cannot read {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.ENGLISH_STOP_WORDS)


@lru_cache(maxsize=32)
def stop_words(language: str) -> frozenset[str]:
    """Lower-cased function words of ``language`` (empty for languages without a list)."""
    if language == "en":
        return _sklearn_english_stop_words()
    name = _STOP_WORD_LANGUAGES.get(language)
    if name is None:
        return frozenset()
    from stop_words import get_stop_words

    return frozenset(word.lower() for word in get_stop_words(name))


def _is_noise(text: str, settings: DecodeSettings) -> bool:
    if sum(ch.isalnum() for ch in text) < settings.min_chars:
        return True
    if settings.drop_stopwords and " " not in text.strip():
        return text.strip().lower() in stop_words(settings.language)
    return False


def decode_spans(
    text: str,
    probs: np.ndarray,
    offsets: Sequence[tuple[int, int]],
    labels: Sequence[str],
    thresholds: dict[str, float],
    override: float | None,
    settings: DecodeSettings | None = None,
) -> list[Span]:
    """Turn token probabilities into spans: runs of tokens at or above the label's threshold.

    A run never crosses a line break. With hysteresis it grows over neighbouring tokens above a
    lower threshold. Its edges are widened to whole words, so a run that starts or ends inside a
    word (a WordPiece continuation) covers the word. The span's score is the mean probability of
    its tokens. Runs that are only punctuation or a single function word are dropped.
    """
    settings = settings or DecodeSettings(hysteresis=1.0, min_chars=0, drop_stopwords=False)
    spans: list[Span] = []
    n = len(offsets)

    def joined(k: int) -> bool:  # may a run continue from token k to token k + 1?
        return k + 1 < n and "\n" not in text[offsets[k][1] : offsets[k + 1][0]]

    for j, label in enumerate(labels):
        thr = override if override is not None else thresholds.get(label, 0.5)
        high = probs[:, j] >= thr
        low = probs[:, j] >= thr * settings.hysteresis
        i = 0
        while i < n:
            if not high[i]:
                i += 1
                continue
            first, last = i, i
            while first > 0 and low[first - 1] and joined(first - 1):
                first -= 1
            while joined(last) and low[last + 1]:
                last += 1
            start, end = offsets[first][0], offsets[last][1]
            while start > 0 and _word_char(text[start - 1]) and _word_char(text[start]):
                start -= 1
            while end < len(text) and _word_char(text[end]) and _word_char(text[end - 1]):
                end += 1
            # A SentencePiece token that is only a space can end a run: keep spans trimmed.
            while end > start and text[end - 1].isspace():
                end -= 1
            while start < end and text[start].isspace():
                start += 1
            if end > start and not _is_noise(text[start:end], settings):
                score = float(probs[first : last + 1, j].mean())
                technique = None if label == ANY else label
                spans.append(Span.from_text(text, start, end, technique, min(1.0, score)))
            i = last + 1
    spans.sort(key=lambda s: (s.start, s.end, s.technique or ""))
    return spans


# Characters that may separate two fragments of one technique and still let them join: spaces and
# short punctuation inside a line ("corrupt, lying" -> one span).
_JOIN_GAP_CHARS = frozenset(" \t\u00a0,;:-–—\"'“”‘’«»()/&")
# Where a clause ends: sentence punctuation, semicolons, colons and line breaks.
_CLAUSE_END = frozenset(".!?;:\n…")
# Opening and closing characters trimmed off the edges of a grown clause.
_CLAUSE_TRIM = " \t\u00a0\"'“”‘’«»()[]-–—,"


def _merged(text: str, group: Sequence[Span]) -> Span:
    start, end = group[0].start, max(s.end for s in group)
    weight = sum(s.end - s.start for s in group)
    score = sum(s.score * (s.end - s.start) for s in group) / max(1, weight)
    return Span.from_text(text, start, end, group[0].technique, score)


def join_fragments(text: str, spans: Sequence[Span], max_gap: int = 3) -> list[Span]:
    """Join spans of one technique that overlap or are separated by at most ``max_gap``
    spaces or short punctuation marks within a line; the joined span's score is the
    length-weighted mean of its parts'.

    Example:
        >>> text = "They are corrupt, lying thieves."
        >>> parts = [Span.from_text(text, 9, 16, "Loaded_Language", 0.6),
        ...          Span.from_text(text, 18, 31, "Loaded_Language", 0.4)]
        >>> [s.text for s in join_fragments(text, parts)]
        ['corrupt, lying thieves']
    """
    out: list[Span] = []
    by_label: dict[str | None, list[Span]] = {}
    for span in spans:
        by_label.setdefault(span.technique, []).append(span)
    for group in by_label.values():
        group.sort(key=lambda s: (s.start, s.end))
        current = [group[0]]
        for span in group[1:]:
            end = max(s.end for s in current)
            gap = text[end : span.start]
            if span.start <= end or (len(gap) <= max_gap and set(gap) <= _JOIN_GAP_CHARS):
                current.append(span)
            else:
                out.append(_merged(text, current))
                current = [span]
        out.append(_merged(text, current))
    out.sort(key=lambda s: (s.start, s.end, s.technique or ""))
    return out


def clause_bounds(
    text: str, start: int, end: int, stops: frozenset[str] = _CLAUSE_END
) -> tuple[int, int]:
    """The clause around ``text[start:end]``: from after the last clause end before ``start`` to
    the next clause end at or after ``end`` (ends excluded, quotes and spaces trimmed).

    Example:
        >>> text = "It rained. Is he really the man for the job? Nobody knows."
        >>> s, e = clause_bounds(text, 18, 24)
        >>> text[s:e]
        'Is he really the man for the job'
    """
    left = start
    while left > 0 and text[left - 1] not in stops:
        left -= 1
    right = end
    while right < len(text) and text[right] not in stops:
        right += 1
    while left < start and text[left] in _CLAUSE_TRIM:
        left += 1
    while right > end and text[right - 1] in _CLAUSE_TRIM:
        right -= 1
    return left, right


def grow_to_clauses(
    text: str, spans: Sequence[Span], min_words: dict[str, float], max_words: int = 60
) -> list[Span]:
    """Grow spans of clause-level techniques to their clause.

    A span whose technique has an entry in ``min_words`` (its typical annotated length in words)
    and that has fewer words than that becomes the clause around it (:func:`clause_bounds`),
    unless that clause has more than ``max_words`` words. Scores are kept; spans of one technique
    that now overlap are joined.
    """
    out: list[Span] = []
    for span in spans:
        want = min_words.get(span.technique or "")
        if want is not None and len(span.text.split()) < want:
            start, end = clause_bounds(text, span.start, span.end)
            if end > start and len(text[start:end].split()) <= max_words:
                span = Span.from_text(text, start, end, span.technique, span.score)
        out.append(span)
    return join_fragments(text, out, max_gap=0)


_WORD = re.compile(r"[^\W_][\w'’-]*")


def extend_single_words(
    text: str, spans: Sequence[Span], techniques: Collection[str], language: str = "en"
) -> list[Span]:
    """Extend one-word spans of ``techniques`` by the next word when it is a content word on the
    same line with nothing but a space between ("corrupt" -> "corrupt elites"): annotators mark
    such techniques on phrases (a median of two or three words). Not between two capitalised
    words (a headline's "Fiasco Shows")."""
    words = stop_words(language)
    out = []
    for span in spans:
        if span.technique in techniques and " " not in span.text.strip():
            match = (
                _WORD.match(text, span.end + 1) if text[span.end : span.end + 1] == " " else None
            )
            # Two capitalised words in a row are more likely a title or a name than a phrase.
            titled = match is not None and span.text[:1].isupper() and match.group()[:1].isupper()
            if match is not None and not titled and match.group().lower() not in words:
                span = Span.from_text(text, span.start, match.end(), span.technique, span.score)
        out.append(span)
    return out


#: Quotation marks: opening -> closing. The straight quotes open and close themselves.
_QUOTES = {"“": "”", "«": "»", "„": "“", '"': '"'}  # not ‘ ’: apostrophes
# What a span may not start with (besides spaces): clause punctuation, dashes, closing marks.
_LEAD = frozenset(",;:.!?…-–—)]”»")
# What a span may not end with: clause punctuation other than . ! ? and opening marks.
_TAIL = frozenset(",;:-–—([«„")  # not “ or ‘: German closes quotations with them


def tidy_edges(text: str, spans: Sequence[Span]) -> list[Span]:
    """Spans without stray punctuation at their edges, and with their quotation marks paired.

    Leading clause punctuation, dashes and closing marks and trailing commas, colons, dashes and
    opening marks are cut off (with the spaces next to them). A quotation mark left open inside
    a span takes in its closing mark when that follows the span at once or after the sentence's
    last mark (``“a witch hunt,”``), else it is cut off where it starts or ends the span; a
    closing mark with no opening one takes in its opening mark when that precedes the span at
    once, else it is cut off where it ends the span. Spans left empty are dropped.

    Example:
        >>> text = 'It was a “witch hunt”, he said, because of “collusion.”'
        >>> spans = [Span.from_text(text, 7, 20, "Loaded_Language"),
        ...          Span.from_text(text, 21, 31, "Doubt"),
        ...          Span.from_text(text, 44, 55, "Doubt")]
        >>> [s.text for s in tidy_edges(text, spans)]
        ['a “witch hunt”', 'he said', '“collusion.”']
    """
    out = []
    for span in spans:
        start, end = span.start, span.end
        for _ in range(4):  # each pass can expose another edge; a few always suffice
            before = (start, end)
            while start < end and (text[start].isspace() or text[start] in _LEAD):
                start += 1
            while end > start and (text[end - 1].isspace() or text[end - 1] in _TAIL):
                end -= 1
            start, end = _pair_quotes(text, start, end)
            if (start, end) == before:
                break
        if end > start and (start, end) != (span.start, span.end):
            span = Span.from_text(text, start, end, span.technique, span.score)
        if end > start:
            out.append(span)
    return join_fragments(text, out, max_gap=0)


def _unpaired(inner: str) -> tuple[list[tuple[int, str]], list[int]]:
    """The quotation marks of ``inner`` left open (position, the closing mark they expect) and
    those that close nothing (positions). „ opens a quotation that “ closes (German); “ otherwise
    opens one that ” closes."""
    opened: list[tuple[int, str]] = []
    stray: list[int] = []
    for i, ch in enumerate(inner):
        if opened and ch == opened[-1][1]:
            opened.pop()
        elif ch in _QUOTES:
            opened.append((i, _QUOTES[ch]))
        elif ch in "”»":
            stray.append(i)
    return opened, stray


def _pair_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` with an unpaired quotation mark completed or cut off at an edge."""
    inner = text[start:end]
    opened, stray = _unpaired(inner)
    if opened:
        at, closing = opened[-1]
        # The closing mark, right after the span or after its sentence's last mark.
        after = re.match(r"[,.!?…]{0,2}[ \u00a0\u202f]?" + re.escape(closing), text[end : end + 4])
        if after and len(opened) == 1:
            return start, end + after.end()
        if at == len(inner) - 1:
            return start, end - 1
        if opened[0][0] == 0:
            return start + 1, end
    if stray:
        opening = {"”": "“", "»": "«"}[inner[stray[0]]]
        if start > 0 and text[start - 1] == opening:
            return start - 1, end
        if stray[-1] == len(inner) - 1:
            return start, end - 1
    return start, end


def trim_function_words(text: str, spans: Sequence[Span], language: str = "en") -> list[Span]:
    """Cut function words ("at", "de", "à", "and") and punctuation off the end of multi-word spans:
    a span that ends on one stopped in the middle of a phrase."""
    words = stop_words(language)
    out = []
    for span in spans:
        start, end = span.start, span.end
        while True:
            last = text.rfind(" ", start, end)
            if last <= start:
                break
            tail = text[last + 1 : end].strip(" ,;:-–—")
            if tail and tail.lower() not in words:
                end = last + 1 + len(text[last + 1 : end].rstrip(" ,;:-–—"))
                break
            end = last
            while end > start and not _word_char(text[end - 1]) and text[end - 1] not in "\"'”’»)":
                end -= 1
        if end > start and (start, end) != (span.start, span.end):
            span = Span.from_text(text, start, end, span.technique, span.score)
        out.append(span)
    return out

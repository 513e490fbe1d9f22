"""Plain data: spans, labels, paragraphs and documents.

All offsets are character offsets into the decoded text, half-open: ``text[start:end]``. Nothing is
stripped or normalised: CRLF line ends, a byte-order mark and emoji all count as the characters
Python sees after ``bytes.decode("utf-8")``. Objects are frozen values without back-references;
methods that change something return a new object.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from propscope.errors import Errors, SpanError
from propscope.taxonomy import get_technique


def _check_score(score: float, what: str) -> None:
    if not (0.0 <= score <= 1.0) or math.isnan(score):
        raise SpanError(Errors.E013.format(score=score, what=what))


class SpanRow(NamedTuple):
    """A span as the shared tasks' files and scorers see it: ``(article_id, technique, start,
    end)``, end exclusive; ``technique`` is None for technique-agnostic spans."""

    article_id: str
    technique: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Label:
    """A label (technique, frame or genre) with a confidence in [0, 1]."""

    name: str
    score: float = 1.0

    def __post_init__(self) -> None:
        _check_score(self.score, self.name)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": round(self.score, 4)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Label:
        return cls(name=str(data["name"]), score=float(data.get("score", 1.0)))


@dataclass(frozen=True, slots=True)
class Span:
    """A fragment ``text[start:end]`` of a document, with an optional technique.

    ``technique`` is a SemEval-2023 technique name, or ``None`` for technique-agnostic spans
    (SemEval-2020 span identification). Build spans with :meth:`from_text` so that ``text`` always
    equals the document's characters; :class:`Document` checks it.
    """

    start: int
    end: int
    text: str
    technique: str | None = None
    score: float = 1.0

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise SpanError(Errors.E010.format(start=self.start, end=self.end))
        if len(self.text) != self.end - self.start:
            raise SpanError(
                Errors.E012.format(
                    got=self.text, start=self.start, end=self.end, expected="<other text>"
                )
            )
        if self.technique is not None:
            from propscope.taxonomy import get_technique

            get_technique(self.technique)  # raises UnknownLabelError
        _check_score(self.score, f"span [{self.start}, {self.end})")

    @classmethod
    def from_text(
        cls, text: str, start: int, end: int, technique: str | None = None, score: float = 1.0
    ) -> Span:
        """Make the span ``text[start:end]``, checking that it lies inside ``text``."""
        if start < 0 or end <= start:
            raise SpanError(Errors.E010.format(start=start, end=end))
        if end > len(text):
            raise SpanError(Errors.E011.format(start=start, end=end, length=len(text)))
        return cls(start, end, text[start:end], technique, score)

    @property
    def category(self) -> str | None:
        """The technique's category (e.g. ``"Attack on reputation"``), or ``None``."""
        if self.technique is None:
            return None

        return get_technique(self.technique).category

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "technique": self.technique,
            "category": self.category,
            "score": round(self.score, 4),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Span:
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            text=str(data["text"]),
            technique=data.get("technique"),
            score=float(data.get("score", 1.0)),
        )


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A non-empty line of the text, numbered as the SemEval-2023 templates number them.

    ``index`` is the 1-based line number; ``start``/``end`` delimit the line without its line
    break (and without a trailing ``\\r``).
    """

    index: int
    start: int
    end: int
    techniques: tuple[Label, ...] = ()

    def __post_init__(self) -> None:
        if self.index < 1:
            raise SpanError(Errors.E015.format(index=self.index))
        if self.start < 0 or self.end < self.start:
            raise SpanError(Errors.E010.format(start=self.start, end=self.end))

    def technique_names(self) -> list[str]:
        return [label.name for label in self.techniques]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "techniques": [label.to_dict() for label in self.techniques],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Paragraph:
        return cls(
            index=int(data["index"]),
            start=int(data["start"]),
            end=int(data["end"]),
            techniques=tuple(Label.from_dict(d) for d in data.get("techniques", ())),
        )


def split_paragraphs(text: str) -> tuple[Paragraph, ...]:
    """Split ``text`` into its non-empty lines, numbered by line (1-based).

    This is the organisers' rule for SemEval-2023 subtask 3: a paragraph is a line that is not
    empty after stripping whitespace, and ``paragraph_no`` is its line number. Lines end at
    ``\\n``; a ``\\r`` before it is not part of the paragraph.

    >>> [(p.index, p.start, p.end) for p in split_paragraphs("Title\\r\\n\\r\\nBody.\\n")]
    [(1, 0, 5), (3, 9, 14)]
    """
    paragraphs = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        end = start + len(line)
        line_end = end - 1 if line.endswith("\r") else end
        if line.strip():
            paragraphs.append(Paragraph(number, start, line_end))
        start = end + 1
    return tuple(paragraphs)


_SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)]*\s+")
_OPENING = '"“‘«„('


def sentence_chunks(text: str, min_words: int) -> list[str]:
    """``text``'s sentences, in order, joined into chunks of at least ``min_words`` words.

    Line breaks count as spaces, so the chunks are the same however the source broke the text
    into lines. A sentence ends at ``.``, ``!``, ``?`` or ``…`` (and closing quotes) followed by
    a space and a capital or a digit. The last chunk may be shorter; an empty text has none.

    >>> sentence_chunks("One two.\\nThree four five. Six!\\n\\nSeven.", 3)
    ['One two. Three four five.', 'Six! Seven.']
    """
    flat = " ".join(text.split())
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(flat):
        following = flat[match.end() : match.end() + 2].lstrip(_OPENING)[:1]
        if following.isupper() or following.isdigit():
            sentences.append(flat[start : match.end()].strip())
            start = match.end()
    sentences.append(flat[start:].strip())
    chunks, current, words = [], [], 0
    for sentence in filter(None, sentences):
        current.append(sentence)
        words += len(sentence.split())
        if words >= min_words:
            chunks.append(" ".join(current))
            current, words = [], 0
    if current:
        chunks.append(" ".join(current))
    return chunks


@dataclass(frozen=True, slots=True)
class Document:
    """An article with its text and, when known or predicted, its labels.

    Gold and predicted documents are separate objects paired by ``id``.

    Example:
        >>> doc = Document("a1", "They are traitors.")
        >>> doc = doc.with_spans([Span.from_text(doc.text, 9, 17, "Name_Calling-Labeling")])
        >>> doc.spans[0].text
        'traitors'
    """

    id: str
    text: str
    spans: tuple[Span, ...] = ()
    paragraphs: tuple[Paragraph, ...] = field(default=())
    genre: Label | None = None
    frames: tuple[Label, ...] = ()
    language: str = "en"
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.id:
            raise SpanError(Errors.E014.format(id=self.id))
        length = len(self.text)
        for span in self.spans:
            if span.end > length:
                raise SpanError(Errors.E011.format(start=span.start, end=span.end, length=length))
            expected = self.text[span.start : span.end]
            if span.text != expected:
                raise SpanError(
                    Errors.E012.format(
                        got=span.text, start=span.start, end=span.end, expected=expected
                    )
                )
        if not self.paragraphs:
            object.__setattr__(self, "paragraphs", split_paragraphs(self.text))
        for par in self.paragraphs:
            if par.end > length:
                raise SpanError(Errors.E011.format(start=par.start, end=par.end, length=length))

    def paragraph_text(self, paragraph: Paragraph) -> str:
        return self.text[paragraph.start : paragraph.end]

    def with_spans(self, spans: Iterable[Span]) -> Document:
        ordered = sorted(spans, key=lambda s: (s.start, s.end, s.technique or ""))
        return replace(self, spans=tuple(ordered))

    def with_labels(
        self,
        *,
        paragraphs: Iterable[Paragraph] | None = None,
        genre: Label | None = None,
        frames: Iterable[Label] | None = None,
    ) -> Document:
        changes: dict[str, Any] = {}
        if paragraphs is not None:
            changes["paragraphs"] = tuple(paragraphs)
        if genre is not None:
            changes["genre"] = genre
        if frames is not None:
            changes["frames"] = tuple(frames)
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "language": self.language,
            "text": self.text,
            "genre": self.genre.to_dict() if self.genre else None,
            "frames": [label.to_dict() for label in self.frames],
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "spans": [s.to_dict() for s in self.spans],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Document:
        return cls(
            id=str(data["id"]),
            text=str(data["text"]),
            spans=tuple(Span.from_dict(d) for d in data.get("spans", ())),
            paragraphs=tuple(Paragraph.from_dict(d) for d in data.get("paragraphs", ())),
            genre=Label.from_dict(data["genre"]) if data.get("genre") else None,
            frames=tuple(Label.from_dict(d) for d in data.get("frames", ())),
            language=str(data.get("language", "en")),
        )


__all__ = ["Document", "Label", "Paragraph", "Span", "split_paragraphs"]

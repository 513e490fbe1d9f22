"""Aggregate a batch result (``propscope report``): techniques per group, examples, failures.

A batch result has one row per article (see docs/batch.md): ``id``, ``status`` (``ok`` or
``failed``), ``error``, ``language``, ``zero_shot``, ``text``, ``genre``, ``frames``,
``paragraphs``, ``spans``, ``model`` and the input columns carried along (``source``, ``date``,
...). :func:`aggregate` reads it as a stream, one row at a time, and keeps only counters and the
short context windows of the best examples, so memory stays bounded whatever the size of the
batch (:mod:`propscope.batch.report_reader` streams and checks the rows; JSONL line by line,
Parquet batch by batch with only the columns the report needs).

Failed rows are counted (per group and by error code) but add nothing to the other numbers. The
report's types are :mod:`propscope.batch.report_types`.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from propscope.batch.report_reader import (
    ArticleRecord,
    RowStream,
    SpanRecord,
    category_of,
    is_missing,
    nested,
    open_rows,
    parse_article,
)
from propscope.batch.report_types import (
    BatchReport,
    Example,
    FailureSummary,
    GroupStats,
    LabelCount,
    TechniqueStats,
)
from propscope.errors import ConfigError, Errors

NONE_GROUP = "(none)"
INVALID_DATE_GROUP = "(invalid date)"
PERIODS = ("day", "week", "month")
ALIASES = {"lang": "language"}
_FAILURE_IDS = 5


class _Group:
    """Mutable counters of one group while rows stream past."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.ok = self.failed = self.zero_shot = 0
        self.words = self.spans = self.paragraphs = self.paragraphs_hit = 0
        self.tech_articles: Counter[str] = Counter()
        self.tech_spans: Counter[str] = Counter()
        self.tech_paragraphs: Counter[str] = Counter()
        self.categories: dict[str, str] = {}
        self.genres: Counter[str] = Counter()
        self.frames: Counter[str] = Counter()

    def add(self, article: ArticleRecord) -> None:
        self.ok += 1
        self.zero_shot += article.zero_shot
        self.words += article.words
        self.spans += len(article.spans)
        self.paragraphs += len(article.paragraphs)
        self.paragraphs_hit += sum(1 for names in article.paragraphs if names)
        found: set[str] = set()
        for span in article.spans:
            self.tech_spans[span.technique] += 1
            if span.category:
                self.categories.setdefault(span.technique, span.category)
            found.add(span.technique)
        for names in article.paragraphs:
            self.tech_paragraphs.update(names)
            found.update(names)
        self.tech_articles.update(found)
        self.genres[article.genre or NONE_GROUP] += 1
        self.frames.update(article.frames)

    def freeze(self) -> GroupStats:
        def share(count: int) -> float:
            return count / self.ok if self.ok else 0.0

        names = set(self.tech_articles) | set(self.tech_spans)
        techniques = [
            TechniqueStats(
                name,
                self.categories.get(name) or category_of(name),
                self.tech_articles[name],
                self.tech_spans[name],
                self.tech_paragraphs[name],
                share(self.tech_articles[name]),
            )
            for name in names
        ]
        techniques.sort(key=lambda t: (-t.articles, -t.spans, t.name))
        return GroupStats(
            name=self.name,
            articles=self.ok + self.failed,
            ok=self.ok,
            failed=self.failed,
            zero_shot=self.zero_shot,
            words=self.words,
            spans=self.spans,
            spans_per_1000_words=1000 * self.spans / self.words if self.words else None,
            spans_per_article=self.spans / self.ok if self.ok else None,
            paragraphs=self.paragraphs,
            paragraphs_with_technique=self.paragraphs_hit,
            paragraph_share=self.paragraphs_hit / self.paragraphs if self.paragraphs else None,
            techniques=tuple(techniques),
            genres=_label_counts(self.genres, share),
            frames=_label_counts(self.frames, share),
        )


def _label_counts(counts: Counter[str], share: Any) -> tuple[LabelCount, ...]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(LabelCount(name, n, share(n)) for name, n in ordered)


class _Examples:
    """The ``k`` best spans per technique; only their context windows are kept."""

    def __init__(self, k: int, context: int) -> None:
        self.k = k
        self.context = context
        self.best: dict[str, list[Example]] = {}
        self.floor: dict[str, float] = {}

    @staticmethod
    def _key(example: Example) -> tuple[float, str, int, int]:
        return (-example.score, example.id, example.start, example.end)

    def offer(self, span: SpanRecord, article_id: str, group: str | None, text: str) -> None:
        if self.k == 0 or span.score < self.floor.get(span.technique, -math.inf):
            return
        before, span_text, after = _window(text, span, self.context)
        kept = self.best.setdefault(span.technique, [])
        kept.append(
            Example(
                span.technique,
                span.category,
                span.score,
                article_id,
                group,
                span.start,
                span.end,
                span_text,
                before,
                after,
            )
        )
        # Prune now and then rather than on every span: sorting 4k items is cheap.
        if len(kept) >= 4 * self.k:
            self._prune(span.technique)

    def _prune(self, technique: str) -> None:
        kept = sorted(self.best[technique], key=self._key)[: self.k]
        self.best[technique] = kept
        if len(kept) == self.k:
            self.floor[technique] = kept[-1].score

    def freeze(self) -> dict[str, tuple[Example, ...]]:
        for technique in self.best:
            self._prune(technique)
        ordered = sorted(self.best.items(), key=lambda kv: (-kv[1][0].score, kv[0]))
        return {name: tuple(kept) for name, kept in ordered if kept}


_SPACES = re.compile(r"\s+")


def _window(text: str, span: SpanRecord, context: int) -> tuple[str, str, str]:
    """``(before, span text, after)``: up to ``context`` characters each side, whole words."""
    if not (0 <= span.start < span.end <= len(text)):
        return "", _SPACES.sub(" ", span.text).strip(), ""
    lo = max(0, span.start - context)
    hi = min(len(text), span.end + context)
    before = text[lo : span.start]
    after = text[span.end : hi]
    if lo > 0:
        cut = re.search(r"\s", before)
        before = "…" + (before[cut.end() :] if cut else before)
    if hi < len(text):
        cut = re.search(r"\s\S*$", after)
        after = (after[: cut.start()] if cut else after) + "…"
    middle = _SPACES.sub(" ", text[span.start : span.end])
    return _SPACES.sub(" ", before).lstrip(), middle, _SPACES.sub(" ", after).rstrip()


def _group_value(value: Any, period: str | None) -> str:
    if period is not None:
        return _period_label(value, period)
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return NONE_GROUP
    if isinstance(value, Mapping) and "name" in value:  # e.g. --by genre
        return str(value["name"])
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _period_label(value: Any, period: str) -> str:
    """``2024-03-05`` (day), ``2024-W10`` (ISO week) or ``2024-03`` (month) of a date value."""
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return NONE_GROUP
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return INVALID_DATE_GROUP
    else:
        return INVALID_DATE_GROUP
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def _unknown_column(column: str, source: str, available: Iterable[str]) -> ConfigError:
    names = sorted(set(available) | {"lang"})
    return ConfigError(
        Errors.E083.format(column=column, source=source, available=", ".join(names) or "none")
    )


def aggregate(
    rows_or_path: str | Path | Iterable[Mapping[str, Any]],
    by: str | None = None,
    *,
    period: str = "week",
    top: int = 3,
    context: int = 60,
) -> BatchReport:
    """Aggregate a batch result: techniques per group, top examples and failures.

    Args:
        rows_or_path: A ``.jsonl`` file or a Parquet file or folder written by
            ``propscope batch``, or the rows themselves (mappings with the batch fields; nested
            fields may be JSON strings).
        by: Group by this column (``lang`` means ``language``; ``date`` groups by ``period``).
            ``None`` gives only the overall numbers.
        period: ``day``, ``week`` (ISO week) or ``month``; used with ``by="date"``.
        top: Examples kept per technique (0 for none).
        context: Characters of article text kept on each side of an example span.

    Returns:
        The :class:`BatchReport`.

    Raises:
        InputNotFoundError: The path does not exist.
        CorpusFormatError: A row is malformed (the message names the file and line or row).
        ConfigError: ``by`` names no column of the rows, or a setting is invalid.

    Example:
        >>> report = aggregate([{"id": "a", "status": "ok", "text": "Traitors lie.",
        ...     "spans": [{"start": 0, "end": 8, "text": "Traitors", "score": 0.9,
        ...                "technique": "Name_Calling-Labeling"}], "paragraphs": []}])
        >>> report.overall.spans_per_1000_words
        500.0
    """
    if period not in PERIODS:
        raise ConfigError(
            Errors.E050.format(name="period", value=period, reason="use day, week or month")
        )
    if top < 0 or context < 0:
        name, value = ("top", top) if top < 0 else ("context", context)
        raise ConfigError(Errors.E050.format(name=name, value=value, reason="must be >= 0"))
    column = ALIASES.get(by, by) if by else None
    group_period = period if column == "date" else None
    stream = open_rows(rows_or_path, [column] if column else [])
    if column is not None and stream.columns is not None and column not in stream.columns:
        raise _unknown_column(by or column, stream.source, stream.columns)
    # The columns seen so far, while none of the rows has had `column` (JSONL, rows).
    available: set[str] | None = set() if column and stream.columns is None else None
    seen = 0

    overall = _Group("(all)")
    groups: dict[str, _Group] = {}
    examples = _Examples(top, context)
    failures: dict[str, list[Any]] = {}
    models: set[str] = set()
    for number, row in stream.rows:
        if not isinstance(row, Mapping):
            raise stream.error(number, f"a {type(row).__name__}, not an object")
        seen += 1
        if available is not None:
            if column in row:
                available = None
            else:
                available.update(row)
        group = None
        if column is not None:
            name = _group_value(row.get(column), group_period)
            group = groups.get(name) or groups.setdefault(name, _Group(name))
        status = row.get("status")
        if status == "failed":
            overall.failed += 1
            if group is not None:
                group.failed += 1
            _add_failure(failures, row, stream, number)
            continue
        if status != "ok":
            raise stream.error(number, f"status should be 'ok' or 'failed', got {status!r}")
        article, text = parse_article(row, stream, number)
        overall.add(article)
        if group is not None:
            group.add(article)
        for span in article.spans:
            examples.offer(span, article.id, group.name if group else None, text)
        model = nested(row, "model", dict, stream, number)
        if model:
            models.add(f"{model.get('name', '?')} {model.get('version', '?')}".strip())
    if available is not None and column is not None and seen:
        raise _unknown_column(by or column, stream.source, available)

    return BatchReport(
        source=stream.source,
        by=column,
        period=group_period,
        top=top,
        overall=overall.freeze(),
        groups=tuple(g.freeze() for g in _ordered(groups, dated=group_period is not None)),
        examples=examples.freeze(),
        failures=_freeze_failures(failures),
        models=tuple(sorted(models)),
    )


def _ordered(groups: dict[str, _Group], dated: bool) -> list[_Group]:
    """Dates in time order, other groups by size; ``(none)`` and invalid dates last."""
    special = {NONE_GROUP: 2, INVALID_DATE_GROUP: 1}

    def key(group: _Group) -> tuple[int, Any, str]:
        size = 0 if dated else -(group.ok + group.failed)
        return (special.get(group.name, 0), size, group.name)

    return sorted(groups.values(), key=key)


def _add_failure(
    failures: dict[str, list[Any]], row: Mapping[str, Any], stream: RowStream, n: int
) -> None:
    error = nested(row, "error", dict, stream, n) or {}
    code = str(error.get("code") or "(unknown)")
    entry = failures.setdefault(code, [str(error.get("type") or ""), 0, "", []])
    entry[1] += 1
    if not entry[2] and error.get("message"):
        entry[2] = str(error["message"])
    if len(entry[3]) < _FAILURE_IDS:
        entry[3].append(str(row.get("id", "")))


def _freeze_failures(failures: dict[str, list[Any]]) -> tuple[FailureSummary, ...]:
    summaries = [
        FailureSummary(code, kind, count, message, tuple(ids))
        for code, (kind, count, message, ids) in failures.items()
    ]
    return tuple(sorted(summaries, key=lambda f: (-f.count, f.code)))


__all__ = ["INVALID_DATE_GROUP", "NONE_GROUP", "PERIODS", "aggregate"]

"""Batch analysis of many articles (``propscope batch``), resumable and on one or many machines.

:func:`run_batch` reads articles from a folder, a JSONL or Parquet file or standard input
(:mod:`~propscope.batch.inputs`), analyses them in chunks on an engine
(:mod:`~propscope.batch.engines`), commits every finished chunk atomically and finally writes one
JSONL or Parquet output (:mod:`~propscope.batch.store`; row schema in :mod:`~propscope.batch.rows`).
Killed at any point, the same call continues where it stopped. See docs/batch.md.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from propscope.errors import ConfigError, Errors, ModelLoadError

DEFAULT_CHUNK_SIZE = 32

T = TypeVar("T")


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run did.

    Attributes:
        output: The output file.
        spans_output: The span rows file, if one was asked for.
        articles: Rows in the output (all articles of the input).
        ok: Articles analysed.
        failed: Articles recorded as failures.
        spans: Spans in all analysed articles.
        resumed: Articles an earlier, interrupted run had already done.
        processed: Articles this run did.
        seconds: Wall time of this run, model loading included.
        failures: Failed articles per error code.
    """

    output: Path
    spans_output: Path | None
    articles: int
    ok: int
    failed: int
    spans: int
    resumed: int
    processed: int
    seconds: float
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def articles_per_second(self) -> float:
        """Articles this run did per second of its wall time."""
        return self.processed / self.seconds if self.seconds > 0 else 0.0


def model_identity(model: str | Path) -> dict[str, Any]:
    """Name, version and a digest of ``meta.json`` of each model a run may use, without loading.

    ``auto``, ``fast`` and ``accurate`` may use one model per language (see
    :func:`propscope.bundled.model_for_language`).

    Raises:
        ModelLoadError: No bundled model of that name and no model folder at that path.
    """
    from propscope.bundled import (
        borrowed_by,
        bundled_model_path,
        is_model_family,
        model_for_language,
        model_source,
    )

    if is_model_family(str(model)):
        family = str(model)
        names = dict.fromkeys(model_for_language(code, family) for code in ("en", "fr"))
        return {family: [model_identity(name) for name in names]}
    path = Path(model)
    if not path.is_dir():
        path = bundled_model_path(str(model))
    meta_path = path / "meta.json"
    if not meta_path.is_file():
        raise ModelLoadError(Errors.E041.format(path=path, reason="no meta.json"))
    data = meta_path.read_bytes()
    meta = json.loads(data)
    identity: dict[str, Any] = {
        "name": meta.get("name"),
        "version": meta.get("version"),
        "meta_sha256": hashlib.sha256(data).hexdigest()[:16],
    }
    borrowed = borrowed_by(path)
    if borrowed:  # a rebuilt source changes what this model outputs
        identity["borrowed"] = {
            component: model_identity(model_source(source, path.parent))
            for component, source in sorted(borrowed.items())
        }
    return identity


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_setting(name: str, value: int, minimum: int = 1) -> None:
    if value < minimum:
        raise ConfigError(
            Errors.E050.format(name=name, value=value, reason=f"must be >= {minimum}")
        )


def run_batch(
    source: str | Path,
    out: str | Path,
    *,
    spans_out: str | Path | None = None,
    model: str | Path = "auto",
    lang: str = "auto",
    workers: int = 1,
    engine: str = "local",
    address: str | None = None,
    id_column: str = "id",
    text_column: str = "text",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_chars: int = 200_000,
    threshold: float | None = None,
    min_confidence: float | None = None,
    genre_prior: str | None = None,
    restart: bool = False,
    stdin: bytes | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_resume: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """Analyse every article of ``source`` into ``out`` (``.jsonl`` or ``.parquet``).

    Resumable: rows are committed chunk by chunk, so calling again with the same arguments after
    a crash or a kill continues where the earlier call stopped. A different input, model or
    option is refused (E074) unless ``restart``; so is an existing output of a finished run
    (E075). An article that cannot be read or analysed becomes a failure row.

    Args:
        source: A folder of ``.txt``/``.html`` files (recursively), a ``.jsonl`` or
            ``.parquet`` file, or ``"-"`` for JSONL in ``stdin``.
        out: The output file; its extension picks the format.
        spans_out: Also write one row per span here (``.jsonl`` or ``.parquet``).
        model: ``"auto"``/``"fast"`` (``en-fast`` for English, ``multi-fast`` otherwise),
            ``"accurate"`` (``en-accurate`` for English), a bundled model
            name, or a model folder.
        lang: ``"auto"`` to identify each article's language, or a language code for all.
        workers: Worker processes (local), cluster workers (dask, without ``address``) or
            actors (ray).
        engine: ``"local"``, ``"dask"`` or ``"ray"``.
        address: Address of an existing Dask scheduler or Ray cluster.
        id_column: Id column of JSONL and Parquet input.
        text_column: Text column of JSONL and Parquet input.
        chunk_size: Articles per committed chunk.
        max_chars: Longer articles are failure rows (E004).
        threshold: Overrides the tuned thresholds of all outputs.
        min_confidence: Spans whose calibrated score is under this are left out (None: the
            model's default floor, its ``min_confidence``; 0 keeps every span).
        genre_prior: The genres to expect (``"news"``, ``"none"`` or weights such as
            ``"reporting=0.2,opinion=0.75,satire=0.05"``; None: the model's own prior).
        restart: Discard an unfinished run or a finished output and start again.
        stdin: The bytes of standard input, for ``source="-"``.
        progress: Called as ``progress(done, total)`` with the articles of this run.
        on_resume: Called once as ``on_resume(done_before, to_do)`` before any work when an
            earlier, unfinished run had already analysed ``done_before`` articles.

    Returns:
        The :class:`BatchSummary`.

    Example:
        >>> from propscope.batch import run_batch
        >>> summary = run_batch("articles/", "results.parquet", lang="en")  # doctest: +SKIP
        >>> summary.ok, summary.failed  # doctest: +SKIP
        (998, 2)
    """
    from propscope.batch.engines import WorkSettings, open_engine
    from propscope.batch.files import remove_temporaries
    from propscope.batch.formats import output_format
    from propscope.batch.inputs import open_source
    from propscope.batch.inputs_jsonl import STDIN
    from propscope.batch.inputs_parquet import import_pyarrow
    from propscope.batch.rows import ARTICLE_FIELDS, SPAN_FIELDS
    from propscope.batch.store import RunStore
    from propscope.language import AUTO, normalise_language

    began = time.perf_counter()
    _check_setting("--workers", workers)
    _check_setting("--chunk-size", chunk_size)
    _check_setting("--max-chars", max_chars)
    out = Path(out)
    spans_path = Path(spans_out) if spans_out is not None else None
    formats = [output_format(out)]
    if spans_path is not None:
        formats.append(output_format(spans_path))
        if spans_path.resolve() == out.resolve():
            raise ConfigError(
                Errors.E050.format(
                    name="--spans-out", value=str(spans_path), reason="it is also --out"
                )
            )
    if "parquet" in formats:
        import_pyarrow("Writing Parquet output")
    lang = AUTO if lang.strip().lower() == AUTO else normalise_language(lang)
    identity = model_identity(model)
    # Workers may run elsewhere (another folder, a cluster): give them an absolute model path.
    model_arg = str(Path(model).resolve()) if Path(model).is_dir() else str(model)
    if genre_prior is not None:
        from propscope.models.genre import parse_prior

        parse_prior(genre_prior)  # a bad prior fails before any work starts
    settings = WorkSettings(
        model=model_arg,
        lang=lang,
        threshold=threshold,
        min_confidence=min_confidence,
        genre_prior=genre_prior,
    )
    runner = open_engine(engine, settings, workers, address)

    articles = open_source(
        source, id_column=id_column, text_column=text_column, max_chars=max_chars, stdin=stdin
    )
    if str(source) != STDIN and Path(source).resolve() in (
        out.resolve(),
        spans_path.resolve() if spans_path else None,
    ):
        raise ConfigError(Errors.E075.format(path=out, reason="it is the input"))
    from propscope.io import check_output_path

    for target in (out, spans_path):  # no device, FIFO, symlink or unwritable folder
        if target is not None:
            check_output_path(target, [str(source)])
    for column in articles.carried:
        if column in ARTICLE_FIELDS:
            where = "a field of every article row"
        elif spans_path is not None and column in SPAN_FIELDS:
            where = "a field of every span row of --spans-out"
        else:
            continue
        raise ConfigError(Errors.E072.format(column=column, where=where))
    manifest = {
        "input": articles.fingerprint(),
        "model": identity,
        "options": {
            "lang": lang,
            "threshold": threshold,
            **({"min_confidence": min_confidence} if min_confidence is not None else {}),
            **({"genre_prior": genre_prior} if genre_prior is not None else {}),
            "max_chars": max_chars,
            "id_column": id_column,
            "text_column": text_column,
        },
    }

    with RunStore(out, formats[0], articles.carried, restart) as store:
        done = store.begin(manifest, set(articles.ids))
        if spans_path is not None:
            remove_temporaries(spans_path)
        total = sum(1 for i in articles.ids if i not in done)
        if done and on_resume:
            on_resume(len(done), total)
        processed = 0
        if total:
            if progress:
                progress(0, total)
            with runner as running:
                processed = _process(articles, done, store, running, chunk_size, total, progress)
        totals = store.finalize(spans_path)
    return BatchSummary(
        output=out,
        spans_output=spans_path,
        articles=totals.articles,
        ok=totals.ok,
        failed=totals.failed,
        spans=totals.spans,
        resumed=len(done),
        processed=processed,
        seconds=time.perf_counter() - began,
        failures=dict(totals.failures.most_common()),
    )


def _process(
    articles: Any,
    done: set[str],
    store: Any,
    runner: Any,
    chunk_size: int,
    total: int,
    progress: Callable[[int, int], None] | None,
) -> int:
    """Run the chunks not yet done; commit each, in input order, as soon as it is back."""
    from collections import deque

    from propscope.batch.rows import failure_row

    in_flight: deque[tuple[list[Any], bool, Any]] = deque()
    processed = 0

    def commit_oldest() -> None:
        nonlocal processed
        chunk, submitted, handle = in_flight.popleft()
        results = {row["id"]: row for row in runner.result(handle)} if submitted else {}
        rows = []
        for article in chunk:
            row = failure_row(article.id, article.error) if article.error else results[article.id]
            rows.append({**row, **article.carried})
        store.write_part(rows)
        processed += len(chunk)
        if progress:
            progress(processed, total)

    for chunk in _chunks(articles.articles(skip=done), chunk_size):
        items = [(a.id, a.text) for a in chunk if a.error is None]
        # A chunk of failures only (unreadable articles) needs no worker.
        in_flight.append((chunk, bool(items), runner.submit(items) if items else None))
        if len(in_flight) >= runner.window:
            commit_oldest()
    while in_flight:
        commit_oldest()
    return processed


__all__ = ["DEFAULT_CHUNK_SIZE", "BatchSummary", "model_identity", "run_batch"]

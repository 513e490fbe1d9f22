"""The output of a batch run: committed part files while it runs, one file at the end.

While a run goes on, its rows live in a hidden folder beside the output, ``.OUTPUT.partial/``::

    manifest.json        the input, model and options the run was started with
    part-000001.jsonl    the rows of one finished chunk (.parquet for Parquet output)
    ...

Every file there is written to a temporary file, flushed to disk and renamed into place, so a part
is either complete or absent, whenever the process dies. The committed parts are the journal: the
ids they hold are done, everything else is still to do. At the end the parts are joined into the
output (and the span rows derived from them into ``--spans-out``), each written the same atomic
way, and only then is the folder removed. A run killed at any point therefore loses at most the
chunks in flight, never writes an article twice, and never leaves a half-written output.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propscope.batch.files import AtomicFile, RunLock, fsync_dir, remove_temporaries
from propscope.batch.formats import (
    Writer,
    arrow_schema,
    dumps_row,
    json_columns_of,
    output_format,
    to_arrow,
)
from propscope.batch.rows import ARTICLE_FIELDS, SPAN_FIELDS, span_rows
from propscope.errors import ConfigError, Errors
from propscope.io import atomic_write_bytes, atomic_write_text

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
_PART = "part-"


def partial_dir(out: Path) -> Path:
    """The folder that holds the committed chunks of an unfinished run writing ``out``."""
    return out.parent / f".{out.name}.partial"


# ------------------------------------------------------------------------------------- store
@dataclass
class Totals:
    """Counts over the rows of a finished output."""

    articles: int = 0
    ok: int = 0
    failed: int = 0
    spans: int = 0
    failures: Counter[str] = field(default_factory=Counter)

    def add(self, row: dict[str, Any]) -> None:
        self.articles += 1
        if row.get("status") == "ok":
            self.ok += 1
            self.spans += len(row.get("spans") or ())
        else:
            self.failed += 1
            self.failures[(row.get("error") or {}).get("code") or "?"] += 1


class RunStore:
    """The committed chunks of a run writing ``out`` (``jsonl`` or ``parquet``).

    Use it as a context manager: entering takes the lock (and creates the run folder), leaving
    releases it. :meth:`begin` checks or writes the manifest and returns the ids already done.
    """

    def __init__(self, out: Path, fmt: str, carried: dict[str, Any], restart: bool = False) -> None:
        self.out = Path(out)
        self.fmt = fmt
        self.carried = dict(carried)
        self.restart = restart
        self.folder = partial_dir(self.out)
        self._lock: RunLock | None = None
        self._next = 1
        self._schema: Any = None
        self._manifest: dict[str, Any] = {}
        #: Part files found damaged, foreign or unrecorded on resume, removed to be redone.
        self.discarded: list[str] = []

    def __enter__(self) -> RunStore:
        if not self.folder.exists():
            self._refuse_finished_output()
        fresh = not self.folder.exists()
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self._lock = RunLock(self.folder, self.out)
            if not (self.folder / MANIFEST).is_file():
                # No run to resume: one killed before its manifest was written, or a finished
                # one killed while removing this folder. Neither has anything worth keeping.
                self._refuse_finished_output(remove=True)
        except BaseException:
            if fresh:
                shutil.rmtree(self.folder, ignore_errors=True)
            self.__exit__(None)
            raise
        return self

    def _refuse_finished_output(self, remove: bool = False) -> None:
        if self.restart or not self.out.exists():
            return
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)
        raise ConfigError(
            Errors.E075.format(
                path=self.out,
                reason="it exists (a finished run). Pass --restart to overwrite it, or choose "
                "another --out",
            )
        )

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # -------------------------------------------------------------------------- manifest
    def begin(self, manifest: dict[str, Any], valid_ids: set[str] | None = None) -> set[str]:
        """Start or resume the run; returns the ids whose rows are already committed.

        Every committed part is recorded in the manifest with its row count and SHA-256. On
        resume a part is kept only if it is recorded, its bytes match, its rows parse and
        number as recorded, and its ids are in ``valid_ids`` (when given) and in no other kept
        part; any other part file is removed (listed in :attr:`discarded`) and its articles are
        done again. So a copied, edited, truncated or foreign part never reaches the output.

        Raises:
            ConfigError: An unfinished run has a different manifest (E074); ``restart``
                discards it instead.
        """
        manifest = {"version": MANIFEST_VERSION, **manifest}
        path = self.folder / MANIFEST
        previous = None
        if path.is_file() and not self.restart:
            try:
                previous = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                previous = None  # written atomically, so only damage gets here: start again
        if previous is None:
            for child in self.folder.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            self._manifest = {**manifest, "parts": {}}
            self._save_manifest()
        else:
            self._compare(previous, manifest)
            for stale in self.folder.glob(".*.tmp"):
                stale.unlink()
            recorded = previous.get("parts")
            self._manifest = {**previous, "parts": recorded if isinstance(recorded, dict) else {}}
        remove_temporaries(self.out)
        done: set[str] = set()
        journal: dict[str, Any] = self._manifest["parts"]
        for number, part in self.parts():
            self._next = max(self._next, number + 1)
            ids = self._verified_ids(part, journal.get(part.name), valid_ids, done)
            if ids is None:
                self.discarded.append(part.name)
                journal.pop(part.name, None)
                part.unlink()
                continue
            done.update(ids)
        on_disk = {part.name for _, part in self.parts()}
        for name in [name for name in journal if name not in on_disk]:
            self.discarded.append(name)
            del journal[name]
        if self.discarded:
            self._save_manifest()
        return done

    def _save_manifest(self) -> None:
        text = json.dumps(self._manifest, indent=2, ensure_ascii=False)
        atomic_write_text(self.folder / MANIFEST, text + "\n")

    def _verified_ids(
        self, part: Path, entry: Any, valid_ids: set[str] | None, done: set[str]
    ) -> list[str] | None:
        """The ids of ``part`` if it is the part that was committed, else ``None``."""
        if not isinstance(entry, dict):
            return None  # not recorded: a copy, or written just before a crash
        try:
            data = part.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            return None
        try:
            ids = self._part_ids(part)
        except Exception:  # any parse failure of a damaged part
            return None
        if len(ids) != entry.get("rows") or len(set(ids)) != len(ids):
            return None
        if any(i in done for i in ids):
            return None
        if valid_ids is not None and not all(i in valid_ids for i in ids):
            return None
        return ids

    def _compare(self, previous: dict[str, Any], manifest: dict[str, Any]) -> None:
        for key, value in manifest.items():
            if previous.get(key) == value:
                continue
            old = previous.get(key)
            if isinstance(value, dict) and isinstance(old, dict):
                what = f"{key} ({', '.join(k for k in value if old.get(k) != value.get(k))})"
            else:
                what = key
            raise ConfigError(
                Errors.E074.format(path=self.out, what=what, old=_short(old), new=_short(value))
            )

    # ----------------------------------------------------------------------------- parts
    def parts(self) -> list[tuple[int, Path]]:
        """The committed part files with their numbers, in commit order."""
        found = []
        for path in self.folder.glob(f"{_PART}*.{self.fmt}"):
            number = path.name[len(_PART) :].split(".", 1)[0]
            if number.isdigit():
                found.append((int(number), path))
        return sorted(found)

    def _part_ids(self, part: Path) -> list[str]:
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            return [str(i) for i in pq.read_table(part, columns=["id"]).column(0).to_pylist()]
        return [str(row["id"]) for row in self._read_jsonl(part)]

    @staticmethod
    def _read_jsonl(part: Path) -> Iterator[dict[str, Any]]:
        with part.open("rb") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)

    def read_part(self, part: Path) -> list[dict[str, Any]]:
        """The rows of a part as Python objects, the same for both formats."""
        if self.fmt == "jsonl":
            return list(self._read_jsonl(part))
        import pyarrow.parquet as pq

        rows = pq.read_table(part).to_pylist()
        for column in json_columns_of(self.carried):
            for row in rows:
                if row.get(column) is not None:
                    row[column] = json.loads(row[column])
        return rows

    def schema(self) -> Any:
        if self._schema is None:
            self._schema = arrow_schema(ARTICLE_FIELDS, self.carried)
        return self._schema

    def write_part(self, rows: Sequence[dict[str, Any]]) -> Path:
        """Commit the rows of one finished chunk; returns the part file."""
        path = self.folder / f"{_PART}{self._next:06d}.{self.fmt}"
        if self.fmt == "jsonl":
            data = "".join(dumps_row(row) + "\n" for row in rows).encode("utf-8")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = to_arrow(rows, self.schema(), json_columns_of(self.carried))
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink)
            data = sink.getvalue().to_pybytes()
        atomic_write_bytes(path, data)
        # Recorded after the part is in place: a part without its record is redone on resume.
        self._manifest.setdefault("parts", {})[path.name] = {
            "rows": len(rows),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        self._save_manifest()
        self._next += 1
        return path

    # -------------------------------------------------------------------------- finalise
    def finalize(self, spans_out: Path | None = None) -> Totals:
        """Join the parts into the output (and span rows into ``spans_out``); remove the folder.

        Both outputs are written to temporary files and renamed into place; the run folder goes
        last, so a run killed during this step finalises again when it is rerun.
        """
        totals = Totals()
        carried = list(self.carried)
        json_columns = json_columns_of(self.carried)
        with contextlib.ExitStack() as stack:
            out = stack.enter_context(AtomicFile(self.out))
            rows_writer = Writer(out, self.fmt, self.schema() if self.fmt == "parquet" else None)
            stack.callback(rows_writer.close)
            spans_writer = None
            if spans_out is not None:
                spans_file = stack.enter_context(AtomicFile(spans_out))
                fmt = output_format(spans_out)
                schema = arrow_schema(SPAN_FIELDS, self.carried) if fmt == "parquet" else None
                spans_writer = Writer(spans_file, fmt, schema, json_columns)
                stack.callback(spans_writer.close)
            seen: set[str] = set()
            for _, part in self.parts():
                rows = self.read_part(part)
                for row in rows:
                    if str(row.get("id")) in seen:  # never a silent duplicate
                        raise ConfigError(
                            Errors.E075.format(
                                path=self.out,
                                reason=f"the id {row.get('id')!r} occurs twice in the committed "
                                f"chunks ({part.name}); rerun with --restart",
                            )
                        )
                    seen.add(str(row.get("id")))
                    totals.add(row)
                if spans_writer is not None:
                    spans_writer.write_rows([s for row in rows for s in span_rows(row, carried)])
                if self.fmt == "jsonl":
                    rows_writer.write_bytes(part.read_bytes())
                else:
                    import pyarrow.parquet as pq

                    rows_writer.write_table(pq.read_table(part).cast(self.schema()))
            rows_writer.close()
            out.commit()
            if spans_writer is not None:
                spans_writer.close()
                spans_file.commit()
        # The manifest goes first: a folder without one holds no run to resume (see __enter__).
        (self.folder / MANIFEST).unlink(missing_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)
        fsync_dir(self.out.parent)
        return totals


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


__all__ = ["MANIFEST", "RunStore", "Totals", "partial_dir"]

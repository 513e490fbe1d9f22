"""How batch rows are written: JSON Lines (NaN and infinities as null, dates and decimals as
text) or Parquet through one Arrow schema, the output format chosen by the file's extension."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from propscope.batch.files import AtomicFile
from propscope.errors import ConfigError, Errors

FORMATS = {".jsonl": "jsonl", ".parquet": "parquet"}


def output_format(path: Path) -> str:
    """``"jsonl"`` or ``"parquet"``, from the extension of ``path``.

    Raises:
        ConfigError: The extension is neither ``.jsonl`` nor ``.parquet`` (E073).
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(Errors.E073.format(path=path, suffix=suffix or "(none)"))
    return FORMATS[suffix]


def json_default(value: Any) -> Any:
    """JSON for the values Parquet columns may carry (dates, decimals, bytes)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities (which JSON cannot hold) replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def dumps_row(row: dict[str, Any]) -> str:
    try:
        return json.dumps(row, ensure_ascii=False, default=json_default, allow_nan=False)
    except ValueError:  # a NaN or infinity: write null, never the bare NaN JSON forbids
        return json.dumps(_finite(row), ensure_ascii=False, default=json_default)


# ------------------------------------------------------------------------------ Arrow schema
def _arrow_types() -> dict[str, Any]:
    import pyarrow as pa

    label = pa.struct([("name", pa.string()), ("score", pa.float64())])
    return {
        "id": pa.string(),
        "status": pa.string(),
        "error": pa.struct(
            [("code", pa.string()), ("type", pa.string()), ("message", pa.string())]
        ),
        "language": pa.string(),
        "text": pa.string(),
        "genre": label,
        "frames": pa.list_(label),
        "paragraphs": pa.list_(
            pa.struct(
                [
                    ("index", pa.int64()),
                    ("start", pa.int64()),
                    ("end", pa.int64()),
                    ("techniques", pa.list_(label)),
                ]
            )
        ),
        "spans": pa.list_(
            pa.struct(
                [
                    ("start", pa.int64()),
                    ("end", pa.int64()),
                    ("text", pa.string()),
                    ("technique", pa.string()),
                    ("category", pa.string()),
                    ("score", pa.float64()),
                ]
            )
        ),
        "model": pa.struct(
            [("name", pa.string()), ("version", pa.string()), ("min_confidence", pa.float64())]
        ),
        "zero_shot": pa.bool_(),
        "start": pa.int64(),
        "end": pa.int64(),
        "technique": pa.string(),
        "category": pa.string(),
        "score": pa.float64(),
        "paragraph": pa.int64(),
    }


def _carried_type(kind: Any) -> Any:
    import pyarrow as pa

    if not isinstance(kind, str):
        return kind  # an Arrow type from Parquet input
    return {
        "string": pa.string(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
        "json": pa.string(),  # mixed or nested JSONL values: stored as JSON text
    }[kind]


def arrow_schema(fields: Sequence[str], carried: dict[str, Any]) -> Any:
    """The Arrow schema of article rows (``ARTICLE_FIELDS``) or span rows, with carried columns."""
    import pyarrow as pa

    types = _arrow_types()
    columns = [pa.field(name, types[name]) for name in fields]
    columns += [pa.field(name, _carried_type(kind)) for name, kind in carried.items()]
    return pa.schema(columns)


def json_columns_of(carried: dict[str, Any]) -> list[str]:
    return [name for name, kind in carried.items() if kind == "json"]


def to_arrow(rows: Sequence[dict[str, Any]], schema: Any, json_columns: Sequence[str]) -> Any:
    import pyarrow as pa

    if json_columns:
        rows = [
            {
                **row,
                **{
                    c: None if row.get(c) is None else dumps_row(row[c])  # type: ignore[arg-type]
                    for c in json_columns
                },
            }
            for row in rows
        ]
    return pa.Table.from_pylist(list(rows), schema=schema)


# ------------------------------------------------------------------------------ file helpers


class Writer:
    """Rows into an :class:`AtomicFile`, as JSON Lines or through a Parquet writer."""

    def __init__(
        self, file: AtomicFile, fmt: str, schema: Any = None, json_columns: Sequence[str] = ()
    ) -> None:
        self.file = file
        self.schema = schema
        self.json_columns = list(json_columns)
        self.parquet: Any = None
        if fmt == "parquet":
            import pyarrow.parquet as pq

            assert file.handle is not None
            file.handle.close()  # pyarrow writes through its own handle on the temporary path
            file.handle = None
            self.parquet = pq.ParquetWriter(str(file.tmp), schema)

    def write_bytes(self, data: bytes) -> None:
        assert self.file.handle is not None
        self.file.handle.write(data)

    def write_table(self, table: Any) -> None:
        self.parquet.write_table(table)

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.parquet is not None:
            self.parquet.write_table(to_arrow(rows, self.schema, self.json_columns))
        else:
            self.write_bytes("".join(dumps_row(row) + "\n" for row in rows).encode("utf-8"))

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
            self.parquet = None

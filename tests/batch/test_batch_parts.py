"""Committed part files are verified on resume: copied, foreign, edited, truncated or garbage
parts are redone, never trusted, and the output holds every id once."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from propscope.batch import run_batch
from propscope.batch.store import RunStore, partial_dir

ROWS = [{"id": f"e{i}", "text": "", "n": i} for i in range(8)]  # all fail: no model time


class Interrupt(Exception):
    pass


def _stop_after(articles: int) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        if done >= articles:
            raise Interrupt

    return progress


def _batch(source: Path, out: Path, **options: Any) -> Any:
    return run_batch(source, out, model="en-fast", lang="en", chunk_size=2, **options)


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


@pytest.fixture
def baseline(source: Path) -> list[dict[str, Any]]:
    out = source.parent / "baseline.jsonl"
    _batch(source, out)
    return _read(out)


def _copy(folder: Path) -> None:
    shutil.copy(folder / "part-000001.jsonl", folder / "part-000007.jsonl")


def _foreign(folder: Path) -> None:
    row = {**json.loads((folder / "part-000001.jsonl").read_text().splitlines()[0]), "id": "zz"}
    (folder / "part-000009.jsonl").write_text(json.dumps(row) + "\n")


def _foreign_recorded(folder: Path) -> None:
    """A foreign row inside a part whose record is updated to match: the id check catches it."""
    import hashlib

    part = folder / "part-000001.jsonl"
    rows = [json.loads(line) for line in part.read_text().splitlines()]
    rows[0]["id"] = "zz"
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    part.write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["parts"]["part-000001.jsonl"]["sha256"] = hashlib.sha256(data).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _edit(folder: Path) -> None:
    part = folder / "part-000002.jsonl"
    part.write_text(part.read_text().replace("empty", "EDITED"))


def _truncate(folder: Path) -> None:
    part = folder / "part-000001.jsonl"
    part.write_bytes(part.read_bytes()[:25])


def _garbage(folder: Path) -> None:
    (folder / "part-000002.jsonl").write_bytes(b"\x00\xff garbage {{{\n")


DAMAGE = {
    "copied": _copy,
    "foreign": _foreign,
    "foreign-recorded": _foreign_recorded,
    "edited": _edit,
    "truncated": _truncate,
    "garbage": _garbage,
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_batch_resume_redoes_bad_parts(
    kind: str, source: Path, baseline: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    with pytest.raises(Interrupt):
        _batch(source, out, progress=_stop_after(4))
    DAMAGE[kind](partial_dir(out))
    summary = _batch(source, out)
    rows = _read(out)
    # A redone chunk is appended after the kept ones: the same rows, each once.
    assert sorted(rows, key=lambda r: r["id"]) == sorted(baseline, key=lambda r: r["id"])
    assert len(rows) == len(ROWS) == summary.articles


def test_batch_parts_recorded_in_manifest(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with pytest.raises(Interrupt):
        _batch(source, out, progress=_stop_after(4))
    manifest = json.loads((partial_dir(out) / "manifest.json").read_text())
    assert sorted(manifest["parts"]) == ["part-000001.jsonl", "part-000002.jsonl"]
    assert all(entry["rows"] == 2 for entry in manifest["parts"].values())
    assert _batch(source, out).resumed == 4  # intact parts are kept


def test_store_jsonl_output_has_no_bare_nan(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with RunStore(out, "jsonl", {"x": "float64"}) as store:
        store.begin({"input": "t"})
        part = store.write_part([{"id": "a", "status": "ok", "x": math.nan, "y": [math.inf]}])
    line = part.read_text(encoding="utf-8")
    assert "NaN" not in line and "Infinity" not in line
    assert json.loads(line)["x"] is None

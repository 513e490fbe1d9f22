"""Hostile batch inputs: odd file names, BOMs, deep nesting, huge lines and numbers."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from propscope.batch import run_batch
from propscope.batch.inputs_folder import FolderSource
from propscope.batch.inputs_jsonl import JsonlSource
from propscope.errors import CorpusFormatError

GOOD = "The council wasted our money again.\n"


def _jsonl(path: Path, data: bytes, max_chars: int = 1000) -> JsonlSource:
    path.write_bytes(data)
    return JsonlSource(path, None, "id", "text", max_chars)


def _failed_run(source: Path, out: Path, **options: Any) -> list[dict[str, Any]]:
    """A run whose articles all fail before any model runs."""
    run_batch(source, out, model="en-fast", lang="en", **options)
    if out.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(out).to_pylist()
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.skipif(os.name != "posix", reason="byte file names")
def test_folder_non_utf8_file_name_gets_an_escaped_id(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "good.txt").write_text(GOOD)
    with open(os.path.join(os.fsencode(root), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"")  # empty: a failure row, no model needed
    source = FolderSource(root, 1000)
    assert source.ids == ["caf\\xe9.txt", "good.txt"]
    articles = {a.id: a for a in source.articles(skip={"good.txt"})}
    assert articles["caf\\xe9.txt"].error["code"] == "E001"  # type: ignore[index]
    json.dumps(source.ids, ensure_ascii=False).encode("utf-8")  # writable as UTF-8


def test_jsonl_with_bom_is_read(tmp_path: Path) -> None:
    line = json.dumps({"id": "a", "text": GOOD}).encode()
    source = _jsonl(tmp_path / "in.jsonl", b"\xef\xbb\xbf" + line + b"\n")
    assert source.ids == ["a"]
    assert next(iter(source.articles())).text == GOOD


def test_jsonl_deep_nesting_is_a_format_error(tmp_path: Path) -> None:
    line = b'{"id": "a", "text": "t", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    with pytest.raises(CorpusFormatError, match=r"^\[E070\].*line 1.*nested"):
        _jsonl(tmp_path / "in.jsonl", line)


def test_jsonl_huge_line_is_a_failure_row_in_bounded_memory(tmp_path: Path) -> None:
    big = b'{"id": "big", "text": "' + b"a" * 30_000_000 + b'"}\n'
    small = json.dumps({"id": "b", "text": ""}).encode() + b"\n"
    path = tmp_path / "in.jsonl"
    path.write_bytes(big + small)
    tracemalloc.start()
    try:
        source = JsonlSource(path, None, "id", "text", 1000)
        articles = {a.id: a for a in source.articles()}
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert source.ids == ["big", "b"]
    assert articles["big"].error["code"] == "E004"  # type: ignore[index]
    assert peak < 5_000_000, f"peak {peak:,} bytes for a 30 MB line"


def test_jsonl_huge_line_without_id_is_a_format_error(tmp_path: Path) -> None:
    line = b'{"text": "' + b"a" * 2_000_000 + b'", "id": "late"}\n'
    with pytest.raises(CorpusFormatError, match=r"^\[E070\].*no id near its start"):
        JsonlSource(_write(tmp_path / "in.jsonl", line), None, "id", "text", 10)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_jsonl_huge_integer_with_parquet_output(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    rows = [{"id": "a", "text": "", "n": 10**30}, {"id": "b", "text": "", "n": 1}]
    source = _write(tmp_path / "in.jsonl", "".join(json.dumps(r) + "\n" for r in rows).encode())
    out = _failed_run(source, tmp_path / "out.parquet")
    assert [json.loads(row["n"]) for row in out] == [10**30, 1]


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_jsonl_lone_surrogates_never_reach_the_output(tmp_path: Path, suffix: str) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    lines = [
        '{"id": "a", "text": "Bad \\ud800 text", "note": "x \\udfff y"}',
        '{"id": "b", "text": "", "note": ["\\ud83d"]}',
    ]
    source = _write(tmp_path / "in.jsonl", ("\n".join(lines) + "\n").encode())
    out = _failed_run(source, tmp_path / f"out{suffix}")
    assert [row["status"] for row in out] == ["failed", "failed"]
    assert out[0]["error"]["code"] in ("E002", "E003")
    assert "\ufffd" in str(out[0]["note"]) and "\ufffd" in str(out[1]["note"])


def test_report_with_lone_surrogates_and_deep_nesting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from propscope.cli import main

    row = {
        "id": "a",
        "status": "ok",
        "error": None,
        "language": "en",
        "text": "Bad \ud800 text",
        "genre": None,
        "frames": [],
        "paragraphs": [],
        "spans": [],
        "model": {"name": "m", "version": "1"},
        "zero_shot": False,
        "source": "x\udfff",
    }
    path = _write(tmp_path / "out.jsonl", (json.dumps(row) + "\n").encode())
    assert main(["report", str(path), "--by", "source"]) == 0
    assert "x\ufffd" in capsys.readouterr().out
    nested = _write(tmp_path / "deep.jsonl", b"[" * 100_000 + b"]" * 100_000 + b"\n")
    assert main(["report", str(nested)]) == 2
    assert "nested too deeply" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["fifo", "symlink", "device"])
def test_batch_out_refuses_non_regular_targets(tmp_path: Path, kind: str) -> None:
    from propscope.errors import ConfigError

    source = _write(tmp_path / "in.jsonl", b'{"id": "a", "text": ""}\n')
    out = tmp_path / "out.jsonl"
    if kind == "fifo":
        os.mkfifo(out)
    elif kind == "symlink":
        (tmp_path / "kept.jsonl").write_text("keep")
        out.symlink_to(tmp_path / "kept.jsonl")
    else:
        out = Path("/dev/null")
    # /dev/null has no .jsonl extension: refused for that (E073) before the file checks.
    with pytest.raises(ConfigError, match=r"^\[E07[35]\]"):
        run_batch(source, out, model="en-fast", lang="en", restart=True)
    if kind == "symlink":
        assert out.is_symlink() and (tmp_path / "kept.jsonl").read_text() == "keep"

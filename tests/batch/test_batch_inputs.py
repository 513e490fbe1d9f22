"""Batch input sources: ids, carried columns, bad articles as failures, bad files as errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from propscope.batch.inputs import open_source
from propscope.batch.inputs_folder import FolderSource
from propscope.batch.inputs_jsonl import JsonlSource
from propscope.errors import ConfigError, CorpusFormatError, InputNotFoundError

GOOD = "The council wasted our money again.\n\nOfficials said the bridge opens in May.\n"
LIMIT = 1_000

# file name -> (bytes, expected error code or None)
BAD_FILES = {
    "empty.txt": (b"", "E001"),
    "blank.txt": (b"  \n\t\n", "E001"),
    "nul.txt": (b"text\x00with a NUL byte", "E002"),
    "controls.txt": (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12", "E002"),
    "latin1.txt": ("Café crème, très cher.".encode("latin-1"), "E003"),
    "huge.txt": (b"word " * LIMIT, "E004"),
    "no-text.html": (b"<html><head><title>x</title></head><body></body></html>", "E007"),
}


def _read_all(source):  # type: ignore[no-untyped-def]
    return {a.id: a for a in source.articles()}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    (root / "2024" / "03").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.txt").write_text(GOOD, encoding="utf-8")
    (root / "2024" / "03" / "b.TXT").write_text(GOOD, encoding="utf-8")
    (root / "2024" / "page.html").write_text(
        "<html><body><article><p>The mayor, a reckless fool, lied to the town again "
        "about the budget.</p></article></body></html>",
        encoding="utf-8",
    )
    (root / "notes.md").write_text("not an article", encoding="utf-8")
    (root / ".hidden" / "c.txt").write_text(GOOD, encoding="utf-8")
    (root / ".d.txt").write_text(GOOD, encoding="utf-8")
    return root


def test_folder_ids_are_relative_posix_paths(folder: Path) -> None:
    source = open_source(folder, max_chars=LIMIT)
    assert isinstance(source, FolderSource)
    assert source.ids == ["2024/03/b.TXT", "2024/page.html", "a.txt"]
    articles = _read_all(source)
    assert articles["a.txt"].text == GOOD
    assert "reckless fool" in (articles["2024/page.html"].text or "")
    assert all(a.error is None and a.carried == {} for a in articles.values())


def test_folder_articles_skip_done_ids(folder: Path) -> None:
    source = open_source(folder, max_chars=LIMIT)
    assert [a.id for a in source.articles(skip={"a.txt", "2024/page.html"})] == ["2024/03/b.TXT"]


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_folder_bad_article_becomes_failure(tmp_path: Path, name: str) -> None:
    data, code = BAD_FILES[name]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    articles = _read_all(open_source(tmp_path, max_chars=LIMIT))
    assert articles["good.txt"].error is None
    bad = articles[name]
    assert bad.text is None and bad.error is not None
    assert bad.error["code"] == code
    assert bad.error["message"].startswith(f"[{code}]")
    assert name in bad.error["message"]


def test_folder_fingerprint_changes_with_a_file(folder: Path) -> None:
    before = open_source(folder, max_chars=LIMIT).fingerprint()
    assert open_source(folder, max_chars=LIMIT).fingerprint() == before
    (folder / "a.txt").write_text(GOOD + "More.\n", encoding="utf-8")
    assert open_source(folder, max_chars=LIMIT).fingerprint() != before


def _jsonl(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_jsonl_carries_columns_with_inferred_kinds(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "text": GOOD, "source": "blog", "n": 1, "x": 1, "tags": ["a"], "ok": True},
        {"id": 7, "text": GOOD, "source": None, "n": 2, "x": 1.5, "tags": "b", "ok": False},
    ]
    path = _jsonl(tmp_path / "in.jsonl", [json.dumps(r).encode() for r in rows])
    source = open_source(path, max_chars=LIMIT)
    assert isinstance(source, JsonlSource)
    assert source.ids == ["a", "7"]
    assert source.carried == {
        "source": "string",
        "n": "int64",
        "x": "float64",
        "tags": "json",
        "ok": "bool",
    }
    articles = _read_all(source)
    assert articles["7"].carried == {"source": None, "n": 2, "x": 1.5, "tags": "b", "ok": False}
    assert articles["a"].text == GOOD


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b'{"id": "x", "text": null}', "E001"),
        (b'{"id": "x"}', "E001"),
        (b'{"id": "x", "text": ""}', "E001"),
        (b'{"id": "x", "text": 42}', "E079"),
        (b'{"id": "x", "text": ["a"]}', "E079"),
        (b'{"id": "x", "text": "a\\u0000b"}', "E002"),
        (b'{"id": "x", "text": "caf\xe9"}', "E003"),
        (b'{"id": "x", "text": "' + b"w " * LIMIT + b'"}', "E004"),
    ],
)
def test_jsonl_bad_article_becomes_failure(tmp_path: Path, line: bytes, code: str) -> None:
    path = _jsonl(tmp_path / "in.jsonl", [b'{"id": "ok", "text": "Fine text."}', line])
    articles = _read_all(open_source(path, max_chars=LIMIT))
    assert articles["ok"].error is None
    assert articles["x"].error is not None and articles["x"].error["code"] == code
    assert "line 2" in articles["x"].error["message"]


def test_jsonl_invalid_utf8_in_a_carried_column_is_replaced(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "in.jsonl", [b'{"id": "x", "text": "Fine.", "src": "caf\xe9"}'])
    (article,) = _read_all(open_source(path, max_chars=LIMIT)).values()
    assert article.error is None and article.carried == {"src": "caf\ufffd"}


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ([b'{"id": "a", "text": "x"}', b"{not json"], "line 2: not valid JSON"),
        ([b'["a", "b"]'], "line 1: a JSON list, not an object"),
        ([b'{"text": "x"}'], "the id column 'id' is missing"),
        ([b'{"id": "", "text": "x"}'], "the id column 'id' is empty"),
        ([b'{"id": 1.5, "text": "x"}'], "the id column 'id' is a float"),
        ([b""], "no articles"),
    ],
)
def test_jsonl_malformed_input_is_an_error(
    tmp_path: Path, lines: list[bytes], problem: str
) -> None:
    path = _jsonl(tmp_path / "in.jsonl", lines)
    with pytest.raises(CorpusFormatError, match=r"^\[E070\]") as info:
        open_source(path, max_chars=LIMIT)
    assert problem in str(info.value)


def test_duplicate_ids_are_an_error(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "in.jsonl",
        [b'{"id": "a", "text": "x"}', b'{"id": "b", "text": "x"}', b'{"id": "a", "text": "y"}'],
    )
    with pytest.raises(CorpusFormatError, match=r"^\[E071\] 1 article id\(s\).*'a'"):
        open_source(path, max_chars=LIMIT)


def test_stdin_source_reads_the_given_bytes() -> None:
    data = b'{"id": "s1", "body": "Text here."}\n'
    source = open_source("-", stdin=data, text_column="body", max_chars=LIMIT)
    assert source.name == "<stdin>" and source.ids == ["s1"]
    assert [a.text for a in source.articles()] == ["Text here."]
    assert source.fingerprint()["path"] == "-"


def test_parquet_source_keeps_types_and_checks_texts(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import datetime as dt

    table = pa.table(
        {
            "doc": [1, 2, 3],
            "body": [b"Fine text.", "caf\xe9".encode("latin-1"), None],
            "date": [dt.date(2024, 1, 1), dt.date(2024, 1, 2), None],
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    path = tmp_path / "in.parquet"
    source = open_source(path, id_column="doc", text_column="body", max_chars=LIMIT)
    assert source.ids == ["1", "2", "3"]
    assert source.carried == {"date": pa.date32()}
    articles = _read_all(source)
    assert articles["1"].text == "Fine text." and articles["1"].carried["date"] == dt.date(
        2024, 1, 1
    )
    assert articles["2"].error is not None and articles["2"].error["code"] == "E003"
    assert articles["3"].error is not None and articles["3"].error["code"] == "E001"


def test_parquet_source_names_a_missing_column(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"id": ["a"], "body": ["x"]}), tmp_path / "in.parquet")
    with pytest.raises(
        CorpusFormatError, match=r"\[E070\].*no column 'text' \(columns: id, body\)"
    ):
        open_source(tmp_path / "in.parquet", max_chars=LIMIT)


def test_open_source_refuses_unknown_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match=r"^\[E005\]"):
        open_source(tmp_path / "missing.jsonl", max_chars=LIMIT)
    (tmp_path / "in.csv").write_text("id,text\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=r"^\[E070\].*'\.csv'"):
        open_source(tmp_path / "in.csv", max_chars=LIMIT)
    with pytest.raises(ConfigError, match=r"^\[E050\]"):
        open_source(tmp_path, id_column="text", max_chars=LIMIT)

"""run_batch in this process: rows, JSONL and Parquet round trips, resuming, refusals."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from propscope.batch import run_batch
from propscope.batch.rows import ARTICLE_FIELDS, ok_row, span_rows
from propscope.batch.store import RunStore, partial_dir
from propscope.errors import ConfigError, CorpusFormatError, UnknownLabelError
from propscope.pipeline import load
from propscope.results import result_dict
from propscope.types import Document

MODEL = "en-fast"
MAX_CHARS = 2_000
# Invented sentences; each article joins a few of them as paragraphs.
SENTENCES = [
    "The mayor, a reckless fool, wasted our money on his vanity bridge again.",
    "Officials confirmed that the new tram line will open in May.",
    "Only a traitor would vote for this shameful and dangerous bill.",
    "Experts warn that the plan could cost thousands of local jobs.",
    "Wake up, people: they are lying to you every single day!",
    "The committee published its annual report on Tuesday morning.",
    "Everyone knows these corrupt crooks cannot be trusted with anything.",
    "Rainfall was above average for the third month in a row.",
]
#: How far a batch row's scores may be from one article's analysis: articles analysed together
#: are padded and batched together, and in bf16 (chosen on CPUs that run it natively) a matrix
#: product's rounding depends on the batch's shape (0.0005 seen on an AVX-512 BF16 machine; in
#: fp32 the rows are equal).
SCORE_TOLERANCE = 0.005
BAD = [  # (id, text value, expected code)
    ("empty", "   \n", "E001"),
    ("null", None, "E001"),
    ("number", 12, "E079"),
    ("huge", "word " * MAX_CHARS, "E004"),
    ("binary", "a\x00b", "E002"),
]


def article_text(i: int) -> str:
    picks = [SENTENCES[(i * 3 + k) % len(SENTENCES)] for k in range(1 + i % 3)]
    return f"Headline number {i}\n\n" + "\n".join(picks) + "\n"


def corpus_rows(n: int = 6) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"id": f"a{i:02d}", "text": article_text(i), "source": ["blog", "paper"][i % 2], "n": i}
        for i in range(n)
    ]
    for k, (article_id, text, _) in enumerate(BAD):
        bad = {"id": article_id, "text": text, "source": "bad", "n": -1}
        rows.insert(min(len(rows), 1 + 2 * k), bad)
    return rows


def empty_rows(n: int) -> list[dict[str, Any]]:
    """Articles that all fail (E001): the run and resume logic without model time."""
    return [{"id": f"e{i}", "text": ""} for i in range(n)]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def batch(source: Path | str, out: Path, **options: Any) -> Any:
    settings = {"model": MODEL, "lang": "en", "chunk_size": 3, "max_chars": MAX_CHARS}
    return run_batch(source, out, **{**settings, **options})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("batch") / "in.jsonl", corpus_rows())


@pytest.fixture(scope="module")
def baseline(corpus: Path) -> list[dict[str, Any]]:
    """The rows of one uninterrupted run over :func:`corpus`."""
    out = corpus.parent / "baseline.jsonl"
    summary = batch(corpus, out)
    assert summary.articles == 11 and summary.failed == len(BAD) and summary.resumed == 0
    return read_jsonl(out)


class Interrupt(Exception):
    """Stands in for Ctrl-C in the progress callback."""


def interrupt_after(articles: int) -> Any:
    def progress(done: int, total: int) -> None:
        if done >= articles:
            raise Interrupt

    return progress


def assert_rows_close(got: Any, expected: Any, where: str = "row") -> None:
    """``got == expected``, but for floats, which may differ by :data:`SCORE_TOLERANCE`."""
    if isinstance(expected, float) and isinstance(got, float):
        assert got == pytest.approx(expected, abs=SCORE_TOLERANCE), where
    elif isinstance(expected, dict) and isinstance(got, dict):
        assert list(got) == list(expected), where
        for key in expected:
            assert_rows_close(got[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list) and isinstance(got, list):
        assert len(got) == len(expected), where
        for i, (a, b) in enumerate(zip(got, expected, strict=True)):
            assert_rows_close(a, b, f"{where}[{i}]")
    else:
        assert got == expected, where


def test_batch_rows_match_analyze_and_keep_input_order(
    corpus: Path, baseline: list[dict[str, Any]]
) -> None:
    inputs = corpus_rows()
    assert [r["id"] for r in baseline] == [r["id"] for r in inputs]
    pipeline = load(MODEL)
    expected_codes = {article_id: code for article_id, _, code in BAD}
    for given, row in zip(inputs, baseline, strict=True):
        assert list(row) == [*ARTICLE_FIELDS, "source", "n"]
        assert (row["source"], row["n"]) == (given["source"], given["n"])
        if given["id"] in expected_codes:
            assert row["status"] == "failed"
            assert row["error"]["code"] == expected_codes[given["id"]]
            assert row["error"]["message"].startswith(f"[{row['error']['code']}]")
            assert row["text"] is None and row["spans"] == [] and row["zero_shot"] is None
            continue
        document = pipeline.analyze_documents([Document(given["id"], given["text"])])[0]
        carried = {"source": given["source"], "n": given["n"]}
        assert_rows_close(row, {**ok_row(result_dict(document, pipeline)), **carried})
    assert not partial_dir(corpus.parent / "baseline.jsonl").exists()


def test_batch_parquet_output_round_trips(
    corpus: Path, baseline: list[dict[str, Any]], tmp_path: Path
) -> None:
    pd = pytest.importorskip("pandas")
    pq = pytest.importorskip("pyarrow.parquet")
    out, spans_out = tmp_path / "out.parquet", tmp_path / "spans.parquet"
    summary = batch(corpus, out, spans_out=spans_out)
    assert pq.read_table(out).to_pylist() == baseline
    frame = pd.read_parquet(out)
    assert list(frame["id"]) == [r["id"] for r in baseline]
    assert frame["zero_shot"].dropna().tolist() == [False] * summary.ok
    spans = pq.read_table(spans_out).to_pylist()
    assert spans == [s for row in baseline for s in span_rows(row, ["source", "n"])]
    assert len(spans) == summary.spans == sum(len(r["spans"]) for r in baseline)
    assert len(pd.read_parquet(spans_out)) == summary.spans


def test_batch_parquet_input_carries_typed_columns(
    corpus: Path, baseline: list[dict[str, Any]], tmp_path: Path
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import datetime as dt

    rows = [r for r in corpus_rows()[:5] if not isinstance(r["text"], int)]
    table = pa.table(
        {
            "url": [r["id"] for r in rows],
            "body": [r["text"] for r in rows],
            "date": [dt.date(2024, 5, 1 + i) for i in range(len(rows))],
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    batch(tmp_path / "in.parquet", tmp_path / "out.jsonl", id_column="url", text_column="body")
    out = read_jsonl(tmp_path / "out.jsonl")
    expected = {r["id"]: r for r in baseline}
    assert [r["id"] for r in out] == [r["url"] for r in table.to_pylist()]
    for i, row in enumerate(out):
        assert row["date"] == f"2024-05-{1 + i:02d}"
        want = expected[row["id"]]
        assert row["status"] == want["status"]
        if row["status"] == "ok":
            assert {k: row[k] for k in ARTICLE_FIELDS} == {k: want[k] for k in ARTICLE_FIELDS}
        else:
            assert row["error"]["code"] == want["error"]["code"]
    batch(tmp_path / "in.parquet", tmp_path / "out.parquet", id_column="url", text_column="body")
    assert pq.read_table(tmp_path / "out.parquet").schema.field("date").type == pa.date32()


def test_batch_resumes_after_an_interruption(
    corpus: Path, baseline: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    with pytest.raises(Interrupt):
        batch(corpus, out, progress=interrupt_after(6))
    assert not out.exists()
    parts = sorted(p.name for p in partial_dir(out).iterdir())
    assert parts == ["manifest.json", "part-000001.jsonl", "part-000002.jsonl"]
    # The chunk size and --spans-out may change between runs.
    resumed: list[tuple[int, int]] = []
    summary = batch(
        corpus,
        out,
        chunk_size=4,
        spans_out=tmp_path / "spans.jsonl",
        on_resume=lambda done, to_do: resumed.append((done, to_do)),
    )
    assert resumed == [(6, 5)]  # said before any work, not only in the summary
    assert summary.resumed == 6 and summary.processed == 5 and summary.articles == 11
    assert read_jsonl(out) == baseline
    spans = read_jsonl(tmp_path / "spans.jsonl")
    assert spans == [s for row in baseline for s in span_rows(row, ["source", "n"])]
    assert len(spans) == summary.spans and {s["paragraph"] for s in spans} <= {1, 3, 4, 5}
    assert not partial_dir(out).exists()


def test_batch_refuses_to_resume_with_other_options(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "in.jsonl", empty_rows(4))
    out = tmp_path / "out.jsonl"
    with pytest.raises(Interrupt):
        batch(corpus, out, chunk_size=2, progress=interrupt_after(2))
    with pytest.raises(ConfigError, match=r"^\[E074\].*options \(lang\).*--restart"):
        batch(corpus, out, lang="fr")
    with pytest.raises(ConfigError, match=r"^\[E074\].*options \(max_chars\)"):
        batch(corpus, out, max_chars=100)
    summary = batch(corpus, out, lang="fr", restart=True)
    assert summary.resumed == 0 and summary.processed == summary.articles == 4


def test_batch_refuses_to_resume_on_a_changed_input(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", empty_rows(4))
    out = tmp_path / "out.jsonl"
    with pytest.raises(Interrupt):
        batch(source, out, progress=interrupt_after(3))
    write_jsonl(source, empty_rows(5))
    with pytest.raises(ConfigError, match=r"^\[E074\].*input \(size, mtime_ns\)"):
        batch(source, out)


def test_batch_refuses_to_overwrite_a_finished_output(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", empty_rows(2))
    out = tmp_path / "out.jsonl"
    batch(source, out)
    first = out.read_bytes()
    with pytest.raises(ConfigError, match=r"^\[E075\].*a finished run.*--restart"):
        batch(source, out)
    assert not partial_dir(out).exists() and out.read_bytes() == first
    assert batch(source, out, restart=True).processed == 2
    assert out.read_bytes() == first


def test_batch_clears_a_folder_left_by_a_run_killed_while_finishing(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", empty_rows(2))
    out = tmp_path / "out.jsonl"
    batch(source, out)
    leftover = partial_dir(out)  # the manifest is removed first, then the parts
    leftover.mkdir()
    (leftover / "part-000001.jsonl").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^\[E075\].*a finished run"):
        batch(source, out)
    assert not leftover.exists()


def test_batch_removes_temporaries_of_a_killed_run(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", empty_rows(2))
    out, spans_out = tmp_path / "out.jsonl", tmp_path / "spans.jsonl"
    with pytest.raises(Interrupt):
        batch(source, out, chunk_size=1, progress=interrupt_after(1))
    (partial_dir(out) / ".part-000002.jsonl.x1.tmp").write_text("half a ro", encoding="utf-8")
    (tmp_path / ".out.jsonl.x2.tmp").write_text("half an output", encoding="utf-8")
    (tmp_path / ".spans.jsonl.x3.tmp").write_text("half an output", encoding="utf-8")
    summary = batch(source, out, spans_out=spans_out, chunk_size=1)
    assert summary.resumed == 1 and summary.articles == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl", "spans.jsonl"]


def test_batch_refuses_a_second_run_on_the_same_output(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", empty_rows(2))
    out = tmp_path / "out.jsonl"
    locked = pytest.raises(ConfigError, match=r"^\[E075\].*another propscope batch")
    with RunStore(out, "jsonl", {}), locked:
        batch(source, out)
    assert batch(source, out).articles == 2


def test_batch_checks_settings_before_any_work(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Hi.", "status": "new"}])
    out = tmp_path / "out.jsonl"
    with pytest.raises(ConfigError, match=r"^\[E072\] The input column 'status'.*Rename"):
        batch(source, out)
    write_jsonl(source, [{"id": "a", "text": "Hi.", "technique": "x"}])
    assert batch(source, out).articles == 1  # only a span field: fine without --spans-out
    with pytest.raises(ConfigError, match=r"^\[E072\] The input column 'technique'.*span row"):
        batch(source, tmp_path / "out2.jsonl", spans_out=tmp_path / "spans.jsonl")
    with pytest.raises(ConfigError, match=r"^\[E073\].*'\.csv'"):
        batch(source, tmp_path / "out.csv")
    with pytest.raises(ConfigError, match=r"^\[E073\].*'\.json'"):
        batch(source, tmp_path / "o.jsonl", spans_out=tmp_path / "spans.json")
    with pytest.raises(ConfigError, match=r"^\[E075\].*it is the input"):
        batch(source, source, restart=True)
    with pytest.raises(ConfigError, match=r"^\[E050\] Invalid setting --engine"):
        batch(source, tmp_path / "o.jsonl", engine="spark")
    with pytest.raises(ConfigError, match=r"^\[E050\] Invalid setting --address"):
        batch(source, tmp_path / "o.jsonl", address="tcp://x:1")
    with pytest.raises(UnknownLabelError, match=r"^\[E022\]"):
        batch(source, tmp_path / "o.jsonl", lang="xx")
    write_jsonl(source, [{"id": "a", "text": "Hi."}, {"id": "a", "text": "Again."}])
    with pytest.raises(CorpusFormatError, match=r"^\[E071\]"):
        batch(source, tmp_path / "o.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


@pytest.mark.parametrize(
    ("module", "options", "extra"),
    [
        ("pyarrow.parquet", {"out": "out.parquet"}, "batch"),
        ("distributed", {"engine": "dask"}, "dask"),
        ("ray", {"engine": "ray"}, "ray"),
    ],
)
def test_batch_names_the_extra_of_a_missing_package(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    module: str,
    options: dict[str, str],
    extra: str,
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Hi."}])
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    out = tmp_path / options.pop("out", "out.jsonl")
    with pytest.raises(ConfigError, match=rf"^\[E076\].*pip install 'propscope\[{extra}\]'"):
        batch(source, out, **options)


def test_batch_identifies_languages(tmp_path: Path) -> None:
    english = " ".join(SENTENCES[:4])
    french = (
        "Le maire, un imbécile irresponsable, a encore gaspillé notre argent pour son pont. "
        "Les experts préviennent que ce projet pourrait coûter des milliers d'emplois locaux."
    )
    rows = [{"id": "en", "text": english}, {"id": "fr", "text": french}]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    batch(source, tmp_path / "out.jsonl", lang="auto")
    out = {r["id"]: r for r in read_jsonl(tmp_path / "out.jsonl")}
    assert (out["en"]["language"], out["en"]["zero_shot"]) == ("en", False)
    assert (out["fr"]["language"], out["fr"]["zero_shot"]) == ("fr", True)

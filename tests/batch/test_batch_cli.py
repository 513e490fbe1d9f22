"""``propscope batch`` on the command line: summary, progress, standard input, error lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run as run_cli

ARTICLE = "The senator is a corrupt traitor.\n\nThe vote is on Friday.\n"


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: bytes = b"",
) -> tuple[int, str, str]:
    return run_cli(
        ["batch", *args, "--model", "en-fast", "--lang", "en"], capsys, monkeypatch, stdin
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "2024").mkdir(parents=True)
    (root / "2024" / "one.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    return root


def test_cli_batch_prints_progress_and_summary(
    folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out.jsonl"
    code, stdout, stderr = run([str(folder), "--out", str(out)], capsys, monkeypatch)
    assert code == 0, stderr
    assert "articles: 2 (1 analysed, 1 failed)" in stdout
    assert "failures: E001 x1" in stdout and f"wrote {out}" in stdout
    assert "articles/s" in stderr and "2/2" in stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["status"]) for r in rows] == [
        ("2024/one.txt", "ok"),
        ("empty.txt", "failed"),
    ]


def test_cli_batch_reads_jsonl_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.dumps({"doc": "s1", "body": ARTICLE, "url": "https://example.org/1"}) + "\n"
    out = tmp_path / "out.jsonl"
    args = ["-", "-o", str(out), "--id-column", "doc", "--text-column", "body", "--no-progress"]
    code, stdout, stderr = run(args, capsys, monkeypatch, stdin=data.encode())
    assert code == 0, stderr
    assert stderr == "" and "articles: 1 (1 analysed, 0 failed)" in stdout
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (row["id"], row["status"], row["url"]) == ("s1", "ok", "https://example.org/1")
    assert row["text"] == ARTICLE


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--out", "{tmp}/out.csv"], "E073"),
        (["--out", "{tmp}/out.jsonl", "--engine", "spark"], "E050"),
        (["--out", "{tmp}/out.jsonl", "--spans-out", "{tmp}/spans.txt"], "E073"),
    ],
)
def test_cli_batch_bad_settings_give_one_error_line(
    folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    code: str,
) -> None:
    args = [a.format(tmp=tmp_path) for a in args]
    exit_code, stdout, stderr = run([str(folder), *args], capsys, monkeypatch)
    assert exit_code == 2 and stdout == ""
    assert stderr.startswith(f"propscope: error: [{code}]") and stderr.count("\n") == 1


def test_cli_batch_missing_input_is_e005(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, stderr = run(
        [str(tmp_path / "nope"), "--out", str(tmp_path / "o.jsonl")], capsys, monkeypatch
    )
    assert code == 2 and stderr.startswith("propscope: error: [E005]")
    assert not (tmp_path / ".o.jsonl.partial").exists()


def test_progress_rate_counts_this_runs_articles() -> None:
    """The bar's articles/s comes from this run's count and time (rich's own estimate showed
    "--" for minutes while a chunked run updated once a chunk)."""
    from propscope.cli.batch import rate_text

    assert rate_text(0, 0, 3.0) == "-- articles/s"
    assert rate_text(50, 0, 10.0) == "5.00 articles/s"
    assert rate_text(150, 100, 10.0) == "5.00 articles/s"  # a resumed run's earlier articles

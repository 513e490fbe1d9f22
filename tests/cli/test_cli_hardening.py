"""``analyze --out`` and standard input under hostile targets: refused before any analysis."""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path

import pytest

from propscope.cli import main

ARTICLE = "The senator is a corrupt traitor.\nHe voted on the budget today.\n"


def _analyze(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    # The model does not exist: a refusal must come before it would be loaded.
    code = main(["analyze", *args, "--model", "/nonexistent/model", "-f", "json"])
    return code, capsys.readouterr().err


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_cli_out_symlink_refused(
    tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "kept.txt"
    target.write_text("keep me")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    code, err = _analyze([str(article), "--out", str(link)], capsys)
    assert code == 2 and "[E075]" in err and "symbolic link" in err
    assert link.is_symlink() and target.read_text() == "keep me"


def test_cli_out_fifo_refused(
    tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, err = _analyze([str(article), "--out", str(fifo)], capsys)
    assert code == 2 and "[E075]" in err and "not a regular file" in err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_cli_out_device_refused(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _analyze([str(article), "--out", "/dev/null"], capsys)
    assert code == 2 and "[E075]" in err
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_cli_out_folder_refused(
    tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _analyze([str(article), "--out", str(tmp_path)], capsys)
    assert code == 2 and "[E075]" in err and "folder" in err


@pytest.mark.parametrize("spelling", ["same", "dotdot", "link"])
def test_cli_out_equal_to_input_refused(
    spelling: str, tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = article
    if spelling == "dotdot":
        (tmp_path / "sub").mkdir()
        source = tmp_path / "sub" / ".." / article.name
    elif spelling == "link":
        source = tmp_path / "alias.txt"
        source.symlink_to(article)
    code, err = _analyze([str(source), "--out", str(article)], capsys)
    assert code == 2 and "[E075]" in err and "input" in err
    assert article.read_text(encoding="utf-8") == ARTICLE


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_cli_out_unwritable_folder_refused_before_analysis(
    article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nobody, not even root, can create files in /proc.
    code, err = _analyze([str(article), "--out", "/proc/propscope-result.json"], capsys)
    assert code == 2 and "[E075]" in err and "cannot create files" in err


class _Endless(io.RawIOBase):
    """Standard input that never ends (like /dev/zero), counting what was read."""

    def __init__(self, byte: bytes) -> None:
        self.byte = byte
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        buffer[:] = self.byte * len(buffer)
        self.total += len(buffer)
        assert self.total < 10_000_000, "standard input read far past the limit"
        return len(buffer)


@pytest.mark.parametrize(("byte", "code"), [(b"\x00", "E002"), (b"a", "E004")])
def test_cli_analyze_endless_stdin_refused_in_bounded_memory(
    byte: bytes, code: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _Endless(byte)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(raw)))
    exit_code, err = _analyze(["-", "--max-chars", "1000"], capsys)
    assert exit_code == 2 and f"[{code}]" in err
    assert raw.total <= 1000 * 4 + 4 + io.DEFAULT_BUFFER_SIZE


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00binary"), "E050"),
        (lambda p: p.mkdir(), "E008"),
    ],
    ids=["binary", "folder"],
)
def test_cli_train_on_a_non_config_file_is_one_line(
    make: object, code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    make(config)  # type: ignore[operator]
    assert main(["train", str(config), "--out", str(tmp_path / "model")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"propscope: error: [{code}]") and err.count("\n") == 1

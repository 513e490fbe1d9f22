from __future__ import annotations

import os
from pathlib import Path

import pytest

from propscope.errors import InputNotFoundError, InvalidInputError
from propscope.io import atomic_write_bytes, atomic_write_text, read_text


def test_read_text_keeps_crlf_and_bom(resources: Path) -> None:
    text = read_text(resources / "ptc" / "train" / "articles" / "article101.txt")
    assert text.startswith("\ufeff")
    assert "\r\n" in text
    assert "🔥" in text


def test_read_text_missing_file_raises_e005(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputNotFoundError, match=r"\[E005\].*nope\.txt"):
        read_text(missing)


def test_read_text_not_utf8_raises_e003(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\u00e9".encode("latin-1"))
    with pytest.raises(InvalidInputError, match=r"\[E003\].*byte 3"):
        read_text(path)


def test_atomic_write_text_round_trips_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "out.txt"
    text = "\ufeffa\r\nb\n🎉 é"
    atomic_write_text(path, text)
    assert path.read_bytes() == text.encode("utf-8")
    assert read_text(path) == text
    assert sorted(p.name for p in path.parent.iterdir()) == ["out.txt"]


def test_atomic_write_gives_a_normal_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    atomic_write_bytes(path, b"x")
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_atomic_write_failure_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(tmp_path / "out.bin", b"data")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_failure_keeps_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.txt"
    path.write_text("old", encoding="utf-8")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write_text(path, "new")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]

"""propscope's user cache folder, and the encoders' folders in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.models.encoders.cache import encoder_cache_folder, user_cache_dir


def test_user_cache_dir_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PROPSCOPE_CACHE", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "b"))
    assert user_cache_dir() == tmp_path / "a"
    monkeypatch.delenv("PROPSCOPE_CACHE")
    assert user_cache_dir() == tmp_path / "b" / "propscope"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert user_cache_dir() == Path.home() / ".cache" / "propscope"


def test_encoder_folders_keep_their_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders built by earlier versions stay in use: a new place would build them again."""
    monkeypatch.delenv("PROPSCOPE_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    expected = Path.home() / ".cache" / "propscope" / "encoders" / "e5-small-0.3.0-r1"
    assert encoder_cache_folder("e5-small-0.3.0-r1") == expected

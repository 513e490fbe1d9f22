"""Batch input from a folder: its ``.txt`` and ``.html`` files, recursively, one article each."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from propscope.batch.inputs_source import Article, Source
from propscope.batch.rows import error_dict
from propscope.errors import PropscopeError
from propscope.inputs import HTML_SUFFIXES, read_input

TEXT_SUFFIXES = (".txt", *HTML_SUFFIXES)


class FolderSource(Source):
    """``.txt`` and ``.html`` files under a folder, recursively; the id is the relative path."""

    kind = "folder"

    def __init__(self, root: Path, max_chars: int) -> None:
        super().__init__(str(root))
        self.root = root
        self.max_chars = max_chars
        self.paths: dict[str, Path] = {}
        for folder, dirs, files in os.walk(root):
            # Hidden folders (.git, .cache, a run's own .partial folder) are not articles.
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or not name.lower().endswith(TEXT_SUFFIXES):
                    continue
                path = Path(folder) / name
                # A name that is not UTF-8 gets an id with its bad bytes written as \xNN.
                article_id = os.fsencode(path.relative_to(root).as_posix()).decode(
                    "utf-8", "backslashreplace"
                )
                self.paths[article_id] = path
        self.ids = sorted(self.paths)
        self._check_ids()

    def _expected(self) -> str:
        return "a folder with .txt or .html files (searched recursively)"

    def fingerprint(self) -> dict[str, Any]:
        digest = hashlib.sha256()
        for article_id in self.ids:
            try:
                stat = self.paths[article_id].stat()
            except OSError:
                continue
            digest.update(f"{article_id}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return {"kind": self.kind, "path": str(self.root.resolve()), "files": digest.hexdigest()}

    def articles(self, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[Article]:
        for article_id in self.ids:
            if article_id in skip:
                continue
            try:
                text = read_input(str(self.paths[article_id]), max_chars=self.max_chars).text
            except PropscopeError as exc:
                yield Article(article_id, None, error_dict(exc))
                continue
            yield Article(article_id, text)


__all__ = ["TEXT_SUFFIXES", "FolderSource"]

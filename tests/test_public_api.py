"""The public API: what ``import propscope`` offers, and the Python examples of the docs run."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import propscope


def test_all_lists_exactly_the_imported_names(repo: Path) -> None:
    tree = ast.parse((repo / "src" / "propscope" / "__init__.py").read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert set(propscope.__all__) == imported | {"__version__"}
    for name in propscope.__all__:
        assert hasattr(propscope, name), name


def test_import_loads_no_torch() -> None:
    code = "import sys, propscope; print('torch' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.+?)\n```", path.read_text(encoding="utf-8"), flags=re.S)


def test_readme_python_runs_and_finds_spans(repo: Path) -> None:
    """The README's Python example, run as written in a fresh interpreter from the repository."""
    (block,) = _python_blocks(repo / "README.md")
    out = subprocess.run(
        [sys.executable, "-c", block],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        cwd=repo,
    )
    first, *rows = [line.split() for line in out.stdout.splitlines()]
    assert first[0] == "opinion" and first[2:] == ["spans", "shown", "by", "default"]
    assert len(rows) >= 3, "the example is full of loaded language: a working model finds some"
    assert all(int(row[0]) < int(row[1]) for row in rows)
    assert len(rows) >= int(first[1])


def test_every_python_block_of_the_docs_runs(
    repo: Path, tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python in docs/*.md, run as written in a folder holding the batch output it reads
    (made by ``propscope batch`` with a tiny model on two hand-written articles)."""
    import json

    import pandas as pd

    from propscope.batch import run_batch

    articles = tmp_path / "articles.jsonl"
    rows = [
        {"id": "a1", "text": "The senator is a corrupt traitor.", "source": "blog",
         "date": "2026-01-05"},
        {"id": "a2", "text": "These crooks will destroy everything we love.", "source": "wire",
         "date": "2026-02-11"},
    ]  # fmt: skip
    articles.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run_batch(articles, tmp_path / "results.jsonl", model=tiny_model_dir, lang="en")
    run_batch(
        articles,
        tmp_path / "results.parquet",
        spans_out=tmp_path / "spans.parquet",
        model=tiny_model_dir,
        lang="en",
        min_confidence=0,
    )
    assert len(pd.read_parquet(tmp_path / "spans.parquet")) > 0
    monkeypatch.chdir(tmp_path)
    blocks = [b for page in sorted((repo / "docs").glob("*.md")) for b in _python_blocks(page)]
    assert blocks
    for block in blocks:
        exec(compile(block, "<docs>", "exec"), {})  # the docs' own examples

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


@pytest.mark.parametrize("name", ["batch.md"])
def test_docs_python_blocks_are_valid_python(repo: Path, name: str) -> None:
    """Blocks that read a user's batch output are at least valid Python that names real APIs."""
    for block in _python_blocks(repo / "docs" / name):
        tree = ast.parse(block)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("propscope")
            ):
                module = __import__(node.module, fromlist=[a.name for a in node.names])
                for alias in node.names:
                    assert hasattr(module, alias.name), f"{node.module}.{alias.name}"

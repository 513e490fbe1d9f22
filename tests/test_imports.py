"""No import cycle among propscope's modules, function-local imports included (they hid some)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest


def _modules(src: Path) -> dict[str, Path]:
    out = {}
    for path in src.rglob("*.py"):
        name = ".".join(path.relative_to(src).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _target(name: str, modules: dict[str, Path]) -> str:
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def import_graph(src: Path) -> dict[str, set[str]]:
    """Module -> the propscope modules it imports anywhere in its code (an import of a package's
    name from a package counts as an import of that submodule when one exists)."""
    modules = _modules(src)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]  # fmt: skip
            else:
                continue
            graph[name] |= {_target(t, modules) for t in targets if t.startswith("propscope")}
        graph[name].discard(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle(repo: Path) -> None:
    graph = import_graph(repo / "src")
    assert len(graph) > 50 and graph["propscope.pipeline"]
    assert cycles(graph) == []


def test_the_walker_finds_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    package = tmp_path / "propscope"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from propscope.b import x\n")
    (package / "b.py").write_text("def x():\n    from propscope import a\n")
    assert cycles(import_graph(tmp_path)) == [["propscope.a", "propscope.b"]]


def benchmark_cross_imports(benchmarks: Path) -> list[tuple[str, str]]:
    """(script, module) for each benchmark script that imports another script of the folder:
    what they share belongs in the library (``propscope.evaluation``), where it is tested."""
    scripts = {p.stem for p in benchmarks.glob("*.py")}
    found = []
    for path in sorted(benchmarks.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module.split(".")[0]]
            found += [(path.stem, n) for n in names if n in scripts]
    return found


def test_no_benchmark_script_imports_another(repo: Path, tmp_path: Path) -> None:
    assert benchmark_cross_imports(repo / "benchmarks") == []
    # The check finds one.
    (tmp_path / "first.py").write_text("X = 1\n")
    (tmp_path / "second.py").write_text("def f():\n    from first import X\n    return X\n")
    assert benchmark_cross_imports(tmp_path) == [("second", "first")]


@pytest.mark.slow
def test_every_module_imports_on_its_own() -> None:
    # The graph above cannot see the order a package's __init__ runs in: importing a submodule
    # first runs its package's __init__, whose imports may reach back to a module still being
    # initialised. Each module is imported first, in a process of its own.
    import pkgutil

    import propscope

    failed = []
    for info in pkgutil.walk_packages(propscope.__path__, "propscope."):
        run = subprocess.run(
            [sys.executable, "-c", f"import {info.name}"], capture_output=True, text=True
        )
        if run.returncode:
            failed.append(f"{info.name}: {run.stderr.strip().splitlines()[-1]}")
    assert failed == []

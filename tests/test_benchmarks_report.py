"""docs/benchmarks.md is what benchmarks/report.py renders from benchmarks/results/ and the
templates in benchmarks/templates/, and a number missing from the results fails the rendering
instead of printing as nothing. Needs no corpora: only the committed results."""

from __future__ import annotations

import difflib
import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import jinja2
import pytest


@pytest.fixture(scope="module")
def reporting(repo: Path) -> Iterator[ModuleType]:
    """benchmarks/reporting/, imported as benchmarks/report.py imports it (the scripts of
    benchmarks/ run as top-level modules, not as a package)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(repo / "benchmarks"))
        yield importlib.import_module("reporting")


def test_committed_doc_is_the_rendered_report(reporting: ModuleType, repo: Path) -> None:
    rendered = reporting.render(repo / "benchmarks" / "results")
    committed = (repo / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    if rendered != committed:
        diff = difflib.unified_diff(
            committed.splitlines(keepends=True),
            rendered.splitlines(keepends=True),
            "docs/benchmarks.md (committed)",
            "rendered from benchmarks/results/",
            n=1,
        )
        pytest.fail(
            "docs/benchmarks.md differs from what benchmarks/results/ and benchmarks/templates/ "
            "give: run `python benchmarks/report.py` and commit docs/benchmarks.md.\n"
            + "".join(list(diff)[:40])
        )


def test_a_missing_number_raises(reporting: ModuleType, repo: Path, tmp_path: Path) -> None:
    ptc = json.loads((repo / "benchmarks" / "results" / "ptc-dev.json").read_text())
    (tmp_path / "ptc-dev.json").write_text(json.dumps(ptc))
    # The complete result alone renders its section (the others are left out) ...
    assert "| SI F1 (partial overlap) | " in reporting.render(tmp_path)
    # ... and without one of its numbers fails, naming it, instead of an empty table cell.
    del ptc["si_recall"]
    (tmp_path / "ptc-dev.json").write_text(json.dumps(ptc))
    with pytest.raises(jinja2.UndefinedError, match="si_recall"):
        reporting.render(tmp_path)


@pytest.mark.parametrize(
    "expression",
    [
        "{{ row.missing }}",
        "{{ row.missing|fmt }}",
        "{{ row.missing|fmt(1) }}",
        "{{ row.missing|spec('.0%') }}",
        "{{ row.missing|score }}",
        "{{ row.missing|minutes }}",
        "{{ row.missing|interval }}",
        "{{ row.missing|language }}",
        "{{ row.missing|encoder }}",
        "{{ missing }}",
    ],
)
def test_undefined_values_raise_in_every_filter(reporting: ModuleType, expression: str) -> None:
    template = reporting.core.environment().from_string(expression)
    with pytest.raises(jinja2.UndefinedError):
        template.render(row={"present": 0.5})

"""docs/benchmarks.md from the JSON results in benchmarks/results/.

The prose is in benchmarks/templates/ (``benchmarks.md.j2`` and one template per section in
``sections/``); the modules here load the results and compute the values and rows the templates
show, one module per model or topic. ``render(results)`` returns the document;
``python benchmarks/report.py`` writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import accurate, english, genre, highlights, multilingual, taggers, throughput
from .core import environment

__all__ = ["context", "render"]


def context(results: Path) -> dict[str, Any]:
    """The values of every section, by the name its template reads (None: not measured, so
    the section is left out)."""
    return {
        "english_borrowed": english.borrowed(results),
        "en_fast_cv": english.cross_validation(results),
        "genre": genre.context(results),
        "ptc_fast": english.ptc_dev(results),
        "tagger_stride": taggers.stride(results),
        "tagger_retune": taggers.retune(results),
        "tagger_ensemble": taggers.ensemble(results),
        "en_accurate": accurate.context(results),
        "multi_fast": multilingual.context(results),
        "speed": throughput.speed(results),
        "batch_speed": throughput.batch_speed(results),
        "highlights": highlights.context(results),
    }


def render(results: Path) -> str:
    """docs/benchmarks.md as the results in ``results`` give it."""
    return environment().get_template("benchmarks.md.j2").render(context(results))

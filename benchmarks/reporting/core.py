"""What every section of the report shares: reading results, the bundled models' settings, the
published numbers the tables compare with, and the template environment with its filters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

#: A benchmark result as its script wrote it (a JSON object).
Result = dict[str, Any]

BENCHMARKS = Path(__file__).resolve().parents[1]
TEMPLATES = BENCHMARKS / "templates"
BUNDLED = BENCHMARKS.parent / "src" / "propscope" / "resources" / "models"

# Published numbers on the official TEST sets (not comparable one to one with cross-validation on
# train: English SemEval-2023 train is 88% opinion, its dev/test mostly reporting).
ANCHORS = {
    "st1": ("0.78", "best English system, SemEval-2023 Task 3 test (task overview paper)"),
    "st2": ("0.58", "best English system, SemEval-2023 Task 3 test (task overview paper)"),
    "st3": ("0.376", "best English system, SemEval-2023 Task 3 test"),
    "si": ("0.5155", "best system, SemEval-2020 Task 11 test (Hitachi)"),
    "tc": ("0.6207", "best system, SemEval-2020 Task 11 test (ApplicaAI)"),
}
FLOORS = {"st1": 0.45, "st2": 0.60, "st3": 0.30, "si": 0.30, "tc": 0.50}
# Targets of the fine-tuned models issue (5-fold CV on English train; PTC dev).
ACCURATE_TARGETS = {"st1": 0.60, "st2": 0.65, "st3": 0.42, "si": 0.50, "tc": 0.62}
# SemEval-2023 Task 3 subtask 3 (paragraph techniques) best test micro-F1 per language, as given
# (rounded) in the multilingual issue; "-" where it gives none.
ST3_TOPS = {"en": "0.376", "fr": "0.47", "ge": "-", "it": "0.55", "po": "0.43", "ru": "-"}
ST3_TARGET = 0.45
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "ge": "German",
    "it": "Italian",
    "po": "Polish",
    "ru": "Russian",
}
ENCODER_NAMES = {"minilm-l6": "all-MiniLM-L6-v2", "mpnet-base": "all-mpnet-base-v2"}


def load(results: Path, name: str) -> Result | None:
    """``results/NAME.json``, or None where that benchmark has not been run."""
    path = results / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def bundled_json(model: str, name: str = "pipeline.json") -> Result | None:
    """A JSON file of a bundled model's folder (``name`` relative to it), None if absent."""
    path = BUNDLED / model / name
    return json.loads(path.read_text()) if path.is_file() else None


def pipeline_settings(model: str) -> Result:
    """A bundled model's pipeline.json (empty if it has none)."""
    return bundled_json(model) or {}


def with_genre_cv(cv: Result | None, genre: Result | None) -> Result | None:
    """A full CV result with ST1 taken from the genre-only CV run of the same folds
    (benchmarks/cv_genre.py), where there is one: the genre settings were re-tuned after the
    full run."""
    if not cv or not genre:
        return cv
    return {**cv, "st1_macro_f1": genre["st1_macro_f1"], "st1_per_class": genre["st1_per_class"]}


def _defined(value: Any) -> Any:
    """``value``, failing loudly where a template asked for a missing one."""
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()  # StrictUndefined: raises UndefinedError
    return value


def fmt(value: Any, digits: int = 3) -> str:
    """A float with ``digits`` decimals, "n/a" for None, anything else as it prints."""
    value = _defined(value)
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def minutes(seconds: Any) -> str:
    """Seconds as minutes, one decimal."""
    return fmt(_defined(seconds) / 60, 1)


def score(value: Any) -> str:
    """Three decimals, or "-" for None (the genre tables)."""
    value = _defined(value)
    return "-" if value is None else f"{value:.3f}"


def spec(value: Any, format_spec: str) -> str:
    """Python's ``format(value, format_spec)``: ``{{ share|spec(".0%") }}``."""
    return format(_defined(value), format_spec)


def interval(bounds: list[float] | None) -> str:
    """A bootstrap interval as text ("-0.020 to +0.002"), or "(reference)" for the reference
    row (no interval)."""
    bounds = _defined(bounds)
    if not bounds:
        return "(reference)"
    low, high = bounds
    return f"{low:+.3f} to {high:+.3f}"


def language(code: Any) -> str:
    """A SemEval-2023 language code's English name ("ge" -> "German")."""
    code = _defined(code)
    return LANGUAGE_NAMES.get(code, code)


def encoder(name: Any) -> str:
    """An encoder setting's model name ("minilm-l6" -> "all-MiniLM-L6-v2")."""
    name = _defined(name)
    return ENCODER_NAMES.get(name, name)


def environment() -> jinja2.Environment:
    """Templates of benchmarks/templates/, Markdown out (no escaping); a value a template asks
    for and the context lacks raises instead of printing as nothing."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        fmt=fmt,
        minutes=minutes,
        score=score,
        spec=spec,
        interval=interval,
        language=language,
        encoder=encoder,
    )
    env.globals.update(
        anchors=ANCHORS,
        floors=FLOORS,
        accurate_targets=ACCURATE_TARGETS,
        st3_tops=ST3_TOPS,
        st3_target=ST3_TARGET,
    )
    return env

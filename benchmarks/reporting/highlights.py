"""Calibrated span confidences and the default highlights, on the taggers' held-out articles
(benchmarks/span_highlights.py), and what a reader sees (benchmarks/span_reader_view.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .core import Result, load, pipeline_settings

#: The row of the "tried and dropped" table that is not among a result's ``tried`` variants.
EXPLAINED = "paragraph labels explained by their best span (added to the default)"


def context(results: Path) -> dict[str, Any] | None:
    """The section's values; None without benchmarks/span_highlights.py's result."""
    run = load(results, "span-highlights")
    if not run:
        return None
    floors = {name: pipeline_settings(name).get("min_confidence", 0.5) for name in run}
    first = next(iter(run.values()))
    return {
        "run": run,
        # Each model's default floor and what is shown from it.
        "floors": [
            (name, floor, run[name]["after"].get(f"{floor:g}", {}))
            for name, floor in floors.items()
        ],
        "deciles": [
            (first["reliability"][k]["decile"], [r["reliability"][k] for r in run.values()])
            for k in range(10)
        ],
        "tried": _tried(run),
        "pooled_floors": _pooled_floors(run, load(results, "span-highlights-former")),
        "view": load(results, "span-reader-view"),
        "candidates": _candidates(load(results, "span-candidates")),
        "news": load(results, "ptc-highlights"),
        "two_stage": load(results, "span-two-stage"),
        "crf": _crf(results),
    }


def _crf(results: Path) -> list[dict[str, Any]] | None:
    """The PTC-trained taggers with a CRF head against the same taggers with the sigmoid head,
    trained and measured on one machine: per model and head, its PTC dev scores (``propscope
    bench ptc-dev``) and its highlights under its own calibration (ptc_highlights.py)."""
    crf, sigmoid = load(results, "ptc-highlights-crf"), load(results, "ptc-highlights-sigmoid")
    if not crf or not sigmoid:
        return None
    rows = []
    for name in ("en-fast", "en-accurate"):
        key = f"{name}, own calibration"
        if key in crf and key in sigmoid:
            for head, run in (("sigmoid", sigmoid), ("CRF", crf)):
                dev = load(results, f"ptc-dev-{name[3:]}-{head.lower()}")
                rows.append({"model": name, "head": head, "dev": dev, "highlights": run[key]})
    return rows


def _candidates(run: Result | None) -> dict[str, Any] | None:
    """benchmarks/span_candidates.py's rows: per variant, each model's spans shown."""
    if not run:
        return None
    models = list(run)
    variants = [*run[models[0]]["rows"]]
    return {
        "models": [(name, run[name]["floor"], run[name]["held_out_articles"]) for name in models],
        "rows": [(v, [run[name]["rows"].get(v) for name in models]) for v in variants],
    }


def _tried(run: dict[str, Result]) -> list[tuple[str, list[Result]]]:
    """Per variant tried and dropped, its spans from 0.5 in each model."""
    variants = [*next(iter(run.values()))["tried"]]
    if EXPLAINED not in variants:
        variants.append(EXPLAINED)
    return [
        (
            variant,
            [
                result["after_with_paragraph_explanations"]
                if variant.startswith("paragraph labels explained")
                else result["tried"][variant]
                for result in run.values()
            ],
        )
        for variant in variants
    ]


def _pooled_floors(run: dict[str, Result], former: Result | None) -> list[tuple[str, float]] | None:
    """Per floor, the precision of the spans shown from it, pooled over the held-out articles
    of en-fast and of the all-MiniLM-L6-v2 tagger en-accurate had before (their one floor was
    chosen on this; ``former`` is that model's result); None without both."""
    english = [r for r in (run.get("en-fast"), (former or {}).get("en-accurate")) if r]
    if len(english) < 2:
        return None

    def pooled(floor: str) -> float:
        shown = [
            (r["after"][floor]["spans_per_article"] * r["held_out_articles"], r) for r in english
        ]
        right = sum(n * r["after"][floor]["precision"] for n, r in shown)
        return right / max(1e-9, sum(n for n, _ in shown))

    floors = [f for f in english[0]["after"] if all(f in r["after"] for r in english)]
    return [(floor, pooled(floor)) for floor in floors]

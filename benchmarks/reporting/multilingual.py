"""multi-fast's sections: 5-fold CV of its linear models and tagger per language, its paragraph
ensemble on one fold and cross-validated, confident spans added to the paragraph labels, span
decoding tuned on held-out articles, and zero-shot languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .core import Result, load, pipeline_settings

LANGUAGES = ("en", "fr", "ge", "it", "po", "ru")
# Ablation configs of multi-fast's tagger (configs/ablations/NAME.toml) and their columns.
MULTI_TAGGER_COLUMNS = {
    "multi-tagger": "span-F1 thresholds",
    "multi-tagger-rate": "and rare labels by rate (shipped)",
}


def context(results: Path) -> dict[str, Any] | None:
    """multi-fast's sections; None without its three cross-validation runs.

    ``previous``: the CV of the earlier build (language indicator, linear paragraphs; its tagger
    is the shipped one); ``linear``: the CV without the indicator (the ensemble's linear member,
    and the genre and frame models as they were before class offsets and per-language frame
    thresholds); ``genre_frames``: the shipped genre and frame models.
    """
    previous = load(results, "semeval2023-multi-cv")
    linear = load(results, "semeval2023-multi-cv-ablation")
    genre_frames = load(results, "semeval2023-multi-cv-genre-frames")
    if not (previous and linear and genre_frames):
        return None
    return {
        "previous": previous,
        "linear": linear,
        "genre_frames": genre_frames,
        "st1_mean_before": _mean_over(linear, "st1_macro_f1"),
        "st1_mean_after": _mean_over(genre_frames, "st1_macro_f1"),
        "ensemble": _ensemble(results),
        "cv_ensemble": _cv_ensemble(results),
        "span_union": _span_union(results),
        "taggers": _taggers(results, previous),
    }


def _mean_over(result: Result, key: str) -> float:
    """The mean of ``key`` over the languages of a cv_multilingual result."""
    values = [row[key] for row in result["languages"].values()]
    return sum(values) / len(values)


def _ensemble(results: Path) -> dict[str, Any] | None:
    """benchmarks/paragraph_ensemble.py on one fold: the shipped ensemble and its members, with
    its encoder reading 256 tokens (``longer``), and trained on one language (``alone``)."""
    ensemble = load(results, "paragraph-ensemble-multi")
    if not ensemble:
        return None
    longer = load(results, "paragraph-ensemble-multi-256")
    alone = {lang: r for lang in LANGUAGES if (r := load(results, f"paragraph-ensemble-{lang}"))}
    shipped = ensemble["st3_micro_f1_ensemble"]
    return {
        "run": ensemble,
        "by_language": ensemble.get("st3_micro_f1_ensemble_per_language_thresholds", {}),
        "thresholds": ensemble.get("per_language_thresholds", {}),
        "longer": longer,
        "longer_scores": (longer or {}).get("st3_micro_f1_ensemble", {}),
        "alone": alone,
        "moved": max(
            abs(longer["st3_micro_f1_ensemble"][lang] - shipped[lang])
            for lang in ensemble["languages"]
        )
        if longer
        else None,
    }


def _cv_ensemble(results: Path) -> dict[str, Any] | None:
    """The shipped multi-fast config (paragraph ensemble) cross-validated, on the folds done."""
    cv = load(results, "semeval2023-multi-cv-ensemble")
    if not cv:
        return None
    scored = cv.get("folds_scored", list(range(cv["folds"])))
    return {
        "run": cv,
        "folds_scored": [k + 1 for k in scored],
        "complete": len(scored) == cv["folds"],
        "fit_minutes": next(iter(cv["languages"].values()))["fit_minutes_per_fold"],
    }


def _span_union(results: Path) -> dict[str, Any] | None:
    """multi-fast's paragraph ensemble plus the techniques of confident spans, on CV folds."""
    run = load(results, "span-min-score-multi")
    if not run:
        return None
    settings = pipeline_settings("multi-fast")
    min_score = settings.get("span_paragraph_min_score")
    if settings.get("paragraph_source") != "union" or not min_score:
        return None
    return {
        "run": run,
        "folds_scored": [k + 1 for k in run["folds_scored"]],
        "min_score": min_score,
        "shown": ("0.0", str(min_score), "0.5"),
    }


def _taggers(results: Path, previous: Result) -> dict[str, Any] | None:
    """multi-fast's tagger, thresholds for token F1 (the earlier CV) against the ablations of
    MULTI_TAGGER_COLUMNS measured (by config name), on the same fold's articles."""
    taggers = {
        n: r
        for n in MULTI_TAGGER_COLUMNS
        if (r := load(results, f"semeval2023-multi-cv-{n.removeprefix('multi-')}"))
    }
    if not taggers:
        return None
    tagger = next(iter(taggers.values()))
    return {
        "names": list(taggers),
        "columns": [MULTI_TAGGER_COLUMNS[name] for name in taggers],
        "tagger_folds": tagger["tagger_folds"],
        "folds_scored": [k + 1 for k in tagger["folds_scored"]],
        "rows": [
            {
                "lang": lang,
                "runs": [
                    previous["languages"].get(lang, {}),
                    *(t["languages"][lang] for t in taggers.values()),
                ],
                "articles": row.get("span_articles", 0),
            }
            for lang, row in tagger["languages"].items()
        ],
        "epoch_minutes": next(iter(tagger["languages"].values())).get("tagger_minutes_per_epoch"),
    }

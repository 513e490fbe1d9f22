"""en-accurate's sections: its cross-validation beside en-fast's, the paragraph ensemble's
members, paragraph labels on shorter paragraphs (both English models) and PTC dev."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .core import Result, bundled_json, load, with_genre_cv


def context(results: Path) -> dict[str, Any] | None:
    """en-accurate beside en-fast (its CV, ST1 from its genre-only run): CV, the
    paragraph-ensemble ablation, shorter paragraphs, PTC dev."""
    full = load(results, "semeval2023-en-cv-accurate")
    if not full:
        return None
    genre = load(results, "semeval2023-en-cv-genre-accurate")
    fast = with_genre_cv(
        load(results, "semeval2023-en-cv"), load(results, "semeval2023-en-cv-genre")
    )
    return {
        "cv": with_genre_cv(full, genre),
        "fast": fast or {},
        "linear": load(results, "semeval2023-en-cv-linear-e5") or {},
        "tagger_folds": full.get("tagger_folds", full["folds"]),
        # The genre model changed after the full run: its ST1 is quoted beside the genre run's.
        "full_run_st1": full["st1_macro_f1"] if genre else None,
        "members": load(results, "paragraph-ensemble"),
        "density": _paragraph_density(results),
        "ptc": _ptc_dev(results),
        # English dev with the all-mpnet-base-v2 tagger (benchmarks/label_density.py).
        "dev_density": (load(results, "label-density-en-dev-mpnet") or {}).get("models"),
        "dev_density_before": (load(results, "label-density-en-dev-borrowed") or {}).get("models"),
    }


def _paragraph_density(results: Path) -> dict[str, Any] | None:
    """Paragraph sources of both English models on CV folds, with only confident spans too, and
    how many techniques each gives English dev's (shorter) paragraphs."""
    density = load(results, "label-density-en-dev")
    accurate = load(results, "span-min-score-accurate")
    fast = load(results, "span-min-score-fast")
    # en-fast on further folds, not used to choose the minimum score.
    later = [
        (k, run)
        for k in range(2, 6)
        if (run := load(results, f"span-min-score-fast-fold{k}")) is not None
    ]
    if not density or not accurate or not fast:
        return None
    return {
        "density": density,
        "readme": density.get("readme_en_dev", {}),
        "fast": fast,
        "accurate": accurate,
        "later": later,
        "grid": list(fast["union_min_score"]),
        "shipped": _shipped_accurate(),
    }


def _shipped_accurate() -> Result:
    """en-accurate's pipeline.json, which must exist."""
    settings = bundled_json("en-accurate")
    if settings is None:
        raise FileNotFoundError("src/propscope/resources/models/en-accurate/pipeline.json")
    return settings


def _ptc_dev(results: Path) -> dict[str, Any] | None:
    """The accurate tagger and span classifier on PTC dev, beside the fast and mpnet ones."""
    ptc = load(results, "ptc-dev-accurate")
    if not ptc:
        return None
    mpnet_runs = (load(results, "tagger-retune-mpnet") or {}).get("runs", {})
    seconds = ptc["train_seconds"]
    return {
        "run": ptc,
        "fast": load(results, "ptc-dev") or {},
        "encoder_tc": load(results, "ptc-dev-accurate-encoder-tc") or {},
        "mpnet_tc": load(results, "ptc-dev-mpnet-tc") or {},
        "mpnet_si": mpnet_runs.get("span F1 and hysteresis", {}),
        "span_classifier_minutes": seconds.get("span_classifier", 0) / 60,
        "tagger_minutes": seconds.get("tagger", 0) / 60,
        "epoch_seconds": seconds.get("tagger_epoch_seconds", []),
    }

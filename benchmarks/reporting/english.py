"""en-fast's sections: why the English models borrow multi-fast's classifiers, en-fast's
cross-validation on SemEval-2023 English train, and its tagger and span classifier on PTC dev."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .core import Result, load, pipeline_settings, with_genre_cv

#: Measured outside this repository on SemEval-2023 English dev (83 articles; its gold labels
#: are not in shared/) and quoted in issue 22: (paragraph techniques micro-F1, frames micro-F1)
#: of the models as they were before the English models borrowed multi-fast's classifiers.
ENGLISH_DEV_QUOTED = {
    "en-fast": (0.29, 0.63),
    "en-accurate": (0.36, 0.69),
    "multi-fast": (0.39, 0.70),
}


def borrowed(results: Path) -> dict[str, Any] | None:
    """The English models' own paragraph and frame classifiers against multi-fast's (CV and the
    quoted English dev figures), and how many techniques each gives English dev's paragraphs."""
    fast = load(results, "semeval2023-en-cv")
    accurate = load(results, "semeval2023-en-cv-accurate")
    multi = load(results, "semeval2023-multi-cv-ensemble")
    if not (fast and accurate and multi):
        return None
    return {
        "fast": fast,
        "accurate": accurate,
        "multi": multi["languages"]["en"],
        "dev_quoted": ENGLISH_DEV_QUOTED,
        "density": _borrowed_density(results),
    }


def _borrowed_density(results: Path) -> dict[str, Any] | None:
    """Techniques per English dev paragraph, before and after borrowing (no labels needed)."""
    before = load(results, "label-density-en-dev")
    after = load(results, "label-density-en-dev-borrowed")
    if not (before and after):
        return None
    return {
        "before": before["models"],
        "after": after["models"],
        "gold": after.get("readme_en_dev", {}).get("labels_per_paragraph"),
    }


def _at_shipped_min_score(run: Result | None, settings: Result) -> Result | None:
    """A benchmarks/span_min_score.py row (classifier plus spans at least as confident as the
    model's ``span_paragraph_min_score``), if the model adds only confident spans and the run
    has that column; else None."""
    min_score = settings.get("span_paragraph_min_score")
    if not run or settings.get("paragraph_source") != "union" or not min_score:
        return None
    row: Result | None = run["union_min_score"].get(str(min_score))
    return row


def cross_validation(results: Path) -> dict[str, Any] | None:
    """en-fast's 5-fold CV, ST1 from the genre-only run of the same folds where there is one."""
    full = load(results, "semeval2023-en-cv")
    if not full:
        return None
    genre_cv = load(results, "semeval2023-en-cv-genre")
    settings = pipeline_settings("en-fast")
    min_score = settings.get("span_paragraph_min_score")
    changed = genre_cv and abs(genre_cv["st1_macro_f1"] - full["st1_macro_f1"]) > 1e-9
    return {
        "cv": with_genre_cv(full, genre_cv),
        # The row marked shipped; a union with only the confident spans is none of them.
        "source": settings.get("paragraph_source", "classifier") if not min_score else None,
        "min_score": min_score,
        # The classifier plus only the confident spans, pooled over all five folds.
        "confident": _at_shipped_min_score(load(results, "span-min-score-fast-5fold"), settings),
        "full_run_st1": full["st1_macro_f1"] if changed else None,
        "minilm": load(results, "semeval2023-en-cv-linear-minilm"),
    }


def ptc_dev(results: Path) -> dict[str, Any] | None:
    """The fast tagger and span classifier trained on PTC train, on PTC dev."""
    ptc = load(results, "ptc-dev")
    if not ptc:
        return None
    seconds = ptc["train_seconds"]
    return {
        "run": ptc,
        "span_classifier_minutes": seconds.get("span_classifier", 0) / 60,
        "tagger_minutes": seconds.get("tagger", 0) / 60,
        "reused": ptc.get("reused", {}),
    }

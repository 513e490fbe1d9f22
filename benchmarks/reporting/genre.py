"""The genre section ("Genre on articles unlike train's", under en-fast's cross-validation), from
the results of benchmarks/cv_genre.py (the evaluation protocol) and ``propscope bench sanity``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .core import Result, load

GENRES = ("reporting", "opinion", "satire")
#: Genre counts of English dev, from the data README (its labels are not in shared/).
README_DEV_GENRES = {"reporting": 54, "opinion": 20, "satire": 9}
SCHEMES = (
    ("random", "random folds"),
    ("random-reflowed", "random, reflowed"),
    ("topics", "unseen topics"),
    ("topics-reflowed", "topics, reflowed"),
    ("random-excerpt", "random, first 150 words"),
    ("topics-excerpt", "topics, first 150 words"),
    ("languages", "leave-one-language-out"),
)
#: (result file, what it is, the command that made it, a note after the command)
RUNS = (
    (
        "genre-protocol-en-fast-before",
        "en-fast and en-accurate before: masked character n-grams, English only",
        "python benchmarks/cv_genre.py --config configs/en-fast.toml --data-dir ../shared/data "
        "--unlabelled-split dev --out benchmarks/results/genre-protocol-en-fast-before.json",
        ' (configs/en-fast.toml of commit 88525d3, with `genre_prior = "news"` and '
        "`genre_min_score = 0.5` added to `[pipeline]` for the deployed rows)",
    ),
    (
        "genre-protocol-with-length",
        "shipped 2026-12-02 to 12-03: with the article's length among the style statistics",
        "python benchmarks/cv_genre.py --config configs/multi-fast.toml --data-dir "
        "../shared/data --unlabelled-split dev --schemes random topics --out "
        "benchmarks/results/genre-protocol-with-length.json",
        " (at commit 4e480fe, the [genre] settings of all three models then)",
    ),
    (
        "genre-protocol-excerpt-training",
        "without the length, and each article's first 150 words learned too (not shipped)",
        "python benchmarks/cv_genre.py --config configs/multi-fast.toml --data-dir "
        "../shared/data --unlabelled-split dev --schemes random topics --set excerpt_words=150 "
        "--out benchmarks/results/genre-protocol-excerpt-training.json",
        " (the [genre] settings shipped since 2026-12-03, plus the excerpts)",
    ),
    (
        "genre-protocol-encoder",
        "a fine-tuned multilingual e5-small instead (tried on 2026-12-03, not shipped)",
        "python benchmarks/cv_genre.py --config configs/ablations/multi-fast-genre-encoder.toml "
        "--data-dir ../shared/data --unlabelled-split dev --schemes topics --out "
        "benchmarks/results/genre-protocol-encoder.json",
        " (LoRA on e5-small's upper 4 layers, each article's first 254 tokens, 3 epochs; run"
        " with the same settings through cv_genre.py's former --encoder flag)",
    ),
    (
        "genre-protocol-en-fast",
        "shipped in all three models: without the length",
        "python benchmarks/cv_genre.py --config configs/en-fast.toml --data-dir ../shared/data "
        "--unlabelled-split dev --out benchmarks/results/genre-protocol-en-fast.json",
        "",
    ),
)
CUT_COMMAND = (
    "python benchmarks/cv_genre.py --config configs/multi-fast.toml --data-dir ../shared/data "
    "--unlabelled-split dev --schemes random topics --probabilities runs/genre-proba.json "
    "--out runs/genre-cv.json; python benchmarks/genre_cut.py --probabilities "
    "runs/genre-proba.json --out benchmarks/results/genre-cut.json"
)
#: SemEval-2023 folder codes of the languages, as multi-fast's CV result names them.
_FOLDERS = {"en": "en", "fr": "fr", "de": "ge", "it": "it", "pl": "po", "ru": "ru"}


def context(results: Path) -> dict[str, Any] | None:
    """The section's values; None without the shipped model's protocol run."""
    runs = [
        {"label": label, "command": command, "note": note, "run": run}
        for name, label, command, note in RUNS
        if (run := load(results, name)) is not None
    ]
    shipped = load(results, RUNS[-1][0])
    if shipped is None:
        return None
    return {
        "genres": GENRES,
        "scheme_titles": [title for _, title in SCHEMES],
        "readme_dev": README_DEV_GENRES,
        "runs": runs,
        "scores": [
            {"label": r["label"], "kind": kind, "cells": _score_cells(r["run"], kind)}
            for r in runs
            for kind in ("raw", "deployed")
        ],
        "dev_languages": list(shipped["unlabelled"]["by_language"]),
        "multi_before": _multi_before(results, shipped),
        "sanity": _sanity(results),
        "variants": load(results, "genre-protocol-variants"),
        "blend": load(results, "genre-blend"),
        "shipped_cut": shipped["genre_min_score"],
        "cut": {**(load(results, "genre-cut") or {"rows": []}), "command": CUT_COMMAND},
        "satire_gate": load(results, "genre-satire-gate"),
    }


def _macro_f1(run: Result, scheme: str, kind: str, lang: str | None) -> float | None:
    scores = run["schemes"].get(scheme, {}).get(kind)
    if scores is None:
        return None
    part = scores["by_language"].get(lang) if lang else scores["all"]
    return part["macro_f1"] if part else None


def _score_cells(run: Result, kind: str) -> list[tuple[float | None, float | None]]:
    """(English, pooled over the languages: None for an English-only model) macro-F1 per
    scheme."""
    single = len(run["train_languages"]) == 1
    return [
        (
            _macro_f1(run, scheme, kind, "en"),
            None if single else _macro_f1(run, scheme, kind, None),
        )
        for scheme, _ in SCHEMES
    ]


def _multi_before(results: Path, shipped: Result) -> dict[str, Any] | None:
    """multi-fast's genre before (its own 5-fold CV per language, other folds) beside the
    shipped one's random and topic folds, raw."""
    before = load(results, "semeval2023-multi-cv-genre-frames")
    random = shipped["schemes"].get("random", {}).get("raw")
    topics = shipped["schemes"].get("topics", {}).get("raw")
    if not before or not random or not topics:
        return None
    codes = list(random["by_language"])
    return {
        "codes": codes,
        "before": [before["languages"][_FOLDERS[c]]["st1_macro_f1"] for c in codes],
        "random": [random["by_language"][c]["macro_f1"] for c in codes],
        "topics": [topics["by_language"][c]["macro_f1"] for c in codes],
    }


def _call(row: dict[str, Any]) -> str:
    """An article's genre, and how many spans it shows by default where that was recorded."""
    return f"{row['genre']} ({row['highlights']})" if "highlights" in row else str(row["genre"])


def _sanity(results: Path) -> list[dict[str, Any]] | None:
    """Per model: how many of the sanity articles it calls right, now and before."""
    before, after = load(results, "genre-sanity-before"), load(results, "genre-sanity")
    if not after:
        return None
    rows = []
    for model, calls in after.items():
        mine = {k: v for k, v in calls.items() if model == "multi-fast" or k.startswith("en-")}
        old = (before or {}).get(model, {})
        langs = dict.fromkeys(k.split("-")[0] for k in mine)
        rows.append(
            {
                "model": model,
                "right": sum(v["genre"] == v["expected"] for v in mine.values()),
                "right_before": sum(
                    v["genre"] == v["expected"] for k, v in old.items() if k in mine
                ),
                "had_before": bool(old),
                "articles": len(mine),
                "calls": [
                    (lang, [_call(mine[f"{lang}-{g}"]) for g in GENRES if f"{lang}-{g}" in mine])
                    for lang in langs
                ],
            }
        )
    return rows

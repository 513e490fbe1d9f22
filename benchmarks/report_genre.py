"""The genre section of docs/benchmarks.md ("Genre on articles unlike train's"), from the results
of benchmarks/cv_genre.py (the evaluation protocol) and benchmarks/sanity_genre.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GENRES = ("reporting", "opinion", "satire")
#: Genre counts of English dev, from the data README (its labels are not in shared/).
README_DEV_GENRES = {"reporting": 54, "opinion": 20, "satire": 9}
SCHEMES = (
    ("random", "random folds"),
    ("random-reflowed", "random, reflowed"),
    ("topics", "unseen topics"),
    ("topics-reflowed", "topics, reflowed"),
    ("languages", "leave-one-language-out"),
)
#: (result file, what it is, the command that made it)
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
        "genre-protocol-en-fast",
        "shipped in all three models",
        "python benchmarks/cv_genre.py --config configs/en-fast.toml --data-dir ../shared/data "
        "--unlabelled-split dev --out benchmarks/results/genre-protocol-en-fast.json",
        "",
    ),
)


def _load(results: Path, name: str) -> dict[str, Any] | None:
    path = results / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _counts(counts: dict[str, int] | None, uncertain: bool = True) -> str:
    counts = counts or {}
    text = " / ".join(str(counts.get(g, 0)) for g in GENRES)
    return text + (f" / {counts.get('uncertain', 0)}" if uncertain else "")


def _score_cells(run: dict[str, Any], kind: str, lang: str | None) -> list[str]:
    cells = []
    for scheme, _ in SCHEMES:
        scores = run["schemes"].get(scheme, {}).get(kind)
        if scores is None:
            cells.append("-")
            continue
        part = scores["by_language"].get(lang) if lang else scores["all"]
        cells.append(_f(part["macro_f1"]) if part else "-")
    return cells


def genre_section(results: Path) -> list[str]:
    """The section's lines; empty without the shipped model's protocol run."""
    runs = [(name, label, cmd + note, _load(results, name)) for name, label, cmd, note in RUNS]
    shipped = runs[-1][3]
    if shipped is None:
        return []
    lines = [
        "### Genre on articles unlike train's",
        "",
        "Train is 83% opinion (English 88%); English dev and real news are mostly reports. A genre",
        "model chosen on random folds of train learns train's topics, sources and line layout, and",
        "its prior. The genre models are chosen with the protocol of",
        "`propscope.evaluation.protocol`, on the genre labels of all six languages' train sets:",
        "random folds (for comparison); **unseen topics** (the articles of each language clustered",
        "into five groups by k-means over TF-IDF, each group held out once, so no test article",
        "shares its topic cluster with a training one); each of these with the test articles",
        "**reflowed** to one sentence per line (sources cut articles into lines differently); and",
        "**leave-one-language-out** (trained on five languages, tested on the sixth).",
        "",
        "Each model is scored twice: **raw**, the most probable genre of the model's own",
        "probabilities (balanced class weights: a uniform prior); **deployed**, what the",
        "pipeline returns: the probabilities moved to the news prior (reporting 0.70, opinion",
        "0.25, satire 0.05; docs/output.md) and `uncertain` (counted wrong) under 0.5. The folds'",
        "gold is train's (83% opinion), which favours raw; `@news` is the macro-F1 expected at the",
        "news prior from the same predictions (each gold genre's confusion row weighted by its",
        "prior share: `protocol.macro_f1_at_prior`), nearer to a news stream such as English dev.",
        "",
        "The ST1 row of en-fast's cross-validation table above is the genre model before this",
        "change (English only, no prior), on that table's folds.",
        "",
        "Commands:",
        "",
    ]
    for _, label, cmd, run in runs:
        if run is not None:
            command, _, note = cmd.partition(" (")
            lines += [f"- {label}: `{command}`" + (f" ({note}" if note else "")]
    lines += [
        "",
        "Macro-F1 of English train articles (the pooled six languages in brackets):",
        "",
        "| genre model | decision | " + " | ".join(title for _, title in SCHEMES) + " |",
        "|---|---|" + "---|" * len(SCHEMES),
    ]
    for _, label, _, run in runs:
        if run is None:
            continue
        for kind in ("raw", "deployed"):
            english = _score_cells(run, kind, "en")
            pooled = _score_cells(run, kind, None)
            cells = [
                e if p == "-" or len(run["train_languages"]) == 1 else f"{e} ({p})"
                for e, p in zip(english, pooled, strict=True)
            ]
            lines.append(f"| {label} | {kind} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Per language, unseen topics, deployed (raw in brackets), `@news` and recall of reports:",
        "",
        "| genre model | language | macro-F1 | @news | reporting recall | opinion recall "
        "| satire recall |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, label, _, run in runs:
        if run is None or "topics" not in run["schemes"]:
            continue
        deployed = run["schemes"]["topics"]["deployed"]["by_language"]
        raw = run["schemes"]["topics"]["raw"]["by_language"]
        for lang, scores in deployed.items():
            recall = "|".join(
                f" {_f(scores['recall'][g])} ({_f(raw[lang]['recall'][g])}) " for g in GENRES
            )
            lines.append(
                f"| {label} | {lang} | {_f(scores['macro_f1'])} ({_f(raw[lang]['macro_f1'])}) "
                f"| {_f(scores.get('macro_f1_at_prior'))} |{recall}|"
            )
    lines += [
        "",
        "Genres predicted for the **dev** articles (labels not in shared/) by each model trained",
        "on all of train, deployed (raw in brackets), as reporting / opinion / satire /",
        f"uncertain; the data README counts English dev as {_counts(README_DEV_GENRES, False)}:",
        "",
        "| genre model | " + " | ".join(shipped["unlabelled"]["by_language"]) + " |",
        "|---|" + "---|" * len(shipped["unlabelled"]["by_language"]),
    ]
    for _, label, _, run in runs:
        if run is None or "unlabelled" not in run:
            continue
        by_language = run["unlabelled"]["by_language"]
        cells = [
            f"{_counts(by_language[lang]['deployed'])} ({_counts(by_language[lang]['raw'], False)})"
            if lang in by_language
            else "-"
            for lang in shipped["unlabelled"]["by_language"]
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", *_multi_before_lines(results, shipped)]
    lines += [*_sanity_lines(results), *_variants_lines(results)]
    return lines


#: SemEval-2023 folder codes of the languages, as multi-fast's CV result names them.
_FOLDERS = {"en": "en", "fr": "fr", "de": "ge", "it": "it", "pl": "po", "ru": "ru"}


def _multi_before_lines(results: Path, shipped: dict[str, Any]) -> list[str]:
    """multi-fast's genre before (its own 5-fold CV per language, other folds) beside the
    shipped one's random and topic folds, raw."""
    before = _load(results, "semeval2023-multi-cv-genre-frames")
    random = shipped["schemes"].get("random", {}).get("raw")
    topics = shipped["schemes"].get("topics", {}).get("raw")
    if not before or not random or not topics:
        return []
    codes = list(random["by_language"])
    lines = [
        "multi-fast's genre model before (character n-grams of the words, e5 line embeddings,",
        "class offsets; its cross-validation in the multilingual section, other random folds; it",
        "was not run on the protocol here: embedding every line of train with e5 did not fit in",
        "this machine's time) beside the shipped one, raw decision, per language:",
        "",
        "| | " + " | ".join(codes) + " |",
        "|---|" + "---|" * len(codes),
        "| multi-fast before, random folds | "
        + " | ".join(_f(before["languages"][_FOLDERS[c]]["st1_macro_f1"]) for c in codes)
        + " |",
        "| shipped, random folds | "
        + " | ".join(_f(random["by_language"][c]["macro_f1"]) for c in codes)
        + " |",
        "| shipped, unseen topics | "
        + " | ".join(_f(topics["by_language"][c]["macro_f1"]) for c in codes)
        + " |",
        "",
    ]
    return lines


def _sanity_lines(results: Path) -> list[str]:
    before, after = _load(results, "genre-sanity-before"), _load(results, "genre-sanity")
    if not after:
        return []
    lines = [
        "**Sanity suite**: 18 short articles written for the project (tests/resources/sanity/: a",
        "wire-style report, an opinion piece full of name calling, doubt and loaded language, and",
        "a satire in each of en, fr, de, it, pl, ru; not tuned on). What each bundled model calls",
        "them (`python benchmarks/sanity_genre.py --out benchmarks/results/genre-sanity.json`;",
        "English models on English, multi-fast on all six), as written / all:",
        "",
        "| model | before | now | now, per article (report, opinion, satire) |",
        "|---|---|---|---|",
    ]
    for model, calls in after.items():
        mine = {k: v for k, v in calls.items() if model == "multi-fast" or k.startswith("en-")}
        right = sum(v["genre"] == v["expected"] for v in mine.values())
        old = (before or {}).get(model, {})
        old_right = sum(v["genre"] == v["expected"] for k, v in old.items() if k in mine)
        langs = dict.fromkeys(k.split("-")[0] for k in mine)
        per = "; ".join(
            f"{lang}: "
            + ", ".join(mine[f"{lang}-{g}"]["genre"] for g in GENRES if f"{lang}-{g}" in mine)
            for lang in langs
        )
        lines.append(
            f"| {model} | {old_right} / {len(mine) if old else '-'} | {right} / {len(mine)} "
            f"| {per} |"
        )
    return [*lines, ""]


def _variants_lines(results: Path) -> list[str]:
    variants = _load(results, "genre-protocol-variants")
    if not variants:
        return []
    lines = [
        "**Settings compared** (deployed decision; `@news` on folds of unseen topics, English and",
        "the mean of the six languages; reporting recall of English articles on those folds;",
        "leave-one-language-out raw macro-F1 pooled over languages, where run; the English dev",
        f"articles' predicted reporting / opinion / satire / uncertain). `{variants['command']}`:",
        "",
        "| setting | English @news | mean @news | English reporting recall "
        "| leave-one-language-out, raw | English dev |",
        "|---|---|---|---|---|---|",
    ]
    for row in variants["rows"]:
        lines.append(
            f"| {row['setting']} | {_f(row['topics_en_at_news'])} "
            f"| {_f(row['topics_mean_at_news'])} | {_f(row['topics_en_reporting_recall'])} "
            f"| {_f(row.get('languages_raw'))} | {_counts(row['dev_en'])} |"
        )
    return [*lines, "", *variants.get("notes", []), ""]

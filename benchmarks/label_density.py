"""How many techniques each model gives a paragraph of a split whose labels need not be known.

English dev's paragraphs are about half as long as train's, and a paragraph classifier tuned on
train folds may then label far fewer of them than annotators did; the spans of a token tagger do
not depend on where a paragraph ends. This script predicts the split as ``propscope predict
semeval2023`` does and counts, over the template's paragraphs, the share with any technique and
the techniques per paragraph, beside the gold counts of train and (for English dev, whose labels
are not in shared/) the totals of the data README's per-technique table:

    python benchmarks/label_density.py --data-dir ../shared/data --split dev \\
        --models en-fast en-accurate en-accurate:union \\
        --out benchmarks/results/label-density-en-dev.json

A model is a bundled name or a folder, optionally with ``:SOURCE`` to take its paragraph labels
from ``classifier``, ``spans`` or ``union`` instead of its own setting, and ``@MIN`` to count only
spans scoring at least MIN (``span_paragraph_min_score``), e.g. ``en-accurate:union@0.3``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

#: English dev in the data README: 3127 template paragraphs, and the "en dev paragraphs" column
#: of its technique table sums to 1666 (paragraph, technique) pairs.
README_EN_DEV = {"paragraphs": 3127, "labels": 1666}


def _density(rows: dict[tuple[str, int], list[str]]) -> dict[str, float]:
    n = max(1, len(rows))
    return {
        "paragraphs": len(rows),
        "share_with_any": sum(bool(v) for v in rows.values()) / n,
        "labels_per_paragraph": sum(len(v) for v in rows.values()) / n,
    }


def _median_words(split: Any) -> float:
    """The median number of words of the split's template paragraphs."""
    from propscope.types import split_paragraphs

    words: dict[str, dict[int, int]] = {}  # article -> paragraph number -> words
    for article_id in dict.fromkeys(article_id for article_id, _ in split.template):
        text = split.documents[article_id].text
        words[article_id] = {
            p.index: len(text[p.start : p.end].split()) for p in split_paragraphs(text)
        }
    lengths = [
        words[article_id][number]
        for article_id, number in split.template
        if number in words[article_id]
    ]
    return statistics.median(lengths) if lengths else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--models", nargs="+", required=True, metavar="MODEL[:SOURCE]")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from propscope.corpora.semeval2023 import load_split, read_subtask3
    from propscope.language import SEMEVAL_CODES
    from propscope.model_choice import ModelChooser
    from propscope.tasks import predict_semeval2023

    split = load_split(args.data_dir / "semeval2023-task3", args.lang, args.split)
    train = load_split(args.data_dir / "semeval2023-task3", args.lang, "train")
    gold_train = {
        (i, p.index): p.technique_names()
        for i in train.ids_by_subtask[3]
        for p in train.documents[i].paragraphs
    }
    result: dict[str, Any] = {
        "lang": args.lang,
        "split": args.split,
        "median_words_per_paragraph": {
            args.split: _median_words(split),
            "train": _median_words(train),
        },
        "gold_train": _density(gold_train),
        "models": {},
    }
    if args.lang == "en" and args.split == "dev":
        result["readme_en_dev"] = {
            "paragraphs": README_EN_DEV["paragraphs"],
            "labels_per_paragraph": README_EN_DEV["labels"] / README_EN_DEV["paragraphs"],
        }
    for spec in args.models:
        name, _, source = spec.partition(":")
        source, _, min_score = source.partition("@")
        pipeline = ModelChooser(name).pipeline_for(SEMEVAL_CODES[args.lang])
        changes: dict[str, Any] = {}
        if source:
            changes["paragraph_source"] = source
        if min_score:
            changes["span_paragraph_min_score"] = float(min_score)
        if changes:
            settings = dataclasses.replace(pipeline.settings, **changes)
            pipeline = dataclasses.replace(pipeline, settings=settings)
        with tempfile.TemporaryDirectory() as tmp:
            paths = predict_semeval2023(pipeline, args.data_dir, args.lang, args.split, Path(tmp))
            rows = read_subtask3(paths["subtask-3"])
        result["models"][spec] = {
            "paragraph_source": pipeline.settings.paragraph_source,
            "span_paragraph_min_score": pipeline.settings.span_paragraph_min_score,
            **_density(rows),
        }
        print(spec, result["models"][spec], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

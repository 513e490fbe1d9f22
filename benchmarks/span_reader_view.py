"""What a reader sees: the highlights of hand-written articles before and after calibration.

The articles in ``benchmarks/texts/`` were written for this check (a neutral report, an opinion
piece full of name calling, doubt and loaded language, a satire, and a French opinion piece); no
corpus text. "before" is what ``analyze`` returned until now (every tagger span, raw score);
"after" is the default now (shaped spans whose calibrated precision reaches the model's
``min_confidence``)::

    python benchmarks/span_reader_view.py --models en-fast en-accurate multi-fast
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from propscope.pipeline import load

TEXTS = Path(__file__).parent / "texts"


def highlights(document: object) -> list[list[object]]:
    return [[s.text, s.technique, round(s.score, 2)] for s in document.spans]  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["en-fast", "en-accurate", "multi-fast"])
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/span-reader-view.json")
    )
    args = parser.parse_args()
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    for name in args.models:
        pipeline = load(name)
        before = replace(pipeline, calibration=None)
        for path in sorted(TEXTS.glob("*.txt")):
            lang = path.stem.split("-")[0]
            if (lang == "en") != (pipeline.settings.language == "en") and name != "multi-fast":
                continue
            text = path.read_text(encoding="utf-8")
            old = before.analyze(text, doc_id=path.stem, lang=lang, min_confidence=0)
            new = pipeline.analyze(text, doc_id=path.stem, lang=lang)
            results[f"{name}/{path.stem}"] = {
                "genre": new.genre.name if new.genre else None,
                "paragraph_techniques": sorted(
                    {t for p in new.paragraphs for t in p.technique_names()}
                ),
                "before": highlights(old),
                "after": highlights(new),
                "after_from_0.3": highlights(
                    pipeline.analyze(text, doc_id=path.stem, lang=lang, min_confidence=0.3)
                ),
            }
            row = results[f"{name}/{path.stem}"]
            print(
                f"{name}/{path.stem}: {len(row['before'])} spans before, {len(row['after'])} after"
            )
            for item in row["after"]:
                print("   ", item)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

"""What each bundled model's genre component calls the sanity suite (tests/resources/sanity/).

    python benchmarks/sanity_genre.py --out benchmarks/results/genre-sanity.json

Eighteen short articles written for the project (a report, an opinion piece and a satire in each
of en, fr, de, it, pl, ru). Per model and article: the genre the pipeline gives (with the model's
deployment prior and "uncertain" cut) and the genre of the model's own probabilities (``raw``).
A sanity check, not a test set: nothing is tuned on it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SANITY = Path(__file__).resolve().parents[1] / "tests" / "resources" / "sanity"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--models", nargs="+", default=["en-fast", "en-accurate", "multi-fast"])
    args = parser.parse_args()

    from propscope.bundled import bundled_model_path
    from propscope.models import load_component
    from propscope.models.genre import decide, shift_prior
    from propscope.pipeline import PipelineSettings

    files = sorted(SANITY.glob("*-*.txt"))
    result: dict[str, dict[str, dict[str, object]]] = {}
    for name in args.models:
        path = bundled_model_path(name)
        settings = PipelineSettings(**json.loads((path / "pipeline.json").read_text()))
        genre = load_component("genre", path / "genre")
        labels = genre.config.labels
        texts = [f.read_text(encoding="utf-8") for f in files]
        languages = [f.stem.split("-")[0] for f in files]
        proba = genre.predict_proba(texts, languages=languages)
        shifted = shift_prior(proba, labels, settings.genre_prior, genre.training_prior())
        raw = decide(proba, labels)
        deployed = decide(shifted, labels, settings.genre_min_score)
        result[name] = {
            f.stem: {
                "expected": f.stem.split("-")[1],
                "genre": d.name,
                "score": round(d.score, 3),
                "raw": r.name,
            }
            for f, d, r in zip(files, deployed, raw, strict=True)
        }
        right = sum(v["genre"] == v["expected"] for v in result[name].values())
        print(f"{name}: {right} of {len(files)} as written", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

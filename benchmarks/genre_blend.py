"""The shipped linear genre model and the fine-tuned e5-small one
(``configs/ablations/multi-fast-genre-encoder.toml``),
blended: each article's probabilities (both at a uniform genre prior) averaged with weight W on
the encoder's, then the deployed decision (news prior, ``uncertain`` under 0.45), on the same folds
of unseen topics, whole articles and their first 150 words, and the English dev articles'
predicted genres::

    python benchmarks/cv_genre.py --config configs/multi-fast.toml --data-dir ../shared/data \\
        --unlabelled-split dev --schemes random topics --probabilities runs/genre-proba.json \\
        --out runs/genre-cv.json
    python benchmarks/cv_genre.py --config configs/ablations/multi-fast-genre-encoder.toml \\
        --data-dir ../shared/data --unlabelled-split dev --schemes topics \\
        --probabilities runs/genre-encoder-proba.json \\
        --out benchmarks/results/genre-protocol-encoder.json
    python benchmarks/genre_blend.py --linear runs/genre-proba.json \\
        --encoder runs/genre-encoder-proba.json --out benchmarks/results/genre-blend.json
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from propscope.evaluation.protocol import scores_by_language
from propscope.models.genre import GENRE_ORDER, NEWS_PRIOR, decide, shift_prior

WEIGHTS = (0.0, 0.3, 0.5, 0.7, 1.0)
CUT = 0.45


def vectors(probabilities: dict[str, dict[str, str]], key: str) -> dict[str, np.ndarray]:
    return {i: np.array([float(x) for x in v.split()]) for i, v in probabilities[key].items()}


def deployed(rows: np.ndarray) -> list[str]:
    shifted = shift_prior(rows, GENRE_ORDER, NEWS_PRIOR)
    return [label.name for label in decide(shifted, GENRE_ORDER, CUT)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--linear", type=Path, required=True)
    parser.add_argument("--encoder", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/genre-blend.json"))
    args = parser.parse_args()
    linear = json.loads(args.linear.read_text())
    encoder = json.loads(args.encoder.read_text())
    gold, languages = encoder["gold"], encoder["languages"]
    rows = []
    for weight in WEIGHTS:
        row: dict[str, object] = {"encoder_weight": weight}
        for view in ("topics", "topics-excerpt"):
            a, b = vectors(linear, f"{view}/proba"), vectors(encoder, f"{view}/proba")
            ids = sorted(b)
            blended = np.stack([(1 - weight) * a[i] + weight * b[i] for i in ids])
            pred = dict(zip(ids, deployed(blended), strict=True))
            scores = {
                c: s.to_dict()
                for c, s in scores_by_language(gold, pred, languages, NEWS_PRIOR).items()
            }
            row[view] = {
                "english_at_news": round(scores["en"]["macro_f1_at_prior"], 3),
                "mean_at_news": round(
                    float(np.mean([s["macro_f1_at_prior"] for s in scores.values()])), 3
                ),
                "english_recall": {k: round(v, 3) for k, v in scores["en"]["recall"].items()},
                "satire_recall": {
                    c: round(s["recall"].get("satire", 0.0), 3) for c, s in scores.items()
                },
            }
        a, b = vectors(linear, "dev-en"), vectors(encoder, "dev-en")
        ids = sorted(b)
        blended = np.stack([(1 - weight) * a[i] + weight * b[i] for i in ids])
        row["english_dev"] = dict(Counter(deployed(blended)))
        rows.append(row)
        print(json.dumps(row), flush=True)
    args.out.write_text(
        json.dumps({"cut": CUT, "prior": NEWS_PRIOR, "rows": rows}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()

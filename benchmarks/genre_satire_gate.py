"""A satire gate, tried on 2026-12-03 and not shipped: satire wherever the genre model's own
probability of it is at least G, the news-prior decision otherwise.

At the news prior (satire 0.05) the deployed decision never says satire: on folds of unseen
topics its satire recall is 0 in every language, though the model's own probabilities find most
German satire. This scores the gate on the out-of-fold probabilities ``cv_genre.py
--probabilities`` wrote (as ``genre_cut.py`` does: macro-F1 expected at the news prior, English and
the mean of six languages; satire recall per language; English dev's predicted genres) and
counts what the gate does to the sanity suite's 18 articles (propscope/resources/sanity/: a report,
an opinion piece and a satire per language) with multi-fast's genre model::

    python benchmarks/genre_satire_gate.py --probabilities runs/genre-proba.json \\
        --out benchmarks/results/genre-satire-gate.json
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from propscope.evaluation.protocol import read_genre_probabilities
from propscope.taxonomy import GENRES as ORDER

GATES = (None, 0.4, 0.5, 0.55, 0.6, 0.7)
CUT = 0.45  # the shipped genre_min_score


def decided(proba: np.ndarray, gate: float | None) -> list[str]:
    """The deployed genres of rows of raw probabilities, satire where its raw one is >= gate."""
    from propscope.models.genre import NEWS_PRIOR, decide, shift_prior

    names = [label.name for label in decide(shift_prior(proba, ORDER, NEWS_PRIOR), ORDER, CUT)]
    if gate is None:
        return names
    return ["satire" if row[2] >= gate else name for row, name in zip(proba, names, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--probabilities", type=Path, required=True)
    parser.add_argument("--scheme", default="topics")
    parser.add_argument("--model", default="multi-fast", help="whose genre model reads the suite")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from propscope.bundled import bundled_model_path
    from propscope.evaluation.protocol import scores_by_language
    from propscope.evaluation.sanity import sanity_articles
    from propscope.models import load_component
    from propscope.models.genre import NEWS_PRIOR

    ids, proba, gold, languages, dev = read_genre_probabilities(args.probabilities, args.scheme)
    articles = sanity_articles()
    genre = load_component("genre", bundled_model_path(args.model) / "genre")
    sanity = genre.predict_proba(
        [a.text for a in articles], languages=[a.language for a in articles]
    )
    written = [a.expected for a in articles]
    rows = []
    for gate in GATES:
        by_language = scores_by_language(
            gold, dict(zip(ids, decided(proba, gate), strict=True)), languages, NEWS_PRIOR
        )
        scores = {lang: s.to_dict() for lang, s in by_language.items()}
        called = list(zip(decided(sanity, gate), written, strict=True))
        rows.append(
            {
                "gate": gate,
                "english_at_news": scores["en"]["macro_f1_at_prior"],
                "mean_at_news": round(
                    float(np.mean([s["macro_f1_at_prior"] for s in scores.values()])), 4
                ),
                "satire_recall": {
                    lang: round(s["recall"].get("satire", 0.0), 3) for lang, s in scores.items()
                },
                "dev_en": dict(Counter(decided(dev, gate))),
                "sanity": {
                    kind: dict(Counter(c for c, w in called if w == kind))
                    for kind in ("reporting", "opinion", "satire")
                },
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    args.out.write_text(
        json.dumps({"scheme": args.scheme, "cut": CUT, "rows": rows}, indent=2) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()

"""The genre cut: below which corrected probability an article's genre is ``uncertain``.

Reads the out-of-fold probabilities ``cv_genre.py --probabilities`` wrote (folds of unseen topics)
and, for each cut, scores the deployed decision (the config's prior, ``uncertain`` under the cut,
counted wrong) by the macro-F1 expected at the news prior, English and the mean of the six
languages, with the genres it gives English dev's articles (their labels are not in shared/)::

    python benchmarks/cv_genre.py --config configs/multi-fast.toml --data-dir ../shared/data \\
        --unlabelled-split dev --schemes random topics --probabilities runs/genre-proba.json \\
        --out runs/genre-cv.json
    python benchmarks/genre_cut.py --probabilities runs/genre-proba.json \\
        --out benchmarks/results/genre-cut.json
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from propscope.evaluation.protocol import read_genre_probabilities
from propscope.taxonomy import GENRES as ORDER

CUTS = (0.0, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--probabilities", type=Path, required=True)
    parser.add_argument("--scheme", default="topics")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from propscope.evaluation.protocol import scores_by_language
    from propscope.models.genre import NEWS_PRIOR, decide, shift_prior

    ids, proba, gold, languages, dev = read_genre_probabilities(args.probabilities, args.scheme)
    rows = []
    for cut in CUTS:
        decided = decide(shift_prior(proba, ORDER, NEWS_PRIOR), ORDER, cut)
        by_language = scores_by_language(
            gold,
            {i: label.name for i, label in zip(ids, decided, strict=True)},
            languages,
            NEWS_PRIOR,
        )
        english = by_language["en"].to_dict()
        dev_counts = Counter(
            label.name for label in decide(shift_prior(dev, ORDER, NEWS_PRIOR), ORDER, cut)
        )
        rows.append(
            {
                "cut": cut,
                "english_at_news": english["macro_f1_at_prior"],
                "mean_at_news": round(
                    float(
                        np.mean([s.to_dict()["macro_f1_at_prior"] for s in by_language.values()])
                    ),
                    4,
                ),
                "english_recall": english["recall"],
                "uncertain_share": round(
                    sum(label.name == "uncertain" for label in decided) / len(decided), 4
                ),
                "dev_en": dict(dev_counts),
            }
        )
        print(json.dumps(rows[-1]))
    args.out.write_text(
        json.dumps({"scheme": args.scheme, "prior": NEWS_PRIOR, "rows": rows}, indent=2) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()

"""Would the techniques found in an article help tell its genre? (tried; not shipped)

Opinion articles carry about twice as many technique labels per paragraph as reports in every
language's train set. This stacks, on folds of unseen topics, a logistic regression over the
shipped genre model's out-of-fold probabilities and the article's technique evidence: the
out-of-fold paragraph labels of multi-fast's cross-validated ensemble (the committed
``benchmarks/results/cv-multi-ensemble/``), as labels per 100 words and, per technique category,
labelled paragraphs per 100 words (log1p), standardised within each language. Decisions are
scored as docs/benchmarks.md's genre tables are (the news prior, ``uncertain`` below 0.5).

    python benchmarks/cv_genre.py --config configs/multi-fast.toml --data-dir ../shared/data \\
        --schemes random topics --probabilities runs/genre-proba.json --out runs/genre-cv.json
    python benchmarks/genre_evidence.py --data-dir ../shared/data \\
        --probabilities runs/genre-proba.json --out benchmarks/results/genre-evidence.json

The stacker's own training articles' base probabilities are out-of-fold on the same topic folds
(a slight optimism: they came from models that saw the test fold).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

FOLDERS = ("en", "fr", "ge", "it", "po", "ru")
ORDER = ("reporting", "opinion", "satire")


def evidence(doc: Any, labels: dict[int, list[str]]) -> list[float]:
    """Technique labels per 100 words, and per category labelled paragraphs per 100 words."""
    from propscope.taxonomy.techniques import CATEGORIES, get_technique

    words = max(1, len(doc.text.split()))
    rows = [labels.get(p.index, []) for p in doc.paragraphs if doc.text[p.start : p.end].strip()]
    categories = [{get_technique(t).category for t in row} for row in rows]
    out = [np.log1p(100 * sum(len(r) for r in rows) / words)]
    out += [np.log1p(100 * sum(c in s for s in categories) / words) for c in CATEGORIES]
    return [float(v) for v in out]


def balanced_by_language(y: np.ndarray, langs: np.ndarray) -> np.ndarray:
    weights = np.ones(len(y))
    for lang in set(langs):
        in_lang = langs == lang
        for genre in ORDER:
            mask = in_lang & (y == genre)
            if mask.any():
                weights[mask] = in_lang.sum() / (len(ORDER) * mask.sum())
    return weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--probabilities", type=Path, required=True)
    parser.add_argument(
        "--folds",
        type=Path,
        default=Path(__file__).parent / "results" / "cv-multi-ensemble",
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from sklearn.linear_model import LogisticRegression

    from propscope.corpora.semeval2023 import load_split
    from propscope.evaluation.protocol import scores_by_language, topic_folds
    from propscope.models.genre import NEWS_PRIOR, decide, shift_prior

    stored = json.loads(args.probabilities.read_text(encoding="utf-8"))
    gold, languages = stored["gold"], stored["languages"]
    paragraph_labels: dict[str, dict[int, list[str]]] = {}
    for path in sorted(args.folds.glob("fold*.json")):
        for key, labels in json.loads(path.read_text())["st3"]["classifier"].items():
            article, paragraph = key.split("\t")
            paragraph_labels.setdefault(article, {})[int(paragraph)] = labels
    docs: dict[str, Any] = {}
    for folder in FOLDERS:
        docs.update(load_split(args.data_dir, folder, "train").documents)
    ids = sorted(i for i in gold if i in paragraph_labels)
    y = np.array([gold[i] for i in ids])
    langs = np.array([languages[i] for i in ids])
    base = np.array([[float(p) for p in stored["topics/proba"][i].split()] for i in ids])
    raw = np.array([evidence(docs[i], paragraph_labels[i]) for i in ids])
    z = raw.copy()
    for lang in set(langs):
        m = langs == lang
        z[m] = (raw[m] - raw[m].mean(0)) / (raw[m].std(0) + 1e-6)
    log_base = np.log(np.clip(base, 1e-4, 1.0))
    folds = topic_folds({i: docs[i].text for i in ids}, 5, dict(zip(ids, langs, strict=True)))
    position = {i: k for k, i in enumerate(ids)}

    def stacked(features: np.ndarray) -> np.ndarray:
        proba = np.zeros((len(ids), len(ORDER)))
        for fold in folds:
            test = np.array(sorted(position[i] for i in fold.test_ids if i in position))
            train = np.setdiff1d(np.arange(len(ids)), test)
            model = LogisticRegression(max_iter=2000).fit(
                features[train],
                y[train],
                sample_weight=balanced_by_language(y[train], langs[train]),
            )
            columns = [list(model.classes_).index(g) for g in ORDER]
            proba[test] = model.predict_proba(features[test])[:, columns]
        return proba

    def scored(proba: np.ndarray) -> dict[str, Any]:
        shifted = shift_prior(proba, ORDER, NEWS_PRIOR)
        deployed = {
            i: label.name for i, label in zip(ids, decide(shifted, ORDER, 0.5), strict=True)
        }
        by_language = scores_by_language(
            dict(zip(ids, y, strict=True)), deployed, dict(zip(ids, langs, strict=True)), NEWS_PRIOR
        )
        out = {code: s.to_dict() for code, s in by_language.items()}
        return {
            "english_at_news": out["en"]["macro_f1_at_prior"],
            "mean_at_news": round(
                float(np.mean([v["macro_f1_at_prior"] for v in out.values()])), 4
            ),
            "english_recall": out["en"]["recall"],
            "by_language": out,
        }

    variants = {
        "shipped genre model": base,
        "logistic regression on its probabilities": stacked(log_base),
        "+ technique evidence": stacked(np.hstack([log_base, raw])),
        "+ technique evidence, standardised per language": stacked(np.hstack([log_base, z])),
        "+ technique density alone, standardised per language": stacked(
            np.hstack([log_base, z[:, :1]])
        ),
        "technique evidence alone, standardised per language": stacked(z),
    }
    result = {"articles": len(ids), "variants": {k: scored(v) for k, v in variants.items()}}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for name, v in result["variants"].items():
        recall = v["english_recall"]
        print(
            f"{name:55s} en@news {v['english_at_news']:.3f} mean@news {v['mean_at_news']:.3f} "
            f"en recall rep {recall['reporting']:.2f} op {recall['opinion']:.2f} "
            f"sat {recall['satire']:.2f}"
        )


if __name__ == "__main__":
    main()

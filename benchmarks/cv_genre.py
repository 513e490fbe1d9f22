"""Genre on articles unlike train's: the evaluation protocol for the genre component of a config.

    python benchmarks/cv_genre.py --config configs/en-fast.toml --data-dir ../shared/data \\
        --unlabelled-split dev --out benchmarks/results/genre-en-fast.json

The genre model of the config (``[genre]``; trained on the genre labels of ``[genre] languages``,
else of ``[data] semeval2023``) is scored with :mod:`propscope.evaluation.protocol` on

* ``random``: 5 random folds (the usual cross-validation, for comparison);
* ``random-reflowed``: the same models, each test article re-cut into one sentence per line;
* ``topics``: 5 folds of unseen topics (k-means over TF-IDF within each language);
* ``topics-reflowed``: the same, reflowed;
* ``random-excerpt``, ``topics-excerpt``: the same models, each test article cut to its first 150
  words (``protocol.excerpt``: a stress test of length);
* ``languages``: leave-one-language-out (when the model learns from two or more languages).

Each scheme is scored twice: ``raw``, the most probable genre under the model's own (balanced,
uniform) prior; and ``deployed``, the decision the pipeline makes, with the config's deployment
prior (``[pipeline] genre_prior``) and ``uncertain`` below ``[pipeline] genre_min_score``. Train's
genres are 83% opinion and a news stream's are mostly reports, so the folds' gold favours the raw
decision; the deployed one is for text like English dev. Scores are per language and pooled.

A genre model trained on train's genre mix (``[genre] model = "encoder"``, e.g.
``configs/ablations/multi-fast-genre-encoder.toml``) has its probabilities moved from that mix
to a uniform prior first, so that ``raw`` and the written probabilities mean what they mean for
the balanced linear model.

``--unlabelled-split dev`` also trains on all of train and counts the genres it predicts for each
language's articles of that split (their labels are not in shared/; the data README gives the
English counts: 54 reporting, 20 opinion, 9 satire). ``--set KEY=JSON`` overrides a ``[genre]``
setting (to compare settings without editing a config).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from propscope.evaluation.cross_validation import cv_parser

SEMEVAL_FOLDERS = {"en": "en", "fr": "fr", "de": "ge", "it": "it", "pl": "po", "ru": "ru"}


def decisions(
    model: Any, texts: Sequence[str], languages: Sequence[str], settings: Any
) -> dict[str, list[str]]:
    """The raw (argmax at a uniform prior) and deployed (prior, uncertain cut) genre of each
    text, and the model's probabilities at a uniform prior (``proba``, as ``"p1 p2 p3"`` strings
    in label order)."""
    from propscope.models.genre import decide, shift_prior

    labels = model.config.labels
    proba = model.predict_proba(list(texts), languages=list(languages))
    if model.training_prior() is not None:  # trained on train's genre mix: move it to uniform
        uniform = {label: 1.0 / len(labels) for label in labels}
        proba = shift_prior(proba, labels, uniform, model.training_prior())
    shifted = shift_prior(proba, labels, settings.genre_prior)
    return {
        "raw": [label.name for label in decide(proba, labels)],
        "deployed": [label.name for label in decide(shifted, labels, settings.genre_min_score)],
        "proba": [" ".join(f"{p:.4f}" for p in row) for row in proba],
    }


def scored(
    gold: dict[str, str], pred: dict[str, str], languages: dict[str, str], prior: Any
) -> dict[str, Any]:
    """Pooled and per-language scores, with the macro-F1 expected at ``prior`` too."""
    from propscope.evaluation.protocol import score_genre, scores_by_language

    by_language = scores_by_language(gold, pred, languages, prior)
    return {
        "all": score_genre(gold, pred, prior).to_dict(),
        "by_language": {code: s.to_dict() for code, s in by_language.items()},
    }


def main() -> None:
    parser = cv_parser(__doc__)
    parser.add_argument("--unlabelled-split", default=None)
    parser.add_argument("--work", type=Path, default=None, help="embedding cache folder")
    parser.add_argument(
        "--probabilities", type=Path, default=None, help="also write each article's probabilities"
    )
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON")
    parser.add_argument(
        "--no-reflow",
        action="store_true",
        help="skip the reflowed test articles (models that embed each line re-embed every one)",
    )
    parser.add_argument(
        "--schemes", nargs="+", default=["random", "topics", "languages"], metavar="SCHEME"
    )
    args = parser.parse_args()

    from propscope.corpora.semeval2023 import load_split
    from propscope.evaluation.protocol import (
        excerpt,
        language_folds,
        pool,
        random_folds,
        reflow,
        topic_folds,
    )
    from propscope.models.embeddings import embedding_cache
    from propscope.models.genre import NEWS_PRIOR, parse_prior
    from propscope.pipeline import PipelineSettings
    from propscope.training import (
        TrainConfig,
        fit_genre,
        genre_training_languages,
        load_training_data,
    )

    config = TrainConfig.from_toml(args.config)
    for item in args.set:
        key, value = item.split("=", 1)
        config.genre[key] = json.loads(value)
    config.semeval2023 = genre_training_languages(config)  # only genre data is needed
    config.ptc = []
    settings = PipelineSettings(**config.pipeline)
    settings.genre_prior = parse_prior(settings.genre_prior)
    # Scores are also given at this genre distribution (macro_f1_at_prior): the deployment
    # prior where there is one, else the news prior.
    prior = settings.genre_prior or NEWS_PRIOR
    docs = {d.id: d for d in load_training_data(config, args.data_dir).genre_docs}
    gold = {i: d.genre.name for i, d in docs.items() if d.genre is not None}
    languages = {i: d.language for i, d in docs.items()}

    folds = {
        "random": random_folds(gold, args.folds),
        "topics": topic_folds({i: docs[i].text for i in gold}, args.folds, languages),
    }
    if len(set(languages.values())) > 1:
        folds["languages"] = language_folds(languages)
    folds = {k: v for k, v in folds.items() if k in args.schemes}

    result: dict[str, Any] = {
        "config": str(args.config),
        "genre_settings": config.genre,
        "genre_prior": settings.genre_prior,
        "genre_min_score": settings.genre_min_score,
        "train_languages": sorted(set(languages.values())),
        "folds": args.folds,
        "gold": dict(Counter(gold.values())),
        "schemes": {},
    }
    with embedding_cache(args.work / "embeddings.npz" if args.work else None):
        began = time.perf_counter()
        preds: dict[str, dict[str, str]] = {}  # "scheme[-reflowed]/raw|deployed" -> id -> genre
        for scheme, scheme_folds in folds.items():

            def predict_fold(fold: Any, scheme: str = scheme) -> dict[str, str]:
                model = fit_genre(config, [docs[i] for i in sorted(gold) if i not in fold.test_ids])
                ids = sorted(fold.test_ids)
                langs = [languages[i] for i in ids]
                views: dict[str, Callable[[str], str]] = {"": lambda t: t}
                if scheme != "languages" and not args.no_reflow:
                    views["-reflowed"] = reflow
                if scheme != "languages":
                    views["-excerpt"] = excerpt
                for suffix, view in views.items():
                    out = decisions(model, [view(docs[i].text) for i in ids], langs, settings)
                    for kind, labels in out.items():
                        preds.setdefault(f"{scheme}{suffix}/{kind}", {}).update(
                            zip(ids, labels, strict=True)
                        )
                return {}

            pool(scheme_folds, predict_fold)
            print(f"{scheme}: {time.perf_counter() - began:.0f} s", flush=True)
        probabilities = {k: preds.pop(k) for k in list(preds) if k.endswith("/proba")}
        for key, pred in preds.items():
            name, kind = key.split("/")
            result["schemes"].setdefault(name, {})[kind] = scored(gold, pred, languages, prior)
        # The keys report.py's en-fast table reads: random folds, raw decision, English.
        english = (
            result["schemes"].get("random", {}).get("raw", {}).get("by_language", {}).get("en")
        )
        if english:
            result["st1_macro_f1"] = english["macro_f1"]
        if args.unlabelled_split:
            model = fit_genre(config, [docs[i] for i in sorted(gold)])
            result["unlabelled"] = {"split": args.unlabelled_split, "by_language": {}}
            for code in result["train_languages"]:
                split = load_split(
                    args.data_dir / "semeval2023-task3",
                    SEMEVAL_FOLDERS[code],
                    args.unlabelled_split,
                )
                ids = list(split.ids_by_subtask.get(1, ()))
                out = decisions(
                    model, [split.documents[i].text for i in ids], [code] * len(ids), settings
                )
                probabilities[f"{args.unlabelled_split}-{code}"] = dict(
                    zip(ids, out.pop("proba"), strict=True)
                )
                result["unlabelled"]["by_language"][code] = {
                    kind: dict(Counter(labels)) for kind, labels in out.items()
                }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.probabilities:
        probabilities["gold"] = gold
        probabilities["languages"] = languages
        args.probabilities.write_text(json.dumps(probabilities) + "\n")
    summary = {
        name: {kind: v["all"]["macro_f1"] for kind, v in kinds.items()}
        for name, kinds in result["schemes"].items()
    }
    print(json.dumps({"summary": summary, "unlabelled": result.get("unlabelled")}, indent=1))


if __name__ == "__main__":
    main()

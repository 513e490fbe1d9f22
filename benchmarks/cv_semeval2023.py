"""K-fold cross-validation of a training config on a SemEval-2023 Task 3 train split.

Folds are by article (KFold over sorted article ids, shuffled with seed 0). Each fold trains every
component of the config on the other folds and predicts the held-out articles; the pooled
predictions are scored with the official metrics:

- subtask 1 (genre) macro-F1, with per-class recall;
- subtask 2 (frames) micro-F1;
- subtask 3 (paragraph techniques) micro-F1 for paragraph labels from the paragraph classifier,
  from the spans, and from their union (the three ``paragraph_source`` settings);
- span F1 (partial overlap), technique-aware and technique-agnostic.

A finished fold's predictions are cached in ``--work`` (ids, labels and offsets only), so a stopped
run continues with the next fold. Results (numbers only) go to ``--out`` as JSON.

    python benchmarks/cv_semeval2023.py --config configs/ablations/en-fast-own.toml \\
        --data-dir ../shared/data --work runs/cv-en --out benchmarks/results/semeval2023-en-cv.json
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path
from typing import Any


def _fold_predictions(pipeline: Any, docs: list[Any]) -> dict[str, Any]:
    from propscope.results import span_labels

    predicted = pipeline.analyze_documents(docs)
    out: dict[str, Any] = {"genre": {}, "frames": {}, "st3": {}, "spans": []}
    # Their union is derived when the folds are pooled (pool_folds).
    variants: dict[str, dict[str, list[str]]] = {"classifier": {}, "spans": {}}
    for gold, doc in zip(docs, predicted, strict=True):
        out["genre"][doc.id] = doc.genre.name if doc.genre else None
        out["frames"][doc.id] = [f.name for f in doc.frames]
        texts = [doc.paragraph_text(p) for p in doc.paragraphs]
        languages = [doc.language] * len(texts)
        classifier = (
            pipeline.paragraphs.predict_labels(texts, languages=languages)
            if texts and pipeline.paragraphs is not None
            else [[] for _ in texts]  # a model without a paragraph classifier predicts none
        )
        for par, by_classifier in zip(doc.paragraphs, classifier, strict=True):
            key = f"{doc.id}\t{par.index}"
            variants["classifier"][key] = [label.name for label in by_classifier]
            variants["spans"][key] = sorted(span_labels(par, doc.spans))
        out["spans"] += [[doc.id, s.technique, s.start, s.end] for s in doc.spans]
        assert gold.id == doc.id
    out["st3"] = variants
    out["span_ids"] = [doc.id for doc in docs] if pipeline.tagger is not None else []
    out["components"] = pipeline.components()
    return out


def fit_and_predict(
    config: Any, data: Any, test_docs: list[Any], cache: Path, checkpoint_dir: Path
) -> None:
    """Train on ``data`` without ``test_docs``, predict them, cache the predictions as JSON."""
    from propscope.training import fit_pipeline

    if config.borrowed:
        # A borrowed component was trained on every article, these folds' test ones included:
        # a fold model must not use it. Cross-validate the model it comes from instead.
        raise SystemExit(
            f"{config.name} takes {', '.join(sorted(config.borrowed))} from another model "
            f"({', '.join(sorted(set(config.borrowed.values())))}), trained on these folds' test "
            "articles too; cross-validate that model's config for those components"
        )
    test_ids = {d.id for d in test_docs}
    began = time.perf_counter()
    pipeline = fit_pipeline(
        config, data.subset(lambda i: i not in test_ids), checkpoint_dir=checkpoint_dir
    )
    fit_seconds = time.perf_counter() - began
    predictions = _fold_predictions(pipeline, test_docs)
    predictions["fit_seconds"] = fit_seconds
    predictions["tagger_epoch_seconds"] = pipeline.meta["train_seconds"].get(
        "tagger_epoch_seconds", []
    )
    cache.write_text(json.dumps(predictions))
    print(f"{cache.stem}: trained in {fit_seconds:.0f}s", flush=True)


def pool_folds(paths: list[Path], ids: set[str] | None = None) -> dict[str, Any]:
    """Merge the cached predictions of several folds (only articles in ``ids`` if given)."""
    pooled: dict[str, Any] = {
        "genre": {},
        "frames": {},
        "st3": {},
        "spans": [],
        "fit_seconds": [],
        "epoch_seconds": [],
    }

    def keep(key: str) -> bool:
        return ids is None or key.split("\t")[0] in ids

    for path in paths:
        fold = json.loads(path.read_text())
        pooled["genre"].update({k: v for k, v in fold["genre"].items() if keep(k)})
        pooled["frames"].update({k: v for k, v in fold["frames"].items() if keep(k)})
        st3 = dict(fold["st3"])
        # The union of both sources, derived here (older caches stored a "union" that was the
        # pipeline's configured paragraph source: it is replaced).
        st3["union"] = {
            k: sorted(set(v) | set(st3["spans"].get(k, []))) for k, v in st3["classifier"].items()
        }
        for variant, rows in st3.items():
            pooled["st3"].setdefault(variant, {}).update({k: v for k, v in rows.items() if keep(k)})
        pooled["spans"] += [row for row in fold["spans"] if keep(row[0])]
        pooled["fit_seconds"].append(fold["fit_seconds"])
        pooled["epoch_seconds"] += fold["tagger_epoch_seconds"]
        # Caches from before span_ids was recorded all came from runs with a tagger.
        tagged = fold.get(
            "span_ids", list(fold["genre"]) + [k.split("\t")[0] for k in fold["st3"]["classifier"]]
        )
        pooled.setdefault("span_ids", set()).update(i for i in tagged if ids is None or i in ids)
        # Caches from before components was recorded all came from runs with every component.
        trained = fold.get("components", ["tagger", "paragraphs", "genre", "frames"])
        pooled.setdefault("components", set()).update(trained)
    return pooled


def score_split(split: Any, pooled: dict[str, Any]) -> dict[str, Any]:
    """Official scores of pooled out-of-fold predictions against one split's gold.

    Span F1 is computed over the articles whose fold had a tagger (``span_ids``), if any; a
    subtask whose component the config does not train is left out (not scored as 0).
    """
    from propscope.evaluation.semeval2023 import (
        score_spans,
        score_subtask1,
        score_subtask2,
        score_subtask3,
    )
    from propscope.evaluation.spans import SpanRow

    docs = split.documents
    gold_genre = {
        i: docs[i].genre.name
        for i in split.ids_by_subtask[1]
        if docs[i].genre and i in pooled["genre"] and "genre" in pooled["components"]
    }
    gold_frames = {
        i: [f.name for f in docs[i].frames]
        for i in split.ids_by_subtask[2]
        if i in pooled["frames"] and "frames" in pooled["components"]
    }
    gold_st3 = {
        (i, p.index): p.technique_names()
        for i in split.ids_by_subtask[3]
        for p in docs[i].paragraphs
        if f"{i}\t{p.index}" in pooled["st3"]["classifier"]
    }
    span_ids = pooled.get("span_ids") or set()
    gold_spans = [
        SpanRow(i, s.technique, s.start, s.end)
        for i in split.ids_by_subtask[3]
        if i in span_ids
        for s in docs[i].spans
    ]
    pred_spans = [SpanRow(*row) for row in pooled["spans"] if row[0] in span_ids]
    fit_seconds, epoch_seconds = pooled["fit_seconds"], pooled["epoch_seconds"]
    result: dict[str, Any] = {}
    if gold_genre:
        st1 = score_subtask1(gold_genre, {i: pooled["genre"][i] for i in gold_genre})
        result.update(st1_macro_f1=st1.main, st1_per_class=st1.per_label)
    if gold_frames:
        frames = {i: pooled["frames"][i] for i in gold_frames}
        result["st2_micro_f1"] = score_subtask2(gold_frames, frames).main
    result |= {
        "span_articles": len({i for i in span_ids if i in docs}),
        "span_f1_technique_aware": score_spans(gold_spans, pred_spans, technique_aware=True).main
        if gold_spans
        else None,
        "span_f1_technique_agnostic": score_spans(
            gold_spans, pred_spans, technique_aware=False
        ).main
        if gold_spans
        else None,
        "fit_minutes_per_fold": sum(fit_seconds) / len(fit_seconds) / 60,
        "tagger_minutes_per_epoch": (sum(epoch_seconds) / len(epoch_seconds) / 60)
        if epoch_seconds
        else None,
    }
    for variant, rows in pooled["st3"].items():
        if variant == "classifier" and "paragraphs" not in pooled["components"]:
            continue  # no paragraph classifier
        if variant != "classifier" and not span_ids:
            continue  # no tagger: the span variants carry no information
        pred = {
            (key.split("\t")[0], int(key.split("\t")[1])): labels
            for key, labels in rows.items()
            # The span variants only where a tagger predicted (folds without one have no spans).
            if variant == "classifier" or key.split("\t")[0] in span_ids
        }
        gold = {key: labels for key, labels in gold_st3.items() if key in pred}
        scores = score_subtask3(gold, pred)
        result[f"st3_micro_f1_{variant}"] = scores.main
        result[f"st3_macro_f1_{variant}"] = scores.metrics.get("macro_f1")
    return result


def cv_parser(doc: str | None) -> argparse.ArgumentParser:
    """The arguments every cross-validation script takes: --config, --data-dir, --folds, --out."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, required=True)
    return parser


def main() -> None:
    parser = cv_parser(__doc__)
    parser.add_argument("--lang", default="en")
    parser.add_argument(
        "--tagger-folds", type=int, default=None, help="train the tagger on the first N folds only"
    )
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument(
        "--only-folds",
        type=int,
        nargs="+",
        metavar="K",
        help="train and cache only these folds (0-based), e.g. to run folds in parallel "
        "processes; a run without it scores once every fold is cached",
    )
    parser.add_argument(
        "--score-folds",
        type=int,
        nargs="+",
        metavar="K",
        help="score only these cached folds (0-based), e.g. a quick comparison on one fold",
    )
    args = parser.parse_args()

    from propscope.corpora.semeval2023 import load_split
    from propscope.models.embeddings import embedding_cache
    from propscope.training import TrainConfig, default_folds, load_training_data

    config = TrainConfig.from_toml(args.config)
    config.semeval2023 = [args.lang]
    data = load_training_data(config, args.data_dir)
    split = load_split(args.data_dir / "semeval2023-task3", args.lang, "train")
    ids = sorted(split.documents)
    folds = default_folds(ids, args.folds)
    args.work.mkdir(parents=True, exist_ok=True)
    # Paragraph embeddings (hashed keys, no text) persist in --work, so reruns skip the encoder.
    with embedding_cache(args.work / "embeddings.npz"):
        for k, test_ids in enumerate(folds):
            cache = args.work / f"fold{k}.json"
            if cache.exists() or (args.only_folds is not None and k not in args.only_folds):
                continue
            test_docs = [split.documents[i] for i in sorted(test_ids)]
            fold_config = copy.deepcopy(config)
            if args.tagger_folds is not None and k >= args.tagger_folds:
                fold_config.components["tagger"] = False  # span F1 then comes from fewer folds
            fit_and_predict(fold_config, data, test_docs, cache, args.work / f"ckpt{k}")

    if args.only_folds is not None and args.score_folds is None:
        return
    scored = sorted(args.score_folds) if args.score_folds else list(range(len(folds)))
    pooled = pool_folds([args.work / f"fold{k}.json" for k in scored])
    result: dict[str, Any] = {
        "config": str(args.config),
        "lang": args.lang,
        "folds": args.folds,
        "scored_folds": scored,
        "tagger_folds": args.folds if args.tagger_folds is None else args.tagger_folds,
        "articles": len(ids),
        **score_split(split, pooled),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "st1_per_class"}, indent=2))


if __name__ == "__main__":
    main()

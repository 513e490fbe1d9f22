"""SemEval-2020 Task 11 on PTC dev: SI F1 and TC micro-F1 of a model trained on PTC train only.

    propscope train configs/ptc-train.toml --data-dir ../shared/data --out runs/ptc-train
    python benchmarks/ptc_dev.py --model runs/ptc-train --data-dir ../shared/data \\
        --out benchmarks/results/ptc-dev.json

The model must not have seen PTC dev (configs/ptc-train.toml uses PTC train only); the script
refuses a model whose meta.json lists PTC dev or SemEval-2023 English train (which contains it).
A model with a span classifier but no tagger is scored on TC only (SI is null).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def load_unseen_dev_model(path: Path) -> Any:
    """The pipeline at ``path``; exit if its training data include PTC dev."""
    from propscope.pipeline import load

    pipeline = load(path)
    sources = pipeline.meta.get("training_data", [])
    if any(s.endswith("dev") or s.startswith("semeval2023-task3/en") for s in sources):
        sys.exit(f"{path} was trained on {sources}, which include PTC dev")
    return pipeline


def _predict_tc_only(pipeline: Any, dev: Path, out: Path) -> None:
    """TC labels of the template's spans, for a model without a tagger (no SI file)."""
    from propscope.corpora.ptc import read_articles, read_tc_template, write_tc
    from propscope.tasks import predict_tc

    template = read_tc_template(dev / "labels-tc.tsv")
    write_tc(out, predict_tc(pipeline, read_articles(dev / "articles"), template))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from propscope.evaluation.files import evaluate_files
    from propscope.tasks import predict_ptc

    pipeline = load_unseen_dev_model(args.model)
    sources = pipeline.meta.get("training_data", [])
    dev = args.data_dir / "ptc-semeval2020" / "dev"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        began = time.perf_counter()
        if pipeline.tagger is None:
            _predict_tc_only(pipeline, dev, out / "tc.tsv")
        else:
            predict_ptc(pipeline, dev / "articles", out, tc_template=dev / "labels-tc.tsv")
        seconds = time.perf_counter() - began
        si = None
        if pipeline.tagger is not None:
            si = evaluate_files("ptc-si", dev / "labels-si.tsv", out / "si.tsv")
        tc = evaluate_files("ptc-tc", dev / "labels-tc.tsv", out / "tc.tsv")
    result = {
        "model": str(args.model),
        "training_data": sources,
        "si_f1": si.main if si else None,
        "si_precision": si.metrics["precision"] if si else None,
        "si_recall": si.metrics["recall"] if si else None,
        "tc_micro_f1": tc.main,
        "tc_macro_f1": tc.metrics.get("macro_f1"),
        "tc_per_class_f1": {k: v.get("f1") for k, v in tc.per_label.items()},
        "predict_seconds": seconds,
        "train_seconds": pipeline.meta.get("train_seconds", {}),
        "reused": pipeline.meta.get("reused", {}),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "tc_per_class_f1"}, indent=2))


if __name__ == "__main__":
    main()

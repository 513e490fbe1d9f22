"""How far apart the tagger's overlapping inference windows may start: SI F1 on PTC dev and the
tagger's time per stride, in one process (the ratio of times is what holds on a noisy machine).

Windows are ``window`` (256) tokens long; a stride of 128 runs every token through two windows and
averages its probabilities, a stride of 254 through one. Tagger of a model trained on PTC train
only (``configs/ptc-train.toml``):

    python benchmarks/tagger_stride.py --model runs/ptc-train --data-dir ../shared/data \\
        --strides 128 192 254 --out benchmarks/results/tagger-stride.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--strides", type=int, nargs="+", default=[128, 192, 254])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from propscope.evaluation.files import evaluate_files
    from propscope.pipeline import load
    from propscope.tasks import predict_ptc

    pipeline = load(args.model)
    sources = pipeline.meta.get("training_data", [])
    if any(s.endswith("dev") or s.startswith("semeval2023-task3/en") for s in sources):
        sys.exit(f"{args.model} was trained on {sources}, which include PTC dev")
    if pipeline.tagger is None:
        sys.exit(f"{args.model} has no tagger")
    dev = args.data_dir / "ptc-semeval2020" / "dev"
    by_stride: dict[str, dict[str, float]] = {}
    for stride in args.strides:
        pipeline.tagger.config.predict_stride = stride
        with tempfile.TemporaryDirectory() as tmp:
            began = time.perf_counter()
            predict_ptc(pipeline, dev / "articles", Path(tmp))
            seconds = time.perf_counter() - began
            si = evaluate_files("ptc-si", dev / "labels-si.tsv", Path(tmp) / "si.tsv")
        by_stride[str(stride)] = {
            "si_f1": si.main,
            "si_precision": si.metrics["precision"],
            "si_recall": si.metrics["recall"],
            "seconds": seconds,
        }
        print(stride, json.dumps(by_stride[str(stride)]), flush=True)
    result = {
        "model": str(args.model),
        "window": pipeline.tagger.config.window,
        "strides": by_stride,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""How far apart the tagger's overlapping inference windows may start: SI F1 and the technique-
aware span F1 on PTC dev, and the tagger's time, per stride, in one process (the ratio of times is
what holds on a noisy machine). Technique-aware: the tagger's spans with their techniques mapped
to PTC-14 classes, scored with the partial-overlap rule against PTC dev's technique spans.

Windows are ``window`` (256) tokens long; a stride of 128 runs every token through two windows and
averages its probabilities, a stride of 254 through one. Tagger of a model trained on PTC train
only (``configs/ptc-train.toml``):

    python benchmarks/tagger_stride.py --model runs/ptc-train --data-dir ../shared/data \\
        --strides 128 192 254 --speed en-fast:en en-accurate:en multi-fast:fr \\
        --out benchmarks/results/tagger-stride.json

``--speed MODEL:LANG``: also time ``analyze_documents`` of a bundled model on 30 train articles of
that language at the first two strides, alternating, twice each (median; same process).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from propscope.evaluation.ptc_dev import load_unseen, score_tagger_on_dev


def _speedup(spec: str, strides: list[int], data_dir: Path) -> dict[str, float]:
    """Median seconds of ``analyze_documents`` per stride for ``MODEL:LANG`` (SemEval code)."""
    import statistics

    from propscope.corpora.semeval2023 import load_split
    from propscope.language import SEMEVAL_CODES
    from propscope.pipeline import load
    from propscope.types import Document

    name, lang = spec.split(":")
    pipeline = load(name)
    split = load_split(data_dir / "semeval2023-task3", lang, "train")
    docs = [
        Document(d.id, d.text, language=SEMEVAL_CODES[lang])
        for d in (split.documents[i] for i in sorted(split.documents)[-30:])
    ]
    pipeline.analyze_documents(docs[:2])  # warm up
    seconds: dict[int, list[float]] = {stride: [] for stride in strides}
    for _ in range(2):
        for stride in strides:
            # predict_overlap None: the strided layout this script measures (not the packed one).
            pipeline.tagger.config = replace(
                pipeline.tagger.config, predict_stride=stride, predict_overlap=None
            )
            began = time.perf_counter()
            pipeline.analyze_documents(docs)
            seconds[stride].append(time.perf_counter() - began)
    out = {str(stride): statistics.median(runs) for stride, runs in seconds.items()}
    print(spec, json.dumps(out), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--strides", type=int, nargs="+", default=[128, 192, 254])
    parser.add_argument("--speed", nargs="*", default=[], metavar="MODEL:LANG")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    pipeline = load_unseen(args.model)
    if pipeline.tagger is None:
        sys.exit(f"{args.model} has no tagger")
    dev = args.data_dir / "ptc-semeval2020" / "dev"
    by_stride: dict[str, dict[str, float]] = {}
    for stride in args.strides:
        pipeline.tagger.config = replace(
            pipeline.tagger.config, predict_stride=stride, predict_overlap=None
        )
        by_stride[str(stride)] = score_tagger_on_dev(pipeline, dev)
        print(stride, json.dumps(by_stride[str(stride)]), flush=True)
    result = {
        "model": str(args.model),
        "window": pipeline.tagger.config.window,
        "strides": by_stride,
        "speed": {spec: _speedup(spec, args.strides[:2], args.data_dir) for spec in args.speed},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

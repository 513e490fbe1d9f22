"""Span decoding tuned on held-out training articles: SI F1 and the technique-aware span F1 on PTC
dev of a tagger trained on PTC train only, as trained and with its thresholds tuned again
(:meth:`SpanTagger.retune`, no training) for the decoded spans' F1 with each hysteresis of a grid,
the best for the technique-agnostic channel kept. The held-out articles are the ones training set
aside (10% of PTC train); PTC dev only scores.

    python benchmarks/tagger_retune.py --model runs/ptc-tagger --data-dir ../shared/data \\
        --grid 1.0 0.8 0.6 --out benchmarks/results/tagger-retune.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from propscope.evaluation.ptc_dev import load_unseen, score_tagger_on_dev


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--grid", type=float, nargs="+", default=[1.0, 0.8, 0.6])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from propscope.corpora import read_ptc
    from propscope.models.tagger import ANY

    pipeline = load_unseen(args.model)
    if pipeline.tagger is None:
        sys.exit(f"{args.model} has no tagger")
    if pipeline.meta.get("training_data") != ["ptc-semeval2020/train"]:
        sys.exit(f"{args.model} was not trained on PTC train alone: its held-out part is unknown")
    tagger = pipeline.tagger
    dev = args.data_dir / "ptc-semeval2020" / "dev"
    result = {
        "model": str(args.model),
        "encoder": tagger.config.encoder,
        "epochs": tagger.config.epochs,
        "predict_stride": tagger.config.predict_stride,
        "train_seconds": pipeline.meta.get("train_seconds", {}),
        "grid": args.grid,
        "runs": {},
    }
    train = read_ptc(args.data_dir / "ptc-semeval2020" / "train")
    settings = {
        "as trained": {},
        "span F1": {"threshold_metric": "spans", "hysteresis_grid": []},
        "span F1 and hysteresis": {"threshold_metric": "spans", "hysteresis_grid": args.grid},
        "span F1 and hysteresis, rare labels by rate": {
            "threshold_metric": "spans",
            "hysteresis_grid": args.grid,
            "rare_label_thresholds": "rate",
        },
    }
    for name, changes in settings.items():
        if changes:
            tagger.config = replace(tagger.config, decode_hysteresis=1.0, **changes)
            began = time.perf_counter()
            tagger.retune(train)
            tuning = time.perf_counter() - began
        scores = score_tagger_on_dev(pipeline, dev)
        scores["hysteresis"] = tagger.decode_settings().hysteresis
        scores["si_threshold"] = tagger.thresholds_[ANY]
        if changes:
            scores["tuning_seconds"] = tuning
        result["runs"][name] = scores
        print(name, json.dumps(scores), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

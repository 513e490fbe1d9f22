"""int8 encoders: faster than fp32, but are the outputs equal? (issue 18: int8 only where equal.)

Each bundled model analyses its language's bundled example, its lines repeated to about 600 words
(as benchmarks/speed.py), in fp32 and with every ``Linear`` layer of its encoders quantized to
int8 by torch's dynamic quantization (weights int8, activations quantized per batch; fbgemm
kernels). Reported: the warm analysis times (median of five, one process per model and format,
as ``propscope bench speed`` times), and how far the int8 outputs are from fp32's: the largest
change of any span, paragraph-technique, genre or frame score present in both, and the spans,
paragraph techniques and frames found by one format only::

    python benchmarks/int8_check.py --out benchmarks/results/int8-check.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from propscope.evaluation.speed import MODEL_LANGUAGE, median_seconds, sample_article

EXAMPLES = {"en": "examples/opinion.txt", "fr": "examples/opinion-fr.txt"}


def quantized(body: Any) -> Any:
    """``body`` with its Linear layers dynamically quantized to int8."""
    import torch
    from torch.ao.quantization import quantize_dynamic

    for module in body.modules():
        if isinstance(module, torch.nn.Linear):
            module.__class__ = torch.nn.Linear  # propscope's subclass only skips initialisation
    return quantize_dynamic(body, {torch.nn.Linear}, dtype=torch.qint8)


def analyse(model: str, mode: str) -> dict[str, Any]:
    """One format in this process: the result dict and the warm time."""
    os.environ["PROPSCOPE_DTYPE"] = "fp32"
    from propscope.models.encoders import bert, mpnet_forward
    from propscope.pipeline import load
    from propscope.results import result_dict

    if mode == "int8":
        assign = bert.assign_weights

        def assign_int8(body: Any, folder: Path, changed: Any = None) -> Any:
            return quantized(assign(body, folder, changed))

        bert.assign_weights = assign_int8
        mpnet_forward.assign_weights = assign_int8
    language = MODEL_LANGUAGE[model]
    text = sample_article(language, 600, Path(EXAMPLES[language]).read_text(encoding="utf-8"))
    pipeline = load(model)
    document = pipeline.analyze(text, lang=language)
    seconds = median_seconds(lambda: pipeline.analyze(text, lang=language))
    result = result_dict(document, pipeline)
    return {"seconds": seconds, "words": len(text.split()), "result": result}


def scores(result: dict[str, Any]) -> dict[tuple[str, ...], float]:
    """Every score of a result, keyed by what it scores."""
    out: dict[tuple[str, ...], float] = {}
    for s in result["spans"]:
        out[("span", str(s["start"]), str(s["end"]), s["technique"])] = s["score"]
    for p in result["paragraphs"]:
        for t in p["techniques"]:
            out[("paragraph", str(p["index"]), t["name"])] = t["score"]
    for f in result["frames"]:
        out[("frame", f["name"])] = f["score"]
    if result.get("genre"):
        out[("genre", result["genre"]["name"])] = result["genre"]["score"]
    return out


def compare(fp32: dict[str, Any], int8: dict[str, Any]) -> dict[str, Any]:
    a, b = scores(fp32), scores(int8)
    both = a.keys() & b.keys()
    kinds = ("span", "paragraph", "frame", "genre")
    return {
        "max_score_change": round(max((abs(a[k] - b[k]) for k in both), default=0.0), 4),
        "only_fp32": {kind: sum(k[0] == kind for k in a.keys() - b.keys()) for kind in kinds},
        "only_int8": {kind: sum(k[0] == kind for k in b.keys() - a.keys()) for kind in kinds},
        "in_both": len(both),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODEL_LANGUAGE))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/int8-check.json"))
    parser.add_argument("--one", nargs=2, metavar=("MODEL", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child process: one model in one format
        print(json.dumps(analyse(*args.one)))
        return
    import torch

    rows = {}
    for model in args.models:
        runs = {}
        for mode in ("fp32", "int8"):
            done = subprocess.run(
                [sys.executable, __file__, "--one", model, mode],
                check=True,
                capture_output=True,
                text=True,
            )
            runs[mode] = json.loads(done.stdout.strip().splitlines()[-1])
        rows[model] = {
            "words": runs["fp32"]["words"],
            "fp32_seconds": round(runs["fp32"]["seconds"], 3),
            "int8_seconds": round(runs["int8"]["seconds"], 3),
            "int8_over_fp32": round(runs["int8"]["seconds"] / runs["fp32"]["seconds"], 2),
            **compare(runs["fp32"]["result"], runs["int8"]["result"]),
        }
        print(model, rows[model], flush=True)
    machine = {
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "quantized_engine": torch.backends.quantized.engine,
    }
    args.out.write_text(json.dumps({"machine": machine, "models": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()

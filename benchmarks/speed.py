"""Speed of `analyze` on this machine: model load time, latency per article, articles per second.

Latency is measured on the bundled example of the language (``examples/opinion*.txt``, language
identification included) and on a ~600-word article built by repeating it; throughput on
SemEval-2023 train articles of that language analysed one by one and in one batch call. Times are
medians of repeated runs in one process; the ratio batch/single is the robust number on a noisy
machine. Peak memory is the process's maximum resident set size.

    python benchmarks/speed.py --data-dir ../shared/data --out benchmarks/results/speed.json
    python benchmarks/speed.py --model multi-fast --lang fr --data-dir ../shared/data \
        --out benchmarks/results/speed-multi-fast-fr.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _load_seconds(model: str) -> float:
    """Wall time of a fresh process that imports propscope and loads the model."""
    code = (
        "import time; t = time.perf_counter(); import propscope; "
        f"from propscope.pipeline import load; load({model!r}); "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="en-fast")
    parser.add_argument("--lang", default="en", help="SemEval-2023 folder code (en fr ge ...)")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--note", default="", help="what else ran meanwhile, if anything (shown in the docs)"
    )
    args = parser.parse_args()

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from propscope.corpora.semeval2023 import load_split
    from propscope.language import SEMEVAL_CODES
    from propscope.pipeline import load
    from propscope.types import Document

    iso = SEMEVAL_CODES[args.lang]

    load_runs = [_load_seconds(args.model) for _ in range(3)]
    pipeline = load(args.model)
    name = "opinion.txt" if iso == "en" else f"opinion-{iso}.txt"
    example = (REPO / "examples" / name).read_text(encoding="utf-8")
    words = len(example.split())
    long_text = "\n\n".join([example] * max(1, round(600 / words)))
    pipeline.analyze(example)  # warm up

    def median_seconds(text: str, repeats: int = 7) -> float:
        runs = []
        for _ in range(repeats):
            began = time.perf_counter()
            pipeline.analyze(text)
            runs.append(time.perf_counter() - began)
        return statistics.median(runs)

    split = load_split(args.data_dir / "semeval2023-task3", args.lang, "train")
    docs = [split.documents[i] for i in sorted(split.documents)[: args.articles]]
    bare = [Document(d.id, d.text, language=iso) for d in docs]
    began = time.perf_counter()
    for doc in bare:
        pipeline.analyze(doc.text, doc_id=doc.id, lang=iso)
    single = time.perf_counter() - began
    began = time.perf_counter()
    pipeline.analyze_documents(bare)
    batch = time.perf_counter() - began
    result = {
        "model": args.model,
        "lang": args.lang,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "load_seconds_median": statistics.median(load_runs),
        "example_words": words,
        "example_latency_seconds": median_seconds(example),
        "words_600_latency_seconds": median_seconds(long_text),
        "words_600_actual": len(long_text.split()),
        "articles": len(bare),
        "mean_words_per_article": sum(len(d.text.split()) for d in bare) / len(bare),
        "articles_per_second_single": len(bare) / single,
        "articles_per_second_batch": len(bare) / batch,
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **({"note": args.note} if args.note else {}),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

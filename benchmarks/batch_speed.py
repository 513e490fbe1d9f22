"""Throughput of `propscope batch`: articles/s with 1 and 2 workers, against `analyze` per article.

A synthetic corpus of N articles (default 2000) is built from the SemEval-2023 English train
articles, cycled with new ids, as a JSONL file under --work (default runs/batch-speed/, which git
ignores: the corpus text must never be committed). Each `propscope batch` run is timed end to end
in a fresh process (start-up and model loading included), with --restart so every run analyses
everything. The baseline is what a shell loop would do: one `propscope analyze` process per
article; it is timed on the first --sample articles (default 20) and extrapolated to N.

    python benchmarks/batch_speed.py --data-dir ../shared/data \
        --out benchmarks/results/batch_speed.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = "import sys; from propscope.cli import main; sys.exit(main(sys.argv[1:]))"


def build_corpus(data_dir: Path, articles: int, path: Path) -> float:
    """Write ``articles`` JSONL rows cycled from English train; returns mean words per article."""
    from propscope.corpora.semeval2023 import load_split

    split = load_split(data_dir, "en", "train")
    texts = [split.documents[i].text for i in sorted(split.documents)]
    path.parent.mkdir(parents=True, exist_ok=True)
    words = 0
    with path.open("w", encoding="utf-8") as handle:
        for n in range(articles):
            text = texts[n % len(texts)]
            words += len(text.split())
            row = {"id": f"synthetic-{n:06d}", "text": text, "copy": n // len(texts)}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return words / articles


def run_cli(args: list[str]) -> float:
    """Wall seconds of one `propscope` process (it must succeed)."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", CLI, *args], check=True, capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--model", action="append", help="repeatable; default en-fast")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--lang", default="auto", help="--lang of both commands")
    parser.add_argument("--sample", type=int, default=20, help="articles run through `analyze`")
    parser.add_argument("--work", type=Path, default=REPO / "runs" / "batch-speed")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    corpus = args.work / f"corpus-{args.articles}.jsonl"
    mean_words = build_corpus(args.data_dir, args.articles, corpus)
    sample_dir = args.work / "sample"
    sample_dir.mkdir(parents=True, exist_ok=True)
    sample = []
    with corpus.open(encoding="utf-8") as handle:
        for line, _ in zip(handle, range(args.sample), strict=False):
            row = json.loads(line)
            path = sample_dir / f"{row['id']}.txt"
            path.write_text(row["text"], encoding="utf-8")
            sample.append(path)

    models = []
    for model in args.model or ["en-fast"]:
        runs = []
        for workers in args.workers:
            out = args.work / f"{model}-w{workers}.jsonl"
            seconds = run_cli(
                [
                    "batch",
                    str(corpus),
                    "--out",
                    str(out),
                    "--model",
                    model,
                    "--lang",
                    args.lang,
                    "--workers",
                    str(workers),
                    "--restart",
                    "--no-progress",
                ]
            )
            runs.append(
                {
                    "workers": workers,
                    "seconds": seconds,
                    "articles_per_second": args.articles / seconds,
                }
            )
            print(f"{model}, {workers} worker(s): {args.articles / seconds:.2f} articles/s")
        per_article = sum(
            run_cli(
                ["analyze", str(path), "--format", "json", "--model", model, "--lang", args.lang]
            )
            for path in sample
        ) / len(sample)
        analyze_rate = 1 / per_article
        print(f"{model}, one analyze process per article: {analyze_rate:.2f} articles/s")
        for run in runs:
            run["speedup_vs_analyze"] = run["articles_per_second"] / analyze_rate
        models.append(
            {
                "model": model,
                "runs": runs,
                "analyze_seconds_per_article": per_article,
                "analyze_articles_per_second": analyze_rate,
                "analyze_extrapolated_seconds": per_article * args.articles,
            }
        )
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "articles": args.articles,
        "mean_words_per_article": mean_words,
        "lang": args.lang,
        "analyze_sample": len(sample),
        "models": models,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

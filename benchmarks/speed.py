"""Speed of propscope on this machine, measured as ratios within one run (the machines are noisy).

For each model, in a fresh process of its own: the CPU's capability and the number format and
threads chosen; model load time (imports included); the warm time to analyse a ~600-word
article **as a ratio to the bare fp32 forward of the base encoder(s) over the same tokens** in
the same process (the work no implementation can skip; goal <= 1.3); the bf16/fp32 ratio of that
bare forward (why the format was chosen); peak resident memory. Then, as whole commands: one
``propscope analyze FILE`` process (with torch, and from the ONNX graphs ``propscope prepare``
exports, prepared first where ONNX Runtime is installed and no other CPU is emulated: ONNX
Runtime chooses its kernels by the CPU alone), ``propscope batch`` with 1 and 2 workers, and
``propscope serve`` under 8 concurrent clients on loopback (requests/s, p50 and p95 latency).

The articles are this project's own examples (``examples/opinion*.txt``), repeated to ~600
words; no corpus is needed.

    python benchmarks/speed.py --out benchmarks/results/speed.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from propscope.evaluation.speed import MODEL_LANGUAGE, measure_here, sample_article

REPO = Path(__file__).resolve().parents[1]
ARTICLES = {"en": REPO / "examples" / "opinion.txt", "fr": REPO / "examples" / "opinion-fr.txt"}


def article(lang: str, words: int = 600) -> str:
    """The bundled example of ``lang``, its paragraphs repeated until about ``words`` words."""
    return sample_article(lang, words, ARTICLES[lang].read_text(encoding="utf-8"))


#: Variables that change which kernels and number format run, recorded with the result.
CPU_ENVIRONMENT = (
    "ATEN_CPU_CAPABILITY",
    "ONEDNN_MAX_CPU_ISA",
    "MKL_ENABLE_INSTRUCTIONS",
    "PROPSCOPE_DTYPE",
    "PROPSCOPE_THREADS",
)


def in_process(model: str) -> dict[str, Any]:
    """Run in a fresh process: load, warm analysis, bare encoder forwards, peak memory
    (``propscope bench speed``'s measures, on this project's example article)."""
    lang = MODEL_LANGUAGE[model]
    return measure_here(model, article(lang), lang)


def _in_child(model: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """:func:`in_process` for ``model`` in a fresh process (with ``env`` added)."""
    child = subprocess.run(
        [sys.executable, __file__, "--child", model, "--out", "-"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def _cli(args: list[str], **kwargs: Any) -> float:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "propscope", *args], check=True, capture_output=True, **kwargs
    )
    return time.perf_counter() - began


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_load(
    model: str, text: str, lang: str, clients: int = 8, requests: int = 48
) -> dict[str, Any]:
    """``propscope serve`` on loopback under ``clients`` concurrent clients sending ``requests``
    analyses in all: requests/s and latency percentiles (after one warm-up request)."""
    import httpx

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "propscope", "serve", "--port", str(port), "--model", model],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        body = {"text": text, "lang": lang}
        httpx.post(f"{url}/api/analyze", json=body, timeout=120).raise_for_status()
        latencies: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()
        todo = list(range(requests))

        def client() -> None:
            with httpx.Client(timeout=120) as session:
                while True:
                    with lock:
                        if not todo:
                            return
                        todo.pop()
                    began = time.perf_counter()
                    status = session.post(f"{url}/api/analyze", json=body).status_code
                    with lock:
                        (latencies if status == 200 else failures).append(
                            time.perf_counter() - began if status == 200 else status
                        )

        began = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=60)
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "requests": requests,
        "failed": len(failures),
        "requests_per_second": round(len(latencies) / seconds, 2),
        "p50_seconds": round(ordered[len(ordered) // 2], 3),
        "p95_seconds": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
    }


def emulated() -> bool:
    """Whether this run emulates another CPU's kernels (which ONNX Runtime would not follow)."""
    return any(k in os.environ for k in CPU_ENVIRONMENT[:3])


def whole_commands(model: str, batch_articles: int, onnx: bool) -> dict[str, Any]:
    lang = MODEL_LANGUAGE[model]
    text = article(lang)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        one = folder / "article.txt"
        one.write_text(text, encoding="utf-8")
        corpus = folder / "corpus"
        corpus.mkdir()
        for i in range(batch_articles):
            (corpus / f"a{i:04d}.txt").write_text(f"Report {i}.\n{text}", encoding="utf-8")
        runtimes = ["torch", "onnx"] if onnx else ["torch"]
        if onnx:
            _cli(["prepare", "--model", model])
        cli = {
            runtime: {
                flag: statistics.median(
                    _cli(
                        ["analyze", str(one), "--format", "json", "--model", model, *extra],
                        env={**os.environ, "PROPSCOPE_RUNTIME": runtime},
                    )
                    for _ in range(3)
                )
                for flag, extra in (("lang given", ["--lang", lang]), ("lang auto", []))
            }
            for runtime in runtimes
        }
        batch = {}
        for workers in (1, 2):
            out = folder / f"out-{workers}.jsonl"
            seconds = _cli(
                ["batch", str(corpus), "--out", str(out), "--model", model, "--lang", lang,
                 "--workers", str(workers), "--no-progress"]
            )  # fmt: skip
            batch[str(workers)] = {
                "seconds": round(seconds, 2),
                "articles_per_second": round(batch_articles / seconds, 2),
            }
    return {
        "cli_seconds": {k: round(v, 2) for k, v in cli["torch"].items()},
        "cli_seconds_onnx": {k: round(v, 2) for k, v in cli.get("onnx", {}).items()} or None,
        "batch": batch,
        "batch_articles": batch_articles,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODEL_LANGUAGE))
    parser.add_argument("--batch-articles", type=int, default=40)
    parser.add_argument("--serve-models", nargs="*", default=["en-fast"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--note", default="", help="what else ran meanwhile, if anything")
    parser.add_argument(
        "--data-dir", type=Path, help="also time `predict semeval2023 --lang en --split dev`"
    )
    parser.add_argument("--only-predict", action="store_true", help="just that, into --out")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if args.child:
        print(json.dumps(in_process(args.child)))
        return
    predict = None
    if args.data_dir is not None:
        with tempfile.TemporaryDirectory() as tmp:
            seconds = _cli(
                ["predict", "semeval2023", "--lang", "en", "--split", "dev", "--data-dir",
                 str(args.data_dir), "--out", tmp, "--no-progress"]
            )  # fmt: skip
        predict = {"command": "predict semeval2023 --lang en --split dev", "seconds": seconds}
        print(json.dumps(predict), flush=True)
    if args.only_predict:
        result = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        result["predict_en_dev"] = predict
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        return
    models = []
    for model in args.models:
        row = _in_child(model)
        if row["runtime"]["format"] == "bf16":  # what a CPU without native bf16 would run
            fp32 = _in_child(model, {"PROPSCOPE_DTYPE": "fp32"})
            row["fp32"] = {
                k: fp32[k]
                for k in ("load_seconds", "warm_analysis_seconds", "analysis_over_bare_fp32")
            }
        onnx = not emulated() and find_spec("onnxruntime") is not None
        row.update(whole_commands(model, args.batch_articles, onnx))
        if model in args.serve_models:
            row["serve"] = serve_load(model, article(MODEL_LANGUAGE[model]), MODEL_LANGUAGE[model])
        print(json.dumps(row), flush=True)
        models.append(row)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "note": args.note,
        # Set to emulate another CPU (e.g. ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2
        # MKL_ENABLE_INSTRUCTIONS=AVX2 PROPSCOPE_DTYPE=fp32: an AVX2 machine's kernels).
        "environment": {k: os.environ[k] for k in CPU_ENVIRONMENT if k in os.environ},
        "models": models,
        "predict_en_dev": predict,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

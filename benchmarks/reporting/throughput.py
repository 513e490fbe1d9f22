"""Speed: every bundled model measured in one run (benchmarks/speed.py), the tagger's window
layouts (benchmarks/tagger_windows.py) and `propscope batch` throughput
(benchmarks/batch_speed.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .core import load

#: The speed runs, one per kind of CPU measured, newest first (benchmarks/speed.py --out).
SPEED_RUNS = ("speed-avx512", "speed-avx2-emulated", "speed")


def speed(results: Path) -> dict[str, Any] | None:
    """Speed of every bundled model as ratios measured in one run per machine, and the tagger's
    window layouts on held-out articles."""
    runs = []
    for name in SPEED_RUNS:
        run = load(results, name)
        if not run or "models" not in run:  # (an older speed.json has another layout)
            continue
        runtime = run["models"][0]["runtime"]
        environment = run.get("environment", {})
        # Native bf16 matters only where the kernels run at AVX-512 (an emulated AVX2 run on
        # an AMX machine still reports the CPU's flags).
        native = str(runtime["capability"]).startswith("AVX512")
        runs.append(
            {
                "file": name,
                "run": run,
                "runtime": runtime,
                "emulated": "ATEN_CPU_CAPABILITY" in environment,
                "environment": " ".join(f"{k}={v}" for k, v in environment.items()),
                "extras": [k for k in ("avx512_bf16", "amx") if native and runtime.get(k)],
                "forced": [row for row in run["models"] if row.get("fp32")],
                "served": [row for row in run["models"] if row.get("serve")],
            }
        )
    if not runs:
        return None
    return {
        "runs": runs,
        "windows": [
            json.loads(path.read_text()) for path in sorted(results.glob("tagger-windows-*.json"))
        ],
        "int8": load(results, "int8-check"),
        "onnx": load(results, "onnx-check"),
    }


def batch_speed(results: Path) -> dict[str, Any] | None:
    """The table of `propscope batch` throughput."""
    return load(results, "batch_speed")

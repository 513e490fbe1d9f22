"""Studies of the span tagger on PTC dev: window stride (benchmarks/tagger_stride.py), decoding
tuned on held-out articles (benchmarks/tagger_retune.py) and taggers averaged
(benchmarks/tagger_ensemble.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .core import bundled_json, load

# benchmarks/tagger_retune.py results: the PTC-train MiniLM tagger, then the MPNet one.
RETUNE_RESULTS = ("tagger-retune", "tagger-retune-mpnet")
# benchmarks/tagger_ensemble.py results, one table each.
ENSEMBLE_RESULTS = ("tagger-ensemble", "tagger-ensemble-minilm")


def stride(results: Path) -> dict[str, Any] | None:
    """SI F1 and tagger time per inference stride, time relative to stride 128's."""
    result = load(results, "tagger-stride")
    if not result:
        return None
    rows = result["strides"]
    base = rows.get("128") or next(iter(rows.values()))
    speed = result.get("speed", {})
    return {
        "model": result["model"],
        "window": result["window"],
        "rows": [
            {"stride": name, **row, "relative": row["seconds"] / base["seconds"]}
            for name, row in rows.items()
        ],
        "speed_specs": list(speed),
        "speedups": [(spec, times["128"] / times["192"]) for spec, times in speed.items()],
    }


def retune(results: Path) -> dict[str, Any] | None:
    """SI on PTC dev per tagger and threshold tuning, and how the bundled English taggers were
    tuned again."""
    by_name = {n: r for n in RETUNE_RESULTS if (r := load(results, n))}
    if not by_name:
        return None
    bundled = {
        name: config
        for name in ("en-fast", "en-accurate")
        if (config := bundled_json(name, "tagger/config.json")) is not None
    }
    return {
        "results": by_name,
        "grid": next(iter(by_name.values()))["grid"],
        "retuned": {
            name: c["decode_hysteresis"] for name, c in bundled.items() if c.get("hysteresis_grid")
        },
        "by_rate": [n for n, c in bundled.items() if c.get("rare_label_thresholds") == "rate"],
        "mpnet_tc": load(results, "ptc-dev-mpnet-tc"),
    }


def ensemble(results: Path) -> dict[str, Any] | None:
    """SI on PTC dev of weighted means of taggers, one table per result file (by name)."""
    by_name = {n: r for n in ENSEMBLE_RESULTS if (r := load(results, n))}
    if not by_name:
        return None
    runs = []
    for name, result in by_name.items():
        best = max(result["rows"], key=lambda r: r["held_out_f1"])
        runs.append(
            {
                "name": name,
                "members": [
                    {**model, "letter": chr(65 + i)} for i, model in enumerate(result["models"])
                ],
                "rows": result["rows"],
                "best": best,
                "best_index": next(i for i, r in enumerate(result["rows"]) if r is best),
                "alone": result["rows"][0],
            }
        )
    return {"runs": runs}

"""Write docs/benchmarks.md from the JSON results in benchmarks/results/.

    python benchmarks/report.py

The results are produced by the other scripts in this folder (their docstrings give the commands);
this script only formats them, next to the published shared-task numbers. The text is in
benchmarks/templates/ (Jinja2), the values are computed by benchmarks/reporting/. It writes
nothing else: a model's meta.json is written by ``propscope train`` alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reporting import render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    args.out.write_text(render(args.results), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

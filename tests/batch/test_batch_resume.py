"""``propscope batch`` killed with SIGKILL at random points resumes to the uninterrupted output.

Each run is a real ``propscope batch`` process in its own session; the test kills only the main
process (as ``kill -9`` would), checks that its workers go away by themselves, reruns the same
command and compares the output with an uninterrupted run: the same ids, each once, equal rows.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from propscope.batch.store import partial_dir

CLI = "import sys; from propscope.cli import main; sys.exit(main(sys.argv[1:]))"
SENTENCES = [
    "The governor, a spineless coward, betrayed every family in this state.",
    "The library will extend its opening hours from next month.",
    "Anyone who supports this reckless scheme is an enemy of the people.",
    "Engineers inspected the old dam and found no structural problems.",
    "They want to take away your freedom, and they will not stop!",
    "The school board approved the new timetable by a vote of five to two.",
]
ARTICLES = 24
CHUNK = 2


def write_corpus(folder: Path) -> Path:
    """A folder of invented articles, two of them bad (failure rows must resume too)."""
    for i in range(ARTICLES):
        lines = [SENTENCES[(i + k) % len(SENTENCES)] for k in range(1 + i % 3)]
        sub = folder / f"day{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"article{i:02d}.txt").write_text(
            f"Report {i}\n\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    return folder


def batch_args(corpus: Path, out: Path, workers: int) -> list[str]:
    return [
        sys.executable,
        "-c",
        CLI,
        "batch",
        str(corpus),
        "--out",
        str(out),
        "--model",
        "en-fast",
        "--lang",
        "en",
        "--workers",
        str(workers),
        "--chunk-size",
        str(CHUNK),
        "--no-progress",
    ]


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:
        # A session of its own: its workers can be found (and cleaned up) by process group.
        return subprocess.Popen(args, stdout=handle, stderr=handle, start_new_session=True)


def live_members(group: int) -> list[int]:
    """Processes of the process group that are alive (not zombies); Linux only."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == group:
            members.append(int(entry.name))
    return members


def wait_group_gone(group: int, timeout: float = 20.0) -> list[int]:
    if not Path("/proc").is_dir():
        return []
    deadline = time.monotonic() + timeout
    while (left := live_members(group)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:  # clean up what the test started, then report it
        os.kill(pid, signal.SIGKILL)
    return left


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run_to_end(args: list[str], log: Path) -> float:
    began = time.monotonic()
    process = start(args, log)
    assert process.wait(timeout=300) == 0, log.read_text(errors="replace")
    assert wait_group_gone(process.pid) == []
    return time.monotonic() - began


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("kill") / "articles")


@pytest.fixture(scope="module")
def uninterrupted(corpus: Path) -> Callable[[int], tuple[list[dict[str, Any]], float]]:
    """Rows and wall time of an uninterrupted run with N workers (run on first use)."""
    runs: dict[int, tuple[list[dict[str, Any]], float]] = {}

    def get(workers: int) -> tuple[list[dict[str, Any]], float]:
        if workers not in runs:
            out = corpus.parent / f"uninterrupted-{workers}.jsonl"
            seconds = run_to_end(batch_args(corpus, out, workers), corpus.parent / "log.txt")
            runs[workers] = (read_rows(out), seconds)
        return runs[workers]

    return get


def kill_and_resume(
    corpus: Path, out: Path, workers: int, kill: Any, log: Path
) -> list[dict[str, Any]]:
    """Start a run, kill its main process with SIGKILL when ``kill()`` says so, rerun it."""
    process = start(batch_args(corpus, out, workers), log)
    while process.poll() is None and not kill():
        time.sleep(0.02)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    code = process.wait(timeout=60)
    assert code in (0, -signal.SIGKILL), log.read_text(errors="replace")
    # The workers notice that their parent is gone and exit on their own.
    assert wait_group_gone(process.pid) == []
    finished = out.exists() and not partial_dir(out).exists()
    if not finished:
        assert not out.exists() or partial_dir(out).exists()
        run_to_end(batch_args(corpus, out, workers), log)
    assert not partial_dir(out).exists()
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".")) == []
    return read_rows(out)


def parts(out: Path) -> int:
    folder = partial_dir(out)
    return len(list(folder.glob("part-*"))) if folder.is_dir() else 0


def check_same(rows: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == ARTICLES + 2
    assert ids == [r["id"] for r in expected]
    assert rows == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    ("seed", "workers", "when"),
    [(1, 1, "parts"), (2, 2, "parts"), (3, 1, "time"), (4, 2, "time")],
)
def test_batch_resumes_after_sigkill_at_a_random_point(
    corpus: Path, uninterrupted: Any, tmp_path: Path, seed: int, workers: int, when: str
) -> None:
    expected, seconds = uninterrupted(workers)
    rng = random.Random(seed)
    out = tmp_path / "out" / "result.jsonl"
    if when == "time":  # any moment of the run: start-up, model loading, chunks, finishing
        deadline = time.monotonic() + rng.uniform(0.2, seconds)
        kill = lambda: time.monotonic() >= deadline  # noqa: E731
    else:  # right after a random number of committed chunks
        wanted = rng.randint(1, (ARTICLES + 2) // CHUNK - 1)
        kill = lambda: parts(out) >= wanted  # noqa: E731
    rows = kill_and_resume(corpus, out, workers, kill, tmp_path / "log.txt")
    check_same(rows, expected)

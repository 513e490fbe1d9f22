"""The engines: worker processes, a local Dask cluster and a local Ray cluster give equal rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from propscope.batch import run_batch
from propscope.batch.engines import InProcessEngine, ProcessEngine, WorkSettings, open_engine

WORKERS = 2
TEXTS = [
    "The minister, a shameless liar, has fooled this country for far too long.",
    "Heavy snow closed two mountain passes on Sunday, the police said.",
    "Only cowards would stay silent while our town is being sold off.",
    "The museum reopens after a two-year renovation of its east wing.",
    "Do not let these greedy bankers steal your future!",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("engines") / "in.jsonl"
    rows: list[dict[str, Any]] = [
        {"id": f"n{i}", "text": f"Story {i}\n\n{text}\n", "feed": f"f{i % 2}"}
        for i, text in enumerate(TEXTS)
    ]
    rows.insert(2, {"id": "blank", "text": " ", "feed": "f0"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def local_rows(corpus: Path) -> list[dict[str, Any]]:
    """The rows of the local engine with worker processes (the reference)."""
    return run_engine(corpus, "local")


def run_engine(corpus: Path, engine: str) -> list[dict[str, Any]]:
    out = corpus.parent / f"{engine}.jsonl"
    summary = run_batch(
        corpus, out, model="en-fast", lang="en", workers=WORKERS, engine=engine, chunk_size=2
    )
    assert (summary.articles, summary.failed) == (len(TEXTS) + 1, 1)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_open_engine_picks_the_engine() -> None:
    settings = WorkSettings("en-fast", "en")
    assert isinstance(open_engine("local", settings, 1), InProcessEngine)
    engine = open_engine("local", settings, 2)
    assert isinstance(engine, ProcessEngine) and engine.settings.threads is not None


@pytest.mark.slow
def test_local_engine_with_worker_processes(local_rows: list[dict[str, Any]]) -> None:
    assert [r["status"] for r in local_rows] == ["ok", "ok", "failed", "ok", "ok", "ok"]
    assert local_rows[2]["error"]["code"] == "E001"
    assert all(r["feed"] in ("f0", "f1") for r in local_rows)


@pytest.mark.slow
def test_dask_engine_on_a_local_cluster_equals_local(
    corpus: Path, local_rows: list[dict[str, Any]]
) -> None:
    pytest.importorskip("distributed")
    assert run_engine(corpus, "dask") == local_rows


@pytest.mark.slow
def test_ray_engine_on_a_local_cluster_equals_local(
    corpus: Path, local_rows: list[dict[str, Any]]
) -> None:
    ray = pytest.importorskip("ray")
    try:
        assert run_engine(corpus, "ray") == local_rows
        assert not ray.is_initialized()  # the run shut down the cluster it started
    finally:
        if ray.is_initialized():
            ray.shutdown()

"""Where the analysis runs: this process, worker processes, or a Dask or Ray cluster.

Every engine runs the same function, :func:`analyze_chunk`, on chunks of ``(id, text)`` pairs and
hands the rows back in the order the chunks were submitted; the scheduling is left to
:mod:`concurrent.futures`, Dask or Ray. A worker loads the model once (the first chunk, or
:func:`prepare_worker` when it starts) and keeps it for the rest of the run.

- ``local``, 1 worker: in this process.
- ``local``, N workers: a :class:`~concurrent.futures.ProcessPoolExecutor` of spawned processes.
- ``dask``: ``distributed.Client`` on ``address``, or on a new ``LocalCluster`` of N processes.
- ``ray``: ``ray.init(address)`` (a new local cluster of N CPUs by default), one actor per worker
  in a ``ray.util.ActorPool``.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from propscope.batch.rows import error_dict, failure_row, ok_row
from propscope.errors import ConfigError, EngineError, Errors
from propscope.extras import require_extra
from propscope.language import resolve_language
from propscope.model_choice import ModelChooser
from propscope.models.runtime import thread_count, use_threads
from propscope.results import result_dict
from propscope.types import Document

ENGINES = ("local", "dask", "ray")

Items = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class WorkSettings:
    """What a worker needs to analyse articles: the model, the language and the threshold."""

    model: str
    lang: str = "auto"
    threshold: float | None = None
    #: Spans under this (calibrated) score are left out; None: the model's default.
    min_confidence: float | None = None
    #: The deployment prior over genres (models/genre.py); None: the model's own.
    genre_prior: str | None = None
    #: Torch threads per worker (None: ``propscope.models.runtime.thread_count``).
    threads: int | None = None


def prepare_worker(settings: WorkSettings, watch_parent: bool = False) -> None:
    """Set a worker up: thread count, the model loaded (cached for the process's lifetime).

    With ``watch_parent``, the worker exits when the process that started it is gone, so a
    killed run leaves no orphaned workers holding a model in memory.
    """
    use_threads(settings.threads or thread_count())
    if watch_parent:
        # Ctrl-C reaches the whole process group: the main process stops the workers itself,
        # rather than each worker printing its own KeyboardInterrupt.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        parent = os.getppid()

        def watch() -> None:
            while True:
                time.sleep(0.5)
                if os.getppid() != parent:
                    os._exit(1)

        threading.Thread(target=watch, name="propscope-parent-watch", daemon=True).start()

    ModelChooser(settings.model).preload()


def analyze_chunk(items: Items, settings: WorkSettings) -> list[dict[str, Any]]:
    """The rows (without carried columns) of ``(id, text)`` pairs, in the same order.

    Each article's language is resolved (``settings.lang``) and picks the model (``auto``: one
    per language). An article whose analysis raises becomes a failure row; the others are
    analysed together, one ``analyze_documents`` call per model, or one by one when it fails.
    """
    chooser = ModelChooser(settings.model)
    rows: dict[str, dict[str, Any]] = {}
    groups: dict[int, tuple[Any, list[Document]]] = {}
    for article_id, text in items:
        try:
            language = resolve_language(text, settings.lang).code
            pipeline = chooser.pipeline_for(language)
            document = Document(article_id, text, language=language)
        except Exception as exc:
            rows[article_id] = failure_row(article_id, error_dict(exc))
            continue
        groups.setdefault(id(pipeline), (pipeline, []))[1].append(document)
    for pipeline, documents in groups.values():
        if settings.genre_prior is not None:
            pipeline = pipeline.with_genre_settings(prior=settings.genre_prior)
        try:
            analysed = pipeline.analyze_documents(
                documents, threshold=settings.threshold, min_confidence=settings.min_confidence
            )
        except Exception:
            analysed = []
            for document in documents:
                try:
                    analysed += pipeline.analyze_documents(
                        [document],
                        threshold=settings.threshold,
                        min_confidence=settings.min_confidence,
                    )
                except Exception as exc:
                    rows[document.id] = failure_row(document.id, error_dict(exc))
        for document in analysed:
            rows[document.id] = ok_row(result_dict(document, pipeline))
    return [rows[article_id] for article_id, _ in items]


class Engine:
    """Runs chunks; :meth:`result` must be called in the order of :meth:`submit`."""

    name = "local"
    #: How many chunks to keep submitted, so that no worker waits for the next one.
    window = 2

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, items: Items) -> Any:
        raise NotImplementedError

    def result(self, handle: Any) -> list[dict[str, Any]]:
        raise NotImplementedError


class InProcessEngine(Engine):
    """One worker: this process (the model is loaded here, once)."""

    window = 1

    def __init__(self, settings: WorkSettings) -> None:
        self.settings = settings

    def __enter__(self) -> InProcessEngine:
        prepare_worker(self.settings)
        return self

    def submit(self, items: Items) -> Any:
        return items

    def result(self, handle: Any) -> list[dict[str, Any]]:
        return analyze_chunk(handle, self.settings)


class ProcessEngine(Engine):
    """N spawned worker processes on this machine, each loading the model once."""

    def __init__(self, settings: WorkSettings, workers: int) -> None:
        self.settings = settings
        self.workers = workers
        self.window = 2 * workers
        self.pool: Any = None

    def __enter__(self) -> ProcessEngine:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Spawned, not forked: a forked copy of a process with threads (torch, Rich) can hang.
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=prepare_worker,
            initargs=(self.settings, True),
        )
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if self.pool is None:
            return
        if kind is not None:
            # An error or Ctrl-C: stop the workers now rather than let them finish their chunks
            # (which would not be committed anyway).
            terminate = getattr(self.pool, "terminate_workers", None)  # Python 3.14+
            if terminate is not None:
                terminate()
            else:
                processes = getattr(self.pool, "_processes", None) or {}  # private before 3.14
                for process in list(processes.values()):
                    process.terminate()
        self.pool.shutdown(wait=kind is None, cancel_futures=kind is not None)
        self.pool = None

    def submit(self, items: Items) -> Any:
        return self.pool.submit(analyze_chunk, items, self.settings)

    def result(self, handle: Any) -> list[dict[str, Any]]:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return handle.result()
        except BrokenProcessPool as exc:
            raise EngineError(
                Errors.E077.format(engine="local", reason=f"a worker process died ({exc})")
            ) from exc


class DaskEngine(Engine):
    """A Dask cluster: the one at ``address``, or a new local cluster of N processes."""

    name = "dask"

    def __init__(self, settings: WorkSettings, workers: int, address: str | None) -> None:
        # Imported now, so that a missing package is reported before any input is read.
        self.distributed = require_extra("distributed", "--engine dask", "dask")
        self.settings = settings
        self.workers = workers
        self.address = address
        self.client: Any = None
        self.cluster: Any = None

    def __enter__(self) -> DaskEngine:
        Client, LocalCluster = self.distributed.Client, self.distributed.LocalCluster
        try:
            if self.address:
                self.client = Client(self.address)
            else:
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                self.client = Client(self.cluster)
            # Load the model in every worker now; workers that join later load it on first use.
            self.client.run(prepare_worker, self.settings)
        except (OSError, TimeoutError) as exc:
            self.__exit__(None)
            raise EngineError(Errors.E077.format(engine="dask", reason=exc)) from exc
        except BaseException:
            self.__exit__(None)
            raise
        self.window = 2 * max(1, len(self.client.scheduler_info().get("workers", {})))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def submit(self, items: Items) -> Any:
        return self.client.submit(analyze_chunk, list(items), self.settings, pure=False)

    def result(self, handle: Any) -> list[dict[str, Any]]:
        try:
            return handle.result()
        except (OSError, TimeoutError) as exc:
            raise EngineError(Errors.E077.format(engine="dask", reason=exc)) from exc


class RayWorker:
    """A Ray actor holding the model (one per worker)."""

    def __init__(self, settings: WorkSettings) -> None:
        self.settings = settings
        prepare_worker(settings)

    def analyze(self, items: Items) -> list[dict[str, Any]]:
        return analyze_chunk(items, self.settings)


class RayEngine(Engine):
    """A Ray cluster: the one at ``address``, or a new local one with N CPUs; N actors."""

    name = "ray"

    def __init__(self, settings: WorkSettings, workers: int, address: str | None) -> None:
        require_extra("ray", "--engine ray", "ray")
        self.settings = settings
        self.workers = workers
        self.address = address
        self.window = 2 * workers
        self.pool: Any = None
        self.started = False

    def __enter__(self) -> RayEngine:
        import logging

        import ray
        from ray.util import ActorPool

        if not ray.is_initialized():
            try:
                ray.init(
                    address=self.address or None,
                    num_cpus=None if self.address else self.workers,
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.ERROR,
                )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise EngineError(Errors.E077.format(engine="ray", reason=exc)) from exc
            self.started = True
        try:
            actor = ray.remote(num_cpus=1)(RayWorker)
            self.pool = ActorPool([actor.remote(self.settings) for _ in range(self.workers)])
        except BaseException:
            self.__exit__(None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            import ray

            ray.shutdown()
            self.started = False

    def submit(self, items: Items) -> Any:
        self.pool.submit(lambda worker, chunk: worker.analyze.remote(chunk), list(items))
        return None

    def result(self, handle: Any) -> list[dict[str, Any]]:
        # ActorPool hands results back in submission order, which is the order asked for here.
        import ray

        try:
            return self.pool.get_next()
        except ray.exceptions.RayError as exc:
            raise EngineError(Errors.E077.format(engine="ray", reason=exc)) from exc


def open_engine(
    engine: str, settings: WorkSettings, workers: int = 1, address: str | None = None
) -> Engine:
    """The engine named ``engine`` (``local``, ``dask`` or ``ray``), not yet started.

    Raises:
        ConfigError: An unknown engine, or ``address`` with the local engine.
    """
    if engine not in ENGINES:
        raise ConfigError(
            Errors.E050.format(name="--engine", value=engine, reason="use local, dask or ray")
        )
    # Torch threads per worker: the cores shared out, when the workers run on this machine.
    # (Scores can differ in the last digits between thread counts: same --workers, same rows.)
    shared = max(1, (os.cpu_count() or 1) // workers)
    if engine == "local":
        if address:
            raise ConfigError(
                Errors.E050.format(
                    name="--address", value=address, reason="only with --engine dask or ray"
                )
            )
        if workers == 1:
            return InProcessEngine(settings)
        return ProcessEngine(replace(settings, threads=shared), workers)
    if engine == "dask":
        return DaskEngine(replace(settings, threads=None if address else shared), workers, address)
    # A Ray actor reserves one CPU of a cluster: one thread there.
    return RayEngine(replace(settings, threads=1 if address else shared), workers, address)


__all__ = [
    "ENGINES",
    "DaskEngine",
    "Engine",
    "InProcessEngine",
    "ProcessEngine",
    "RayEngine",
    "WorkSettings",
    "analyze_chunk",
    "open_engine",
    "prepare_worker",
]

"""Analyses that can be stopped: a fixed set of worker threads behind a bounded queue.

Each request's analysis (or HTML extraction, or report) becomes a job. While it waits, the
request checks every quarter second whether its client has gone and whether its time limit has
passed; either stops the job. A queued job is dropped; a running one gets an exception raised
inside its worker thread (``PyThreadState_SetAsyncExc``), which Python delivers at the next
bytecode boundary, between two model calls, so that the worker is free again within one window
of work. A job holds its place until its thread has really stopped, so the number of analyses
that run at once never exceeds ``workers``, and a full queue (``workers + max_queue`` jobs) is
answered at once with 503 and ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import queue
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from propscope.errors import Errors, PropscopeError


class ServerBusyError(PropscopeError, RuntimeError):
    """Every worker is busy and the queue is full (503, with Retry-After)."""

    http_status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[ServerBusyError], tuple[str, int]]:
        return (type(self), (self.args[0], self.retry_after))


class AnalysisTimeoutError(PropscopeError, TimeoutError):
    """An analysis ran past the per-request time limit and was stopped (503)."""

    http_status = 503


class ClientGoneError(PropscopeError, ConnectionError):
    """The client disconnected; its job was stopped and nobody reads the answer."""

    http_status = 499


class _Stop(BaseException):
    """Raised inside a worker thread to stop its job (a BaseException: no ``except Exception``
    in the library swallows it)."""


def _raise_in_thread(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None
    )


class _Job:
    def __init__(self, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.func = func
        self.args = args
        self.lock = threading.Lock()
        self.thread_id: int | None = None
        self.cancelled = False
        self.stop_sent = False
        self.finished = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.future: asyncio.Future[None] | None = None

    def cancel(self) -> None:
        with self.lock:
            self.cancelled = True
            if self.thread_id is not None and not self.stop_sent:
                self.stop_sent = True
                _raise_in_thread(self.thread_id, _Stop)

    def wake(self) -> None:
        loop, future = self.loop, self.future
        if loop is None or future is None:
            return

        def done() -> None:
            if not future.done():
                future.set_result(None)

        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            loop.call_soon_threadsafe(done)


class JobRunner:
    """``workers`` threads that run jobs from a queue of at most ``max_queue`` waiting jobs.

    Example:
        >>> runner = JobRunner(workers=1, max_queue=1, timeout=5.0)  # doctest: +SKIP
        >>> await runner.run(sum, [1, 2])  # doctest: +SKIP
        3
    """

    def __init__(self, workers: int, max_queue: int, timeout: float, poll: float = 0.25) -> None:
        self.workers = workers
        self.max_queue = max_queue
        self.timeout = timeout
        self.poll = poll
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._jobs: set[_Job] = set()  # waiting or running, until their thread is free again
        self._threads: list[threading.Thread] = []
        self._closed = False

    @property
    def held(self) -> int:
        """Jobs waiting or running now (a stopped job counts until its thread is free)."""
        return len(self._jobs)

    def _start(self) -> None:
        if not self._threads:
            for i in range(self.workers):
                thread = threading.Thread(
                    target=self._work, name=f"propscope-analysis-{i}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        while True:
            job: _Job | None = None
            try:
                job = self._queue.get()
                if job is None:
                    return
                self._run_one(job)
            except _Stop:  # delivered after the job's own code ended
                if job is not None:
                    with job.lock:
                        job.thread_id = None
            finally:
                if job is not None:
                    self._release(job)

    def _run_one(self, job: _Job) -> None:
        with job.lock:
            if job.cancelled:
                return
            job.thread_id = threading.get_ident()
        try:
            job.result = job.func(*job.args)
        except _Stop:
            job.error = None
        except BaseException as exc:  # handed to the request, which raises it
            job.error = exc
        with job.lock:
            if job.stop_sent and job.thread_id is not None:
                _raise_in_thread(job.thread_id, None)  # clear one that has not arrived yet
            job.thread_id = None

    def _release(self, job: _Job) -> None:
        with self._lock:
            self._jobs.discard(job)
        job.finished.set()
        job.wake()

    async def run(
        self,
        func: Callable[..., Any],
        *args: Any,
        gone: Callable[[], Awaitable[bool]] | None = None,
    ) -> Any:
        """Run ``func(*args)`` on a worker; stop it at the time limit or when ``gone()`` is true.

        Raises:
            ServerBusyError: The queue is full (nothing was started).
            AnalysisTimeoutError: The time limit passed (the job was stopped).
            ClientGoneError: ``gone()`` said the client left (the job was stopped).
        """
        loop = asyncio.get_running_loop()
        job = _Job(func, args)
        job.loop = loop
        job.future = loop.create_future()
        with self._lock:
            held = len(self._jobs)
            if self._closed or held >= self.workers + self.max_queue:
                running = min(held, self.workers)
                raise ServerBusyError(
                    Errors.E064.format(
                        running=running, waiting=held - running, retry=self.retry_after
                    ),
                    self.retry_after,
                )
            self._jobs.add(job)
            self._start()
        self._queue.put(job)
        deadline = loop.time() + self.timeout
        try:
            while not job.finished.is_set():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    job.cancel()
                    raise AnalysisTimeoutError(Errors.E066.format(limit=self.timeout))
                await asyncio.wait({job.future}, timeout=min(self.poll, remaining))
                if not job.finished.is_set() and gone is not None and await gone():
                    job.cancel()
                    raise ClientGoneError("the client disconnected")
        except asyncio.CancelledError:
            job.cancel()
            raise
        if job.error is not None:
            raise job.error
        if job.cancelled:
            raise AnalysisTimeoutError(Errors.E066.format(limit=self.timeout))
        return job.result

    @property
    def retry_after(self) -> int:
        """Seconds a refused client is told to wait."""
        return max(1, min(60, round(self.timeout / 4)))

    def close(self, wait: float = 0.0) -> None:
        """Refuse new jobs, stop the running ones and end the worker threads."""
        with self._lock:
            self._closed = True
            jobs = list(self._jobs)
        for job in jobs:
            job.cancel()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(wait)


__all__ = ["AnalysisTimeoutError", "ClientGoneError", "JobRunner", "ServerBusyError"]

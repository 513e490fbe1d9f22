"""Run the app with uvicorn in a background thread (for browser tests and the screenshot script)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

# Flags for a headless Debian chromium on a machine without internet access (the browser tests and
# benchmarks/screenshot.py): without the networking flags it keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class BackgroundServer:
    """uvicorn in a daemon thread on ``host`` and a free port, as a context manager.

    The socket is bound before the thread starts, so :attr:`url` is known at once.

    Example:
        >>> with BackgroundServer(app) as server:  # doctest: +SKIP
        ...     print(server.url)
        http://127.0.0.1:41234
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", start_timeout: float = 20.0) -> None:
        import uvicorn

        self.start_timeout = start_timeout
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind((host, 0))
        self.url = f"http://{host}:{self.socket.getsockname()[1]}"
        from propscope.server.protocol import header_timeout_protocol

        settings = getattr(getattr(app, "state", None), "settings", None)
        http: Any = "h11"
        if settings is not None:  # a propscope app: the header deadline of `propscope serve`
            http = header_timeout_protocol(settings.body_timeout)
        config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="off", http=http)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                self.close()
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Ask uvicorn to stop, wait for its thread and release the socket."""
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(10)
        self.socket.close()


__all__ = ["BackgroundServer"]

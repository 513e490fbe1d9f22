"""uvicorn's HTTP/1.1 protocol with a deadline for request headers.

uvicorn closes idle keep-alive connections, but a client that opens a connection and sends its
request line and headers a byte at a time (or never finishes them) holds the connection and its
file descriptor for ever. Here every request must have its headers complete within
``header_timeout`` seconds of the connection opening or of the previous answer; the body has its
own deadline (:class:`~propscope.server.middleware.BodyLimitMiddleware`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def header_timeout_protocol(header_timeout: float) -> type[asyncio.Protocol]:
    """An :class:`H11Protocol` subclass that closes connections slower than ``header_timeout``."""

    class HeaderTimeoutProtocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None
        _cycle_at_arm: Any = None

        def _arm_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            self._cycle_at_arm = self.cycle
            self._header_timer = self.loop.call_later(header_timeout, self._header_deadline)

        def _header_deadline(self) -> None:
            # A request whose headers arrived made a new cycle; nothing new means too slow.
            if self.cycle is self._cycle_at_arm and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_header_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol


__all__ = ["header_timeout_protocol"]

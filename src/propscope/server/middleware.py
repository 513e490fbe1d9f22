"""ASGI middleware: allowed Host names, the request body limits, and the security headers."""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from propscope.errors import Errors, PropscopeError
from propscope.server.errors import (
    CONTENT_SECURITY_POLICY,
    SECURITY_HEADERS,
    HostNotAllowedError,
    RequestTimeoutError,
    RequestTooLargeError,
    error_bytes,
)
from propscope.server.settings import ServerSettings

_BODY_METHODS = {"POST", "PUT", "PATCH"}


async def send_error(send: Send, error: PropscopeError) -> None:
    """Send ``error``'s JSON answer (with the security headers) and close the connection."""
    status, headers, body = error_bytes(error)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class HostCheckMiddleware:
    """Answer only requests whose ``Host`` is one of ``settings.allowed_hosts`` (else 421).

    A web page on another site can make a browser send requests to a server on loopback by
    pointing its own name at 127.0.0.1 (DNS rebinding); those requests carry the other name.
    """

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = dict(scope["headers"]).get(b"host")
        host = raw.decode("latin-1") if raw is not None else None
        if not self.settings.allows_host(host):
            allowed = ", ".join(self.settings.allowed_hosts)
            await send_error(
                send, HostNotAllowedError(Errors.E067.format(host=host or "", allowed=allowed))
            )
            return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` (413) or slower than ``timeout`` seconds (408).

    The declared ``Content-Length`` is checked first; the body is then read (it is small by
    construction) while counting, which also catches chunked bodies and lying headers, and
    handed on to the application in one piece. One deadline covers the whole body, so a client
    that trickles it cannot hold a connection open.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float = 10.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def _refuse(self, send: Send) -> None:
        await send_error(send, RequestTooLargeError(Errors.E060.format(limit=self.max_bytes)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        with anyio.move_on_after(self.timeout) as scope_timer:
            while True:
                message = await receive()
                if message["type"] != "http.request":  # the client went away
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_bytes:
                    await self._refuse(send)
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        if scope_timer.cancelled_caught:
            await send_error(send, RequestTimeoutError(Errors.E068.format(limit=self.timeout)))
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SecurityHeadersMiddleware:
    """Add a strict Content-Security-Policy and related headers to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "BodyLimitMiddleware",
    "HostCheckMiddleware",
    "SecurityHeadersMiddleware",
    "send_error",
]

"""Settings of the web server (``propscope serve``): size, time and network limits."""

from __future__ import annotations

from dataclasses import dataclass

from propscope.errors import ConfigError, Errors
from propscope.inputs import DEFAULT_FETCH_MAX_BYTES, DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_CHARS

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class ServerSettings:
    """Limits that protect the server; every one is checked before any model runs.

    Attributes:
        max_body_bytes: Largest request body accepted, checked from ``Content-Length`` and while
            the body streams in, before it is parsed (413 above it).
        max_chars: Largest article, in characters, after decoding or extraction (413 above it).
        fetch_timeout: Seconds a URL fetch may take, for the connection and overall.
        fetch_max_bytes: Largest page a URL fetch downloads.
        allow_private_urls: Fetch URLs that resolve to private, loopback or link-local addresses
            (off by default, so the server cannot be used to reach the network behind it).
        max_concurrent_analyses: Analyses that run at the same time in worker threads; more wait.
        max_queue: Analyses that may wait for a worker; a request beyond that is answered at
            once with 503 and ``Retry-After``.
        analysis_timeout: Seconds one request's analysis (extraction included) may run before it
            is stopped (503); an analysis is also stopped when its client disconnects.
        body_timeout: Seconds a request body may take to arrive (408 after that).
        allowed_hosts: Names the ``Host`` header may carry (without port); others get 421, which
            stops DNS rebinding against a local server. ``"*"`` allows any.
        shutdown_timeout: Seconds open requests get after SIGTERM before they are cut.
    """

    max_body_bytes: int = 4_000_000
    max_chars: int = DEFAULT_MAX_CHARS
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    fetch_max_bytes: int = DEFAULT_FETCH_MAX_BYTES
    allow_private_urls: bool = False
    max_concurrent_analyses: int = 2
    max_queue: int = 8
    analysis_timeout: float = 60.0
    body_timeout: float = 10.0
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    shutdown_timeout: float = 3.0

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_chars", "fetch_max_bytes", "max_concurrent_analyses"):
            if getattr(self, name) < 1:
                raise ConfigError(
                    Errors.E050.format(name=name, value=getattr(self, name), reason="must be >= 1")
                )
        if self.max_queue < 0:
            raise ConfigError(
                Errors.E050.format(name="max_queue", value=self.max_queue, reason="must be >= 0")
            )
        for name in ("fetch_timeout", "analysis_timeout", "body_timeout", "shutdown_timeout"):
            if not getattr(self, name) > 0:
                raise ConfigError(
                    Errors.E050.format(
                        name=name, value=getattr(self, name), reason="must be > 0 seconds"
                    )
                )
        hosts = tuple(normalise_host(host) for host in self.allowed_hosts)
        if not all(hosts):
            raise ConfigError(
                Errors.E050.format(
                    name="allowed_hosts", value=self.allowed_hosts, reason="empty host name"
                )
            )
        object.__setattr__(self, "allowed_hosts", hosts)

    def allows_host(self, header: str | None) -> bool:
        """Whether a request with this ``Host`` header value is answered."""
        if "*" in self.allowed_hosts:
            return True
        return header is not None and normalise_host(header) in self.allowed_hosts


def normalise_host(value: str) -> str:
    """A host name or ``Host`` header value without port, brackets, case or final dot.

    Example:
        >>> normalise_host("[::1]:8000"), normalise_host("LocalHost.:80")
        ('::1', 'localhost')
    """
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else ""
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


__all__ = ["LOOPBACK_HOSTS", "ServerSettings", "normalise_host"]

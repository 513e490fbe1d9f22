"""Settings of the web server (``propscope serve``): size, time and network limits."""

from __future__ import annotations

from dataclasses import dataclass

from propscope.errors import ConfigError, Errors
from propscope.inputs import DEFAULT_FETCH_MAX_BYTES, DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_CHARS


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
    """

    max_body_bytes: int = 4_000_000
    max_chars: int = DEFAULT_MAX_CHARS
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    fetch_max_bytes: int = DEFAULT_FETCH_MAX_BYTES
    allow_private_urls: bool = False
    max_concurrent_analyses: int = 2

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_chars", "fetch_max_bytes", "max_concurrent_analyses"):
            if getattr(self, name) < 1:
                raise ConfigError(
                    Errors.E050.format(name=name, value=getattr(self, name), reason="must be >= 1")
                )
        if not self.fetch_timeout > 0:
            raise ConfigError(
                Errors.E050.format(
                    name="fetch_timeout", value=self.fetch_timeout, reason="must be > 0 seconds"
                )
            )


__all__ = ["ServerSettings"]

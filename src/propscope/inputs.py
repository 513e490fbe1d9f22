"""Getting article text from what a user gives: a file, standard input, bytes, or a URL.

Every check that protects the models lives here: empty, binary, non-UTF-8 and oversized input are
refused with an error that says what is wrong. Text is decoded as UTF-8 and otherwise left alone
(CRLF and a byte-order mark stay in the text), so that offsets always point into what was given.
HTML (by file extension, or a fetched page) is reduced to its main text with trafilatura.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from propscope.errors import (
    Errors,
    FetchError,
    InputNotFoundError,
    InputTooLargeError,
    InvalidInputError,
)

DEFAULT_MAX_CHARS = 200_000
DEFAULT_FETCH_TIMEOUT = 10.0
DEFAULT_FETCH_MAX_BYTES = 5_000_000
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class InputText:
    """Decoded article text and where it came from."""

    id: str
    text: str
    source: str


def decode_text(data: bytes, source: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Decode ``data`` as UTF-8 text, refusing binary, undecodable, empty or oversized input."""
    if b"\x00" in data[:8192]:
        raise InvalidInputError(Errors.E002.format(source=source, reason="it contains NUL bytes"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            Errors.E003.format(source=source, position=exc.start, reason=exc.reason)
        ) from exc
    return check_text(text, source, max_chars)


def check_text(text: str, source: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Return ``text`` if it is non-empty, not binary-looking, and within ``max_chars``."""
    if not text.strip().strip("\ufeff"):
        raise InvalidInputError(Errors.E001.format(source=source))
    if len(text) > max_chars:
        raise InputTooLargeError(Errors.E004.format(source=source, size=len(text), limit=max_chars))
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if controls > max(8, len(text[:4096]) // 20):
        raise InvalidInputError(
            Errors.E002.format(source=source, reason=f"{controls} control characters")
        )
    return text


def html_to_text(html: str, source: str) -> str:
    """The main text of an HTML page (boilerplate removed), one paragraph per line."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False)
    if not text or not text.strip():
        raise FetchError(Errors.E007.format(url=source))
    return text


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def _check_host(url: str, allow_private: bool) -> None:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise FetchError(Errors.E006.format(url=url, reason="only http(s) URLs with a host"))
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 80)
    except OSError as exc:
        raise FetchError(Errors.E006.format(url=url, reason=f"cannot resolve host: {exc}")) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local:
            raise FetchError(
                Errors.E006.format(
                    url=url, reason=f"{parsed.hostname} resolves to a private address {address}"
                )
            )


def fetch_url(
    url: str,
    *,
    timeout: float = DEFAULT_FETCH_TIMEOUT,
    max_bytes: int = DEFAULT_FETCH_MAX_BYTES,
    allow_private: bool = False,
) -> str:
    """Download ``url`` (http/https only, size and time limited) and extract its main text."""
    _check_host(url, allow_private)
    request = urllib.request.Request(url, headers={"User-Agent": "propscope"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
            charset = response.headers.get_content_charset() or "utf-8"
            content_type = response.headers.get_content_type()
    except OSError as exc:
        raise FetchError(Errors.E006.format(url=url, reason=exc)) from exc
    if len(data) > max_bytes:
        raise FetchError(Errors.E006.format(url=url, reason=f"page larger than {max_bytes} bytes"))
    page = data.decode(charset, errors="replace")
    if content_type == "text/plain":
        return page
    return html_to_text(page, url)


def read_input(
    source: str,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    stdin: bytes | None = None,
    allow_private_urls: bool = False,
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
) -> InputText:
    """Read an article from a path, ``-`` (``stdin`` bytes) or an http(s) URL.

    Example:
        >>> read_input("-", stdin="Hello world".encode()).text
        'Hello world'
    """
    if source == "-":
        text = decode_text(stdin or b"", "<stdin>", max_chars)
        return InputText("stdin", text, "<stdin>")
    if is_url(source):
        text = fetch_url(source, timeout=fetch_timeout, allow_private=allow_private_urls)
        return InputText(source, check_text(text, source, max_chars), source)
    path = Path(source)
    if not path.is_file():
        raise InputNotFoundError(Errors.E005.format(path=path))
    # Read a little more than the limit allows (4 bytes per character at most) and no more.
    cap = max_chars * 4 + 4
    with path.open("rb") as handle:
        data = handle.read(cap)
    if len(data) == cap and b"\x00" not in data[:8192]:
        # Longer than any text within the limit. The read may have cut a character in two, so
        # decode leniently: only the size matters now (the count is a lower bound).
        size = len(data.decode("utf-8", errors="ignore"))
        raise InputTooLargeError(Errors.E004.format(source=path, size=size, limit=max_chars))
    text = decode_text(data, str(path), max_chars=cap)
    if path.suffix.lower() in HTML_SUFFIXES:
        text = html_to_text(text, str(path))
    return InputText(path.stem, check_text(text, str(path), max_chars), str(path))

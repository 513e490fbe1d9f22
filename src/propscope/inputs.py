"""Getting article text from what a user gives: a file, standard input, bytes, or a URL.

Every check that protects the models lives here: empty, binary, non-UTF-8 and oversized input are
refused with an error that says what is wrong. Text is decoded as UTF-8 and otherwise left alone
(CRLF and a byte-order mark stay in the text), so that offsets always point into what was given.
HTML (by file extension, or a fetched page) is reduced to its main text with trafilatura.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from propscope.errors import (
    Errors,
    FetchError,
    InputNotFoundError,
    InputTooLargeError,
    InvalidInputError,
)
from propscope.fetch import Page, download

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
    """Decode ``data`` as UTF-8 (or UTF-16/32 where a byte-order mark says so), refusing binary,
    undecodable, empty or oversized input."""
    encoding = "utf-8"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data:
        raise InvalidInputError(Errors.E002.format(source=source, reason="it contains NUL bytes"))
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            Errors.E003.format(source=source, position=exc.start, reason=exc.reason)
        ) from exc
    return check_text(text, source, max_chars)


# C0 controls other than tab, line feed, vertical tab, form feed and carriage return.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: str, source: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Return ``text`` if it is non-empty, not binary-looking, and within ``max_chars``.

    The whole text is checked: control characters may make up at most one in twenty characters
    (and eight in all for short texts), and a lone UTF-16 surrogate (which only a JSON escape can
    make) is refused, since no output could encode it.
    """
    if not text.strip().strip("\ufeff"):
        raise InvalidInputError(Errors.E001.format(source=source))
    if len(text) > max_chars:
        raise InputTooLargeError(
            Errors.E004.format(source=source, size=f"{len(text):,} characters", limit=max_chars)
        )
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        raise InvalidInputError(
            Errors.E002.format(
                source=source,
                reason=f"a lone UTF-16 surrogate {surrogate.group()!a} at character "
                f"{surrogate.start()}, which no UTF-8 text can hold",
            )
        )
    controls = len(_CONTROLS.findall(text))
    if controls > max(8, len(text) // 20):
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


def page_text(page: Page) -> str:
    """The article text of a downloaded page: as is for text/plain, else extracted from HTML."""
    if page.content_type == "text/plain":
        return page.text
    return html_to_text(page.text, page.url)


def fetch_url(
    url: str,
    *,
    timeout: float = DEFAULT_FETCH_TIMEOUT,
    max_bytes: int = DEFAULT_FETCH_MAX_BYTES,
    allow_private: bool = False,
) -> str:
    """Download ``url`` and extract its main text (checks and limits: :mod:`propscope.fetch`).

    ``timeout`` bounds the whole download, redirects and body included.
    """
    return page_text(
        download(url, timeout=timeout, max_bytes=max_bytes, allow_private=allow_private)
    )


def read_capped(handle: BinaryIO, cap: int) -> bytes:
    """Read at most ``cap`` bytes from ``handle`` in chunks (a short read is not the end)."""
    chunks: list[bytes] = []
    size = 0
    while size < cap:
        chunk = handle.read(min(1 << 20, cap - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _decode_capped(
    data: bytes, cap: int, source: str, max_chars: int, total_bytes: int | None = None
) -> str:
    if len(data) >= cap and b"\x00" not in data[:8192]:
        # Longer than any text within the limit; only the first bytes were read, so the
        # characters are not counted (a count of what was read would be a false number).
        size = f"{total_bytes:,} bytes" if total_bytes else f"more than {len(data):,} bytes"
        raise InputTooLargeError(Errors.E004.format(source=source, size=size, limit=max_chars))
    return decode_text(data, source, max_chars=cap)


def read_input(
    source: str,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    stdin: bytes | BinaryIO | None = None,
    allow_private_urls: bool = False,
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
) -> InputText:
    """Read an article from a path, ``-`` (``stdin``: bytes or a binary stream) or a URL.

    Files and streams are read up to the size limit and no further.

    Example:
        >>> read_input("-", stdin="Hello world".encode()).text
        'Hello world'
    """
    # Read a little more than the limit allows (4 bytes per character at most) and no more.
    cap = max_chars * 4 + 4
    if source == "-":
        data = stdin[:cap] if isinstance(stdin, bytes | None) else read_capped(stdin, cap)
        text = _decode_capped(data or b"", cap, "<stdin>", max_chars)
        return InputText("stdin", check_text(text, "<stdin>", max_chars), "<stdin>")
    if is_url(source):
        text = fetch_url(source, timeout=fetch_timeout, allow_private=allow_private_urls)
        return InputText(source, check_text(text, source, max_chars), source)
    path = Path(source)
    if path.is_dir():
        raise InvalidInputError(Errors.E016.format(path=path))
    if not path.is_file():
        raise InputNotFoundError(Errors.E005.format(path=path))
    try:
        with path.open("rb") as handle:
            data = read_capped(handle, cap)
    except OSError as exc:
        raise InputNotFoundError(
            Errors.E008.format(path=path, reason=exc.strerror or type(exc).__name__)
        ) from exc
    text = _decode_capped(data, cap, str(path), max_chars, path.stat().st_size)
    if path.suffix.lower() in HTML_SUFFIXES:
        text = html_to_text(text, str(path))
    return InputText(path.stem, check_text(text, str(path), max_chars), str(path))

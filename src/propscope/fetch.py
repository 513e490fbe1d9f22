"""Downloading a web page safely: the checks that keep a URL from reaching what it must not.

Every hop of a fetch (the URL, then each redirect, at most :data:`MAX_REDIRECTS`) is checked
before any connection: the scheme must be http or https (whatever the settings), the host is
resolved once, every address it resolves to must be globally reachable (see
:func:`address_refusal`), and the connection goes to the address that was checked, so that a
second DNS answer cannot point it elsewhere (DNS rebinding). The ``Host`` header and, for https,
the TLS server name and certificate check keep the name from the URL. One deadline covers the
whole fetch (name resolution, every hop, the body); the sockets are closed when it passes. The
body is read in chunks up to ``max_bytes`` (after decompression) and no further.
"""

from __future__ import annotations

import codecs
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any

from propscope.errors import Errors, FetchError

MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}

# Ranges that ipaddress calls global but that lead to hosts behind the server: shared address
# space (carrier NAT), IPv4-compatible IPv6 (::a.b.c.d), NAT64 and 6to4 (which embed an IPv4
# address), and the deprecated site-local IPv6 range.
_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "100.64.0.0/10",
        "::/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "2002::/16",
        "fec0::/10",
    )
)

ALLOW_HINT = "pass --allow-private-urls to fetch such addresses on purpose"


@dataclass(frozen=True)
class Page:
    """A downloaded page: its decoded text, content type and the URL it finally came from."""

    text: str
    content_type: str
    url: str


def address_refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``address`` must not be fetched from, or ``None`` where it may.

    Example:
        >>> address_refusal(ipaddress.ip_address("100.64.0.1"))
        'a private address (private, loopback, link-local, shared or reserved range)'
        >>> address_refusal(ipaddress.ip_address("93.184.216.34")) is None
        True
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address_refusal(address.ipv4_mapped)
        if address.scope_id:
            return "a scoped (link-local) address"
    if address.is_multicast:
        return "a multicast address"
    if not address.is_global or any(address in net for net in _REFUSED_NETWORKS):
        return "a private address (private, loopback, link-local, shared or reserved range)"
    return None


def _fail(url: str, reason: object) -> FetchError:
    return FetchError(Errors.E006.format(url=url, reason=reason))


def _resolve(url: str, host: str, port: int, deadline: float) -> list[str]:
    """The addresses of ``host``, resolved once, within the deadline."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    result: list[object] = []

    def work() -> None:
        try:
            result.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            result.append(exc)

    # getaddrinfo has no timeout of its own; the daemon thread ends with the resolver's.
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    if not result:
        raise _fail(url, f"resolving {host} took longer than the time limit")
    if isinstance(result[0], BaseException):
        raise _fail(url, f"cannot resolve host {host}: {result[0]}")
    infos = result[0]
    addresses = [str(info[4][0]) for info in infos]  # type: ignore[union-attr]
    if not addresses:
        raise _fail(url, f"{host} has no address")
    return addresses


def _checked_addresses(url: str, host: str, port: int, deadline: float, allow_private: bool) -> str:
    """Resolve ``host`` and return the address to connect to, after checking all of them."""
    addresses = _resolve(url, host, port, deadline)
    if not allow_private:
        for text in addresses:
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                raise _fail(url, f"{host} resolves to an unusable address {text!r}") from None
            refusal = address_refusal(address)
            if refusal is not None:
                raise _fail(url, f"{host} resolves to {address}, {refusal} ({ALLOW_HINT})")
    return addresses[0]


class _Decoder:
    """Undo a gzip or deflate Content-Encoding without ever holding more than ``limit`` bytes."""

    def __init__(self, encoding: str, url: str) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._z = None
        elif encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise _fail(url, f"unsupported Content-Encoding {encoding!r}")
        self.url = url

    def feed(self, chunk: bytes, room: int) -> bytes:
        if self._z is None:
            return chunk[: room + 1]
        try:
            out = self._z.decompress(chunk, room + 1)
        except zlib.error as exc:
            raise _fail(self.url, f"corrupt compressed body ({exc})") from exc
        return out


def _decode(data: bytes, charset: str | None) -> str:
    """Decode with the page's charset, or UTF-8 where it names none or an unknown one."""
    if charset:
        try:
            if codecs.lookup(charset)._is_text_encoding:  # type: ignore[attr-defined]
                return data.decode(charset, errors="replace")
        except (LookupError, ValueError, TypeError):
            pass
    return data.decode("utf-8", errors="replace")


def download(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    allow_private: bool = False,
    max_redirects: int = MAX_REDIRECTS,
    verify: ssl.SSLContext | bool = True,
) -> Page:
    """Download ``url`` under the checks described in the module docstring.

    Args:
        url: An http or https URL.
        timeout: Seconds the whole fetch may take, redirects and body included.
        max_bytes: Largest body read (after decompression).
        allow_private: Also connect to private, loopback, link-local and reserved addresses
            (never to other schemes than http and https).
        max_redirects: Redirects followed at most.
        verify: Certificate checking for https (an ``ssl.SSLContext`` to trust another CA).

    Raises:
        FetchError: (E006) for a refused URL or address, a failure, a time or size limit.
    """
    import httpx

    deadline = time.monotonic() + timeout
    client = httpx.Client(
        follow_redirects=False,
        trust_env=False,  # a proxy from the environment would connect by name, unchecked
        verify=verify,
        headers={"User-Agent": "propscope"},
    )
    # httpx's timeout bounds each read, not the whole answer: a server that sends its headers a
    # byte at a time would hold the fetch for ever. At the deadline the client is closed, which
    # closes its sockets and ends any read still waiting.
    watchdog = threading.Timer(timeout, client.close)
    watchdog.daemon = True
    watchdog.start()
    try:
        return _download(client, url, timeout, deadline, max_bytes, allow_private, max_redirects)
    except FetchError:
        raise
    except Exception as exc:  # a read ended by the watchdog, in whatever form httpx gives it
        if time.monotonic() >= deadline:
            raise _fail(url, f"no complete answer within {timeout} s") from exc
        raise
    finally:
        watchdog.cancel()
        client.close()


def _download(
    client: Any,
    url: str,
    timeout: float,
    deadline: float,
    max_bytes: int,
    allow_private: bool,
    max_redirects: int,
) -> Page:
    import httpx

    current = url
    for _hop in range(max_redirects + 1):
        try:
            target = httpx.URL(current)
            port = target.port or (443 if target.scheme == "https" else 80)
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise _fail(current, f"not a valid URL ({exc})") from exc
        if target.scheme not in ("http", "https") or not target.host:
            raise _fail(current, "only http(s) URLs with a host are fetched")
        if not 0 < port < 65536:
            raise _fail(current, f"port {port} is out of range")
        address = _checked_addresses(current, target.host, port, deadline, allow_private)
        extensions: dict[str, object] = {}
        if target.scheme == "https":
            # The TLS name and certificate check follow the URL's name, not the address.
            extensions["sni_hostname"] = target.host
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _fail(url, f"no complete answer within {timeout} s")
        try:
            request = client.build_request(
                "GET",
                target.copy_with(host=address),
                headers={
                    "Host": target.netloc.decode("ascii"),
                    "Accept-Encoding": "gzip, deflate",
                },
                extensions=extensions,
                timeout=httpx.Timeout(remaining),
            )
            response = client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise _fail(url, f"no complete answer within {timeout} s") from exc
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError, RuntimeError) as exc:
            if time.monotonic() >= deadline:  # closed by the watchdog
                raise _fail(url, f"no complete answer within {timeout} s") from exc
            raise _fail(current, f"{type(exc).__name__}: {exc}") from exc
        try:
            if response.status_code in _REDIRECTS and "location" in response.headers:
                try:
                    current = str(target.join(response.headers["location"]))
                except (httpx.InvalidURL, ValueError, TypeError) as exc:
                    raise _fail(current, f"invalid redirect ({exc})") from exc
                continue
            if response.status_code >= 400:
                raise _fail(current, f"the server answered HTTP {response.status_code}")
            data = _read_body(response, current, deadline, timeout, max_bytes)
            content_type = response.headers.get("content-type", "")
        finally:
            response.close()
        mime, _, params = content_type.partition(";")
        charset = None
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip("\"'")
        return Page(_decode(data, charset), mime.strip().lower(), current)
    raise _fail(url, f"more than {max_redirects} redirects")


def _read_body(
    response: object, url: str, deadline: float, timeout: float, max_bytes: int
) -> bytes:
    import httpx

    assert isinstance(response, httpx.Response)
    decoder = _Decoder(response.headers.get("content-encoding", ""), url)
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_raw():
            out = decoder.feed(chunk, max_bytes - size)
            size += len(out)
            if size > max_bytes:
                raise _fail(url, f"page larger than {max_bytes} bytes")
            chunks.append(out)
            if time.monotonic() > deadline:
                raise _fail(url, f"no complete answer within {timeout} s")
    except httpx.TimeoutException as exc:
        raise _fail(url, f"no complete answer within {timeout} s") from exc
    except (httpx.HTTPError, OSError, RuntimeError) as exc:
        if time.monotonic() >= deadline:  # the watchdog closed the socket
            raise _fail(url, f"no complete answer within {timeout} s") from exc
        raise _fail(url, f"{type(exc).__name__}: {exc}") from exc
    return b"".join(chunks)


__all__ = ["ALLOW_HINT", "MAX_REDIRECTS", "Page", "address_refusal", "download"]

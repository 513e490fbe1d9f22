"""Hostile pages for the URL fetcher, all served on loopback by servers started here."""

from __future__ import annotations

import gzip
import http.server
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from http_helpers import loopback_site
from propscope import fetch
from propscope.errors import FetchError
from propscope.fetch import address_refusal, download
from propscope.inputs import fetch_url

closed = threading.Event()  # set when a trickling answer finds its client gone
seen_hosts: list[str] = []


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, body: bytes, kind: str = "text/plain; charset=utf-8", **headers: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        seen_hosts.append(self.headers.get("Host", ""))
        if path == "/redirect":
            self._redirect(urllib.parse.parse_qs(query)["to"][0])
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/text":
            self._send(b"The senator is a corrupt traitor.\n")
        elif path == "/charset":
            self._send("Café au lait.\n".encode(), "text/plain; charset=x-no-such-charset")
        elif path == "/latin1":
            self._send("Café au lait.\n".encode("latin-1"), "text/plain; charset=ISO-8859-1")
        elif path == "/gzip":
            self._send(gzip.compress(b"a" * 2_000_000), Content_Encoding="gzip")
        elif path == "/trickle-headers":  # each byte well inside a read timeout, never done
            try:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                closed.set()
        elif path in ("/trickle", "/forever"):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                while True:
                    if path == "/trickle":
                        self.wfile.write(b"a")
                        self.wfile.flush()
                        time.sleep(0.05)
                    else:
                        self.wfile.write(b"a" * 65536)
            except OSError:
                closed.set()
        else:
            self._send(b"not found")

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with loopback_site(_Handler) as url:
        yield url


@pytest.fixture
def public_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat 127.0.0.1 (only) as a public address, so that a first hop reaches the test site."""
    original = fetch.address_refusal

    def refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        return None if str(address) == "127.0.0.1" else original(address)

    monkeypatch.setattr(fetch, "address_refusal", refusal)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "100.64.0.1",
        "169.254.169.254",
        "224.0.0.1",
        "0.0.0.0",
        "::1",
        "::127.0.0.1",
        "::ffff:127.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
        "fec0::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "ff0e::1",
    ],
)
def test_address_refusal_refuses_non_global(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_address_refusal_allows_global(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://[zz]/",
        "http://[::1/",
        "http://example.org:99999/",
        "http://example.org:-1/",
        "http://exa mple.org/",
        "ftp://example.org/x",
        "file:///etc/passwd",
        "http://",
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_fetch_bad_url_is_e006(url: str, allow_private: bool) -> None:
    with pytest.raises(FetchError, match=r"^\[E006\]"):
        fetch_url(url, timeout=2, allow_private=allow_private)


def test_fetch_redirect_to_loopback_refused(site: str, public_loopback: None) -> None:
    port = site.rsplit(":", 1)[1]
    for target in (f"http://127.0.0.2:{port}/text", f"http://[::1]:{port}/text"):
        with pytest.raises(FetchError, match=r"private address.*--allow-private-urls"):
            fetch_url(f"{site}/redirect?to={urllib.parse.quote(target)}", timeout=5)


def test_fetch_redirect_to_public_followed(site: str, public_loopback: None) -> None:
    text = fetch_url(f"{site}/redirect?to=/text", timeout=5)
    assert text == "The senator is a corrupt traitor.\n"


@pytest.mark.parametrize("scheme", ["ftp", "file", "gopher"])
def test_fetch_redirect_to_other_scheme_refused_even_when_private_allowed(
    site: str, scheme: str
) -> None:
    port = site.rsplit(":", 1)[1]
    target = urllib.parse.quote(f"{scheme}://127.0.0.1:{port}/x")
    with pytest.raises(FetchError, match="only http"):
        fetch_url(f"{site}/redirect?to={target}", timeout=5, allow_private=True)


def test_fetch_redirect_loop_stops(site: str) -> None:
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_url(f"{site}/loop", timeout=5, allow_private=True)


def test_fetch_connects_to_the_checked_address(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name is resolved once; a second answer would point elsewhere."""
    port = int(site.rsplit(":", 1)[1])
    answers = iter(["127.0.0.1", "203.0.113.7"])  # the second is unroutable (TEST-NET-3)
    calls: list[str] = []
    real = socket.getaddrinfo

    def fake(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        if host != "rebind.test":
            return real(host, *args, **kwargs)  # type: ignore[arg-type]
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    seen_hosts.clear()
    text = fetch_url(f"http://rebind.test:{port}/text", timeout=3, allow_private=True)
    assert text.startswith("The senator")
    assert calls == ["rebind.test"]
    assert seen_hosts == [f"rebind.test:{port}"]


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_fetch_trickling_answer_stops_at_the_deadline(site: str, path: str) -> None:
    """One deadline for the whole answer: httpx's timeout bounds each read, so headers (or a
    body) sent a byte at a time held the fetch for ever."""
    closed.clear()
    began = time.monotonic()
    with pytest.raises(FetchError, match="within 1"):
        download(f"{site}{path}", timeout=1.0, max_bytes=10**6, allow_private=True)
    assert time.monotonic() - began < 1.8
    assert closed.wait(3), "the socket was left open after the deadline"


def test_fetch_endless_page_stops_at_the_size_limit(site: str) -> None:
    with pytest.raises(FetchError, match="larger than 100000 bytes"):
        download(f"{site}/forever", timeout=5, max_bytes=100_000, allow_private=True)


def test_fetch_gzip_bomb_stops_at_the_size_limit(site: str) -> None:
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        download(f"{site}/gzip", timeout=5, max_bytes=1000, allow_private=True)


def test_fetch_unknown_charset_falls_back_to_utf8(site: str) -> None:
    assert fetch_url(f"{site}/charset", timeout=5, allow_private=True) == "Café au lait.\n"


def test_fetch_declared_charset_decoded(site: str) -> None:
    assert fetch_url(f"{site}/latin1", timeout=5, allow_private=True) == "Café au lait.\n"


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, ssl.SSLContext]]:
    """An https server on loopback with a certificate for news.test from a CA made here."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=propscope test CA",
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "site.key",
        "-out",
        "site.csr",
        "-subj",
        "/CN=news.test",
    )
    (folder / "ext.cnf").write_text("subjectAltName=DNS:news.test\n")
    openssl(
        "x509",
        "-req",
        "-in",
        "site.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "site.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "site.pem", folder / "site.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client_context = ssl.create_default_context(cafile=str(folder / "ca.pem"))
    yield server.server_address[1], client_context
    server.shutdown()
    server.server_close()


def _resolve_to_loopback(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    real = socket.getaddrinfo

    def fake(host: str, port: object, *args: object, **kwargs: object) -> Any:
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_fetch_https_to_the_checked_address_keeps_name_for_tls(
    tls_site: tuple[int, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, context = tls_site
    _resolve_to_loopback(monkeypatch, "news.test")
    seen_hosts.clear()
    page = download(
        f"https://news.test:{port}/text",
        timeout=5,
        max_bytes=1000,
        allow_private=True,
        verify=context,
    )
    assert page.text.startswith("The senator")
    assert seen_hosts == [f"news.test:{port}"]


def test_fetch_https_certificate_checked_against_the_url_name(
    tls_site: tuple[int, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, context = tls_site
    _resolve_to_loopback(monkeypatch, "other.test")
    with pytest.raises(FetchError, match=r"^\[E006\].*(certificate|hostname)"):
        download(
            f"https://other.test:{port}/text",
            timeout=5,
            max_bytes=1000,
            allow_private=True,
            verify=context,
        )

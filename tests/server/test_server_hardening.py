"""The server under hostile clients and faults: Host names, slow bodies, long and abandoned
analyses, a full queue, crashes, SIGTERM. Everything runs on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from propscope.pipeline import Pipeline
from propscope.server import ServerSettings, create_app
from propscope.server.background import BackgroundServer
from propscope.server.errors import SECURITY_HEADERS

REPO = Path(__file__).resolve().parents[2]
SLOW_SECONDS = 30.0


class _SlowPipeline(Pipeline):
    """An analysis that takes SLOW_SECONDS for texts starting with SLOW (Python-level work, like
    a model going window by window), and is instant otherwise."""

    def analyze(self, text: str, *args: Any, **kwargs: Any) -> Any:
        if text.startswith("SLOW"):
            end = time.monotonic() + SLOW_SECONDS
            while time.monotonic() < end:
                time.sleep(0.01)
        if text.startswith("CRASH"):
            raise RuntimeError("a bug")
        return super().analyze(text, *args, **kwargs)


def _client(**settings: Any) -> TestClient:
    app = create_app(_SlowPipeline(), ServerSettings(**settings))
    return TestClient(app, base_url="http://localhost", raise_server_exceptions=False)


def _assert_json_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io"])
def test_server_refuses_other_host_names(host: str) -> None:
    response = _client().get("/api/health", headers={"host": host})
    _assert_json_error(response, 421, "E067")
    assert "--allowed-host" in response.json()["error"]["message"]


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:80", "[::1]:8000"])
def test_server_answers_loopback_host_names(host: str) -> None:
    assert _client().get("/api/health", headers={"host": host}).status_code == 200


def test_server_allowed_host_added() -> None:
    client = _client(allowed_hosts=("localhost", "news.example.org"))
    assert client.get("/api/health", headers={"host": "News.Example.org:443"}).status_code == 200
    _assert_json_error(client.get("/api/health", headers={"host": "127.0.0.1"}), 421, "E067")


def test_server_crash_is_json_with_security_headers() -> None:
    response = _client().post("/api/analyze", json={"text": "CRASH now."})
    _assert_json_error(response, 500, "E063")


def test_server_non_utf8_json_body_is_422() -> None:
    response = _client().post(
        "/api/analyze",
        content='{"text": "Café"}'.encode("latin-1"),
        headers={"content-type": "application/json"},
    )
    _assert_json_error(response, 422, "E061")
    assert "UTF-8" in response.json()["error"]["message"]


def test_server_analysis_time_limit_stops_the_analysis() -> None:
    client = _client(analysis_timeout=0.5, max_concurrent_analyses=1, max_queue=0)
    began = time.monotonic()
    response = client.post("/api/analyze", json={"text": "SLOW text."})
    _assert_json_error(response, 503, "E066")
    assert time.monotonic() - began < 3
    # The worker is free again: with one worker and no queue, this would be refused otherwise.
    deadline = time.monotonic() + 3
    while (status := client.post("/api/analyze", json={"text": "Hi."}).status_code) == 503:
        assert time.monotonic() < deadline, "the stopped analysis still holds the worker"
        time.sleep(0.05)
    assert status == 200


def test_server_full_queue_answers_503_with_retry_after() -> None:
    client = _client(max_concurrent_analyses=1, max_queue=0, analysis_timeout=3)
    results: list[httpx.Response] = []
    thread = threading.Thread(
        target=lambda: results.append(client.post("/api/analyze", json={"text": "SLOW."}))
    )
    thread.start()
    time.sleep(0.5)
    response = client.post("/api/analyze", json={"text": "Hi."})
    _assert_json_error(response, 503, "E064")
    assert int(response.headers["retry-after"]) >= 1
    thread.join(10)
    assert results[0].status_code == 503  # the slow one, stopped at its limit


def _raw_request(url: str, body: bytes, declared: int | None = None) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    head = (
        f"POST /api/analyze HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared if declared is not None else len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    return sock


def test_server_slow_body_dropped() -> None:
    app = create_app(_SlowPipeline(), ServerSettings(body_timeout=0.5))
    with (
        BackgroundServer(app) as server,
        _raw_request(server.url, b'{"text": "', declared=100) as sock,
    ):
        sock.settimeout(5)
        began = time.monotonic()
        answer = b""
        while b"E068" not in answer:  # headers and body may come in separate segments
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        assert time.monotonic() - began < 5
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert b"E068" in answer


def test_server_abandoned_analyses_do_not_delay_a_short_one() -> None:
    settings = ServerSettings(max_concurrent_analyses=1, max_queue=4, analysis_timeout=60)
    app = create_app(_SlowPipeline(), settings)
    with BackgroundServer(app) as server:
        for _ in range(2):  # two long requests whose clients go away
            sock = _raw_request(server.url, b'{"text": "SLOW article."}')
            time.sleep(0.3)
            sock.close()
        began = time.monotonic()
        response = httpx.post(f"{server.url}/api/analyze", json={"text": "Hi."}, timeout=20)
        waited = time.monotonic() - began
    assert response.status_code == 200
    assert waited < 3, f"a short request waited {waited:.1f} s behind abandoned ones"


def test_server_stops_within_seconds_of_sigterm(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = tmp_path / "serve.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(Path(__file__).parent)!r})
            from test_server_hardening import _SlowPipeline
            from propscope.server import ServerSettings, create_app
            from propscope.server.app import run_app
            settings = ServerSettings(shutdown_timeout=2)
            run_app(create_app(_SlowPipeline(), settings), host="127.0.0.1", port={port},
                    settings=settings)
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen(
        [sys.executable, str(script)], env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        # lang given: the first language identification loads its models holding the GIL.
        sock = _raw_request(url, b'{"text": "SLOW article.", "lang": "en"}')
        time.sleep(0.5)
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(15)
        stopped = time.monotonic() - began
        sock.close()
    finally:
        if process.poll() is None:
            process.kill()
        _, err = process.communicate()
    assert stopped < 8, err.decode(errors="replace")[-3000:]


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")
def test_server_memory_and_threads_flat_over_500_requests() -> None:
    client = _client(max_chars=2000, analysis_timeout=5)
    requests: list[dict[str, Any]] = [
        {"json": {"text": "The senator is a corrupt traitor.", "lang": "en"}},
        {"json": {"text": ""}},
        {"json": {"text": "word " * 1000}},
        {"json": {"html": "<p>Short page</p>", "lang": "en"}},
        {"content": b"\xff\xfe{", "headers": {"content-type": "application/json"}},
        {"json": {"text": "Hi there.", "lang": "en"}, "headers": {"host": "evil.example"}},
    ]

    def burst(count: int) -> None:
        for i in range(count):
            response = client.post("/api/analyze", **requests[i % len(requests)])
            assert response.status_code < 500, response.text

    burst(60)  # warm up: imports, caches, the worker threads
    threads, before = threading.active_count(), _rss_mb()
    burst(500)
    assert threading.active_count() <= threads + 1  # +1: a test server's thread may linger
    assert _rss_mb() - before < 25
    assert client.app.state.runner.held == 0  # type: ignore[attr-defined]


def test_server_lone_surrogate_refused_not_500() -> None:
    client = _client()
    response = client.post(
        "/api/analyze",
        content=b'{"text": "A \\ud800 text."}',
        headers={"content-type": "application/json"},
    )
    _assert_json_error(response, 422, "E002")
    good = client.post("/api/analyze", json={"text": "A text.", "lang": "en"}).json()
    response = client.post(
        "/api/report",
        content=json.dumps({**good, "text": "A \ud800ext."})
        .encode("utf-8", "surrogatepass")
        .replace(b"\xed\xa0\x80", b"\\ud800"),
        headers={"content-type": "application/json"},
    )
    _assert_json_error(response, 422, "E002")


def test_server_trickling_pages_leave_no_threads_or_sockets() -> None:
    """URL fetches end at their deadline: no abandoned threads pile up (the issue saw 44)."""
    import http.server

    from test_fetch import _Handler, closed

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    site.daemon_threads = True
    threading.Thread(target=site.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{site.server_address[1]}/trickle"
    client = _client(allow_private_urls=True, fetch_timeout=0.5)
    try:
        client.get("/api/health")
        before = threading.active_count()
        began = time.monotonic()
        closed.clear()
        for _ in range(5):
            response = client.post("/api/analyze", json={"url": url})
            _assert_json_error(response, 422, "E006")
        assert time.monotonic() - began < 5 * 1.5
        assert closed.wait(3)
        deadline = time.monotonic() + 3
        while threading.active_count() > before + 1 and time.monotonic() < deadline:
            time.sleep(0.05)  # the trickling handler threads end once their sockets close
        assert threading.active_count() <= before + 1
    finally:
        site.shutdown()
        site.server_close()


def test_server_slow_headers_connection_closed() -> None:
    """A client that never finishes its request headers (slowloris) loses the connection."""
    app = create_app(_SlowPipeline(), ServerSettings(body_timeout=0.5))
    with BackgroundServer(app) as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            sock.settimeout(10)
            began = time.monotonic()
            assert sock.recv(100) == b""  # closed by the server
            assert time.monotonic() - began < 5
        # A connection that keeps sending requests in time stays usable.
        with httpx.Client() as client:
            for _ in range(3):
                response = client.post(
                    f"{server.url}/api/analyze", json={"text": "Hi.", "lang": "en"}
                )
                assert response.status_code == 200
                time.sleep(0.3)

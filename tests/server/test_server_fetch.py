"""URL analysis against a local web server (allowed only with allow_private_urls)."""

from __future__ import annotations

import http.server
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from http_helpers import loopback_site
from propscope.pipeline import Pipeline, load
from propscope.results import result_dict
from propscope.server import ServerSettings, create_app

PAGE = (
    "<html><head><title>Bridge</title></head><body><nav>Home | News</nav><article>"
    "<h1>The bridge vote</h1><p>The senator is a corrupt traitor who lied to everyone "
    "about the money for the bridge.</p><p>These crooks will destroy everything we love "
    "in this town, say the residents.</p></article><footer>(c) paper</footer></body></html>"
)
PLAIN = "The senator is a corrupt traitor.\nHe voted on the budget today.\n"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(3)
        body, kind = (PLAIN, "text/plain") if self.path == "/plain.txt" else (PAGE, "text/html")
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with loopback_site(_Handler) as url:
        yield url


@pytest.fixture(scope="module")
def pipeline(tiny_model_dir: Path) -> Pipeline:
    return load(tiny_model_dir)


def _client(pipeline: Pipeline, **settings: object) -> TestClient:
    app = create_app(pipeline, ServerSettings(**settings))  # type: ignore[arg-type]
    return TestClient(app, base_url="http://localhost")


def test_server_url_fetches_local_page_when_allowed(site: str, pipeline: Pipeline) -> None:
    response = _client(pipeline, allow_private_urls=True).post(
        "/api/analyze", json={"url": f"{site}/article.html"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == f"{site}/article.html"
    assert "corrupt traitor" in body["text"]
    assert "Home | News" not in body["text"]


def test_server_url_plain_text_matches_text_analysis(site: str, pipeline: Pipeline) -> None:
    response = _client(pipeline, allow_private_urls=True).post(
        "/api/analyze", json={"url": f"{site}/plain.txt"}
    )
    expected = result_dict(pipeline.analyze(PLAIN, doc_id=f"{site}/plain.txt"), pipeline)
    assert response.json() == expected


def test_server_url_local_page_refused_by_default(site: str, pipeline: Pipeline) -> None:
    response = _client(pipeline).post("/api/analyze", json={"url": f"{site}/article.html"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "E006"
    assert "private address" in response.json()["error"]["message"]


def test_server_url_fetch_time_limit(site: str, pipeline: Pipeline) -> None:
    began = time.perf_counter()
    response = _client(pipeline, allow_private_urls=True, fetch_timeout=0.5).post(
        "/api/analyze", json={"url": f"{site}/slow"}
    )
    assert time.perf_counter() - began < 2.5
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "FetchError"


def test_server_url_page_over_article_limit(site: str, pipeline: Pipeline) -> None:
    response = _client(pipeline, allow_private_urls=True, max_chars=20).post(
        "/api/analyze", json={"url": f"{site}/plain.txt"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "E004"

"""The JSON API in process: the happy paths and every error path, each with its fixed body."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from propscope.pipeline import Pipeline, load
from propscope.report_html import render_report
from propscope.results import result_dict
from propscope.server import ServerSettings, create_app
from propscope.server.app import STATIC_DIR
from propscope.taxonomy import CATEGORY_COLOURS, category_colour

ARTICLE = (
    "The senator is a corrupt traitor.\nHe voted on the budget today.\n\n"
    "These crooks will destroy everything we love.\n"
)
SMALL = ServerSettings(max_body_bytes=2_000, max_chars=500)
LOCAL = "http://127.0.0.1"  # the test client's default name, testserver, is not an allowed Host


@pytest.fixture(scope="module")
def pipeline(tiny_model_dir: Path) -> Pipeline:
    return load(tiny_model_dir)


@pytest.fixture(scope="module")
def client(pipeline: Pipeline) -> Iterator[TestClient]:
    with TestClient(create_app(pipeline, SMALL), base_url=LOCAL) as test_client:
        yield test_client


def _assert_error(response: httpx.Response, status: int, code: str, kind: str, part: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "type", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["type"] == kind
    assert body["error"]["message"].startswith(f"[{code}] ")
    assert part in body["error"]["message"]


def test_server_analyze_returns_result_dict(client: TestClient, pipeline: Pipeline) -> None:
    response = client.post("/api/analyze", json={"text": ARTICLE})
    assert response.status_code == 200
    assert response.json() == result_dict(pipeline.analyze(ARTICLE), pipeline)


def test_server_analyze_passes_threshold(client: TestClient, pipeline: Pipeline) -> None:
    response = client.post("/api/analyze", json={"text": ARTICLE, "threshold": 0.05, "lang": "en"})
    assert response.json() == result_dict(pipeline.analyze(ARTICLE, threshold=0.05), pipeline)


def test_server_analyze_passes_min_confidence(client: TestClient, pipeline: Pipeline) -> None:
    body = {"text": ARTICLE, "threshold": 0.05, "lang": "en", "min_confidence": 0.6}
    response = client.post("/api/analyze", json=body)
    expected = pipeline.analyze(ARTICLE, threshold=0.05, min_confidence=0.6)
    assert response.json() == result_dict(expected, pipeline)
    assert all(span["score"] >= 0.6 for span in response.json()["spans"])
    bad = client.post("/api/analyze", json={**body, "min_confidence": 2})
    assert bad.status_code == 422


def test_server_analyze_extracts_html(client: TestClient) -> None:
    page = (
        "<html><head><title>t</title></head><body><article><p>The senator is a corrupt "
        "traitor and everybody knows it by now.</p><p>He voted on the budget today, as "
        "the council had planned for weeks.</p></article></body></html>"
    )
    response = client.post("/api/analyze", json={"html": page})
    assert response.status_code == 200, response.text
    assert "corrupt traitor" in response.json()["text"]
    assert "<p>" not in response.json()["text"]


BAD_REQUESTS: list[tuple[str, dict[str, Any], int, str, str, str]] = [
    ("empty-text", {"json": {"text": ""}}, 422, "E001", "InvalidInputError", "empty"),
    ("blank-text", {"json": {"text": " \n\t "}}, 422, "E001", "InvalidInputError", "empty"),
    ("text-too-long", {"json": {"text": "word " * 200}}, 413, "E004", "InputTooLargeError", "500"),
    (
        "bad-json",
        {"content": b'{"text": ', "headers": {"content-type": "application/json"}},
        422,
        "E061",
        "InvalidRequestError",
        "not valid JSON",
    ),
    (
        "no-content-type",
        {"content": b'{"text": "hello"}'},
        422,
        "E061",
        "InvalidRequestError",
        "application/json",
    ),
    ("not-an-object", {"json": ["text"]}, 422, "E061", "InvalidRequestError", "JSON object"),
    (
        "text-and-url",
        {"json": {"text": "a", "url": "https://example.org"}},
        422,
        "E061",
        "InvalidRequestError",
        "exactly one",
    ),
    ("no-source", {"json": {"lang": "en"}}, 422, "E061", "InvalidRequestError", "got none"),
    ("unknown-field", {"json": {"txt": "a"}}, 422, "E061", "InvalidRequestError", "txt"),
    (
        "threshold-high",
        {"json": {"text": "a b", "threshold": 1.5}},
        422,
        "E061",
        "InvalidRequestError",
        "threshold",
    ),
    (
        "threshold-negative",
        {"json": {"text": "a b", "threshold": -0.1}},
        422,
        "E061",
        "InvalidRequestError",
        "threshold",
    ),
    (
        "threshold-text",
        {"json": {"text": "a b", "threshold": "high"}},
        422,
        "E061",
        "InvalidRequestError",
        "threshold",
    ),
    (
        "unknown-lang",
        {"json": {"text": "a b", "lang": "xx"}},
        422,
        "E022",
        "UnknownLabelError",
        "xx",
    ),
    ("ftp-url", {"json": {"url": "ftp://example.org/a"}}, 422, "E006", "FetchError", "http(s)"),
    ("file-url", {"json": {"url": "file:///etc/passwd"}}, 422, "E006", "FetchError", "http(s)"),
    ("no-host-url", {"json": {"url": "http://"}}, 422, "E006", "FetchError", "http(s)"),
    (
        "loopback-url",
        {"json": {"url": "http://127.0.0.1:9/"}},
        422,
        "E006",
        "FetchError",
        "private",
    ),
    ("private-url", {"json": {"url": "http://10.1.2.3/"}}, 422, "E006", "FetchError", "private"),
    (
        "link-local-url",
        {"json": {"url": "http://169.254.169.254/"}},
        422,
        "E006",
        "FetchError",
        "private",
    ),
    (
        "ipv6-loopback-url",
        {"json": {"url": "http://[::1]:9/"}},
        422,
        "E006",
        "FetchError",
        "private",
    ),
    (
        "html-no-text",
        {"json": {"html": "<html><body></body></html>"}},
        422,
        "E007",
        "FetchError",
        "No article text",
    ),
]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code", "kind", "part"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_server_analyze_refuses_bad_request(
    client: TestClient, request_kwargs: dict[str, Any], status: int, code: str, kind: str, part: str
) -> None:
    _assert_error(client.post("/api/analyze", **request_kwargs), status, code, kind, part)


def test_server_body_limit_checks_content_length(client: TestClient) -> None:
    response = client.post("/api/analyze", json={"text": "x" * 5_000})
    _assert_error(response, 413, "E060", "RequestTooLargeError", "2,000 bytes")


def test_server_body_limit_checks_streamed_body(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield b'{"text": "'
        for _ in range(50):
            yield b"y" * 100
        yield b'"}'

    response = client.post(
        "/api/analyze", content=chunks(), headers={"content-type": "application/json"}
    )
    _assert_error(response, 413, "E060", "RequestTooLargeError", "--max-body-bytes")


@pytest.mark.parametrize(
    ("method", "path", "status", "kind"),
    [
        ("GET", "/api/nothing", 404, "EndpointNotFoundError"),
        ("GET", "/api/analyze", 405, "MethodNotAllowedError"),
        ("GET", "/docs", 404, "EndpointNotFoundError"),
    ],
)
def test_server_unknown_route_gives_error_body(
    client: TestClient, method: str, path: str, status: int, kind: str
) -> None:
    _assert_error(client.request(method, path), status, "E062", kind, path)


def test_server_techniques_lists_taxonomy(client: TestClient) -> None:
    body = client.get("/api/techniques").json()
    assert len(body["techniques"]) == 23
    assert {c["name"]: c["colour"] for c in body["categories"]} == CATEGORY_COLOURS
    assert body["fallback_colour"] == category_colour(None)  # the page's colour for the rest
    assert all(t["definition"] and t["example"] and t["label"] for t in body["techniques"])


def test_server_health_names_model(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["model"]["name"] == "tiny"
    assert "tagger" in body["components"]


def test_server_openapi_documents_result(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert {"/api/analyze", "/api/report", "/api/techniques", "/api/health"} <= set(doc["paths"])
    result = doc["components"]["schemas"]["AnalysisResult"]
    assert set(result["properties"]) >= {"id", "text", "genre", "frames", "paragraphs", "spans"}
    assert "422" in doc["paths"]["/api/analyze"]["post"]["responses"]


def test_server_page_is_served_with_csp(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'id="article-text"' in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    for asset in ("app.js", "app.css"):
        assert client.get(f"/static/{asset}").status_code == 200


@pytest.mark.parametrize("name", ["index.html", "app.js", "app.css"])
def test_server_static_assets_load_nothing_external(name: str) -> None:
    source = (STATIC_DIR / name).read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", source)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", source)
    assert "@import" not in source


def test_server_report_matches_cli_renderer(client: TestClient, pipeline: Pipeline) -> None:
    result = client.post("/api/analyze", json={"text": ARTICLE, "threshold": 0.05}).json()
    response = client.post("/api/report", json=result)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "attachment" in response.headers["content-disposition"]
    assert response.text == render_report(
        result_dict(pipeline.analyze(ARTICLE, threshold=0.05), pipeline)
    )


def test_server_report_refuses_inconsistent_offsets(client: TestClient) -> None:
    result = client.post("/api/analyze", json={"text": ARTICLE, "threshold": 0.05}).json()
    assert result["spans"], "a low threshold should give spans"
    result["spans"] = result["spans"][:1]
    result["spans"][0]["text"] = "<script>alert(1)</script>"
    _assert_error(
        client.post("/api/report", json=result), 422, "E012", "SpanError", "does not match"
    )


class _BlockingPipeline(Pipeline):
    """A pipeline whose analysis waits until the test lets it go."""

    release: threading.Event

    def analyze(self, text: str, *args: Any, **kwargs: Any) -> Any:
        assert self.release.wait(10), "analysis never released"
        return super().analyze(text, *args, **kwargs)


def test_server_analysis_does_not_block_event_loop() -> None:
    blocking = _BlockingPipeline()
    blocking.release = threading.Event()
    app = create_app(blocking)

    async def scenario() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=LOCAL) as http:
            analysis = asyncio.create_task(http.post("/api/analyze", json={"text": "Hello."}))
            await asyncio.sleep(0.05)
            health = await asyncio.wait_for(http.get("/api/health"), timeout=5)
            assert not analysis.done()
            blocking.release.set()
            return health.status_code, (await analysis).status_code

    assert asyncio.run(scenario()) == (200, 200)

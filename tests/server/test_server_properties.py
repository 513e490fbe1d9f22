"""Property test: whatever JSON arrives at the API, the answer is never a 500, and every
error answer has the fixed body."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.pipeline import Pipeline
from propscope.server import ServerSettings, create_app

_CLIENT = TestClient(
    create_app(Pipeline(), ServerSettings(max_chars=500, max_body_bytes=20_000)),
    base_url="http://localhost",
    raise_server_exceptions=False,
)

# Finite floats only: the test client cannot send NaN or infinities as JSON.
_scalar = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
_json = st.recursive(
    _scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
_fields = st.sampled_from(["text", "html", "lang", "threshold", "min_confidence", "genre_prior"])
_bodies = st.one_of(_json, st.dictionaries(_fields, _json, max_size=4))


@given(_bodies)
@settings(max_examples=150, deadline=None)
def test_server_analyze_any_json_answers_without_500(body: Any) -> None:
    response = _CLIENT.post("/api/analyze", json=body)
    assert response.status_code < 500 or response.status_code == 503, response.text
    if response.status_code != 200:
        error = response.json()["error"]
        assert error["message"].startswith(f"[{error['code']}] ")


@given(st.binary(max_size=300))
@settings(max_examples=150, deadline=None)
def test_server_analyze_any_bytes_answers_without_500(data: bytes) -> None:
    response = _CLIENT.post(
        "/api/analyze", content=data, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text

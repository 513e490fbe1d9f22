"""Property tests: no bytes or text given to the input checks escapes as anything but a
PropscopeError, and accepted text comes back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.batch.inputs_jsonl import JsonlSource
from propscope.errors import PropscopeError
from propscope.inputs import check_text, read_input


@given(st.binary(max_size=2000))
@settings(max_examples=300, deadline=None)
def test_read_input_stdin_bytes_accepted_or_propscope_error(data: bytes) -> None:
    try:
        got = read_input("-", stdin=data, max_chars=500).text
    except PropscopeError:
        return
    assert len(got) <= 500 and got.strip()


@given(st.text(max_size=2000))
@settings(max_examples=300, deadline=None)
def test_check_text_returns_text_unchanged_or_refuses(text: str) -> None:
    try:
        got = check_text(text, "t", 1500)
    except PropscopeError:
        return
    assert got is text
    got.encode("utf-8")  # whatever is accepted can be written out


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)


@given(st.lists(st.one_of(_json, st.fixed_dictionaries({"id": _json, "text": _json})), max_size=5))
@settings(max_examples=150, deadline=None)
def test_jsonl_source_lines_accepted_or_format_error(values: list[object]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.jsonl"
        path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
        try:
            source = JsonlSource(path, None, "id", "text", 100)
        except PropscopeError:
            return
        articles = list(source.articles())
        assert [a.id for a in articles] == source.ids
        for article in articles:
            assert (article.text is None) != (article.error is None)

"""The page in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The app runs under uvicorn in a background thread on a free port of 127.0.0.1, with the tiny test
model. Skipped, with the reason, where Chromium or Playwright is missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from propscope.pipeline import load
from propscope.server import ServerSettings, create_app
from propscope.server.background import CHROMIUM_ARGS, BackgroundServer

CHROMIUM = Path("/usr/bin/chromium")
ARTICLE = (
    "The senator is a corrupt traitor 🙂.\nHe voted on the budget today.\n\n"
    "These crooks will destroy everything we love.\r\n"
    "Who could possibly trust such a liar? The mayor, a shameless traitor, lied again.\n"
)
HOSTILE = (
    "The senator is a corrupt traitor. <script>window.__pwned=1</script>\n"
    '<img src=x onerror="window.__pwned=2"> <b>bold</b> &amp; crooks\n'
)

if not CHROMIUM.exists():
    pytest.skip(
        "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need playwright (pip install -e '.[dev]')"
)


@pytest.fixture(scope="module")
def server(tiny_model_dir: Path) -> Iterator[BackgroundServer]:
    app = create_app(load(tiny_model_dir), ServerSettings())
    with BackgroundServer(app) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: BackgroundServer) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url + "/")
    page.wait_for_selector("body[data-ready]")
    yield page
    context.close()


def _analyse(
    page: Any, text: str, threshold: str = "0.05", show_all: bool = True
) -> dict[str, Any]:
    page.fill("#threshold", threshold)
    page.fill("#article-text", text)
    with page.expect_response("**/api/analyze") as info:
        page.click("#analyze-text")
    page.wait_for_selector("#results:not([hidden])")
    if show_all:  # the slider starts at the model's default floor
        page.fill("#min-score", "0")
    return info.value.json()


def _marks(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        "#article mark.seg",
        """marks => marks.map(m => ({start: +m.dataset.start, end: +m.dataset.end,
            spans: m.dataset.spans.split(' ').map(Number),
            active: (m.dataset.active || '').split(' ').filter(Boolean).map(Number),
            off: m.classList.contains('off'), text: m.textContent}))""",
    )


def _visible_spans(marks: list[dict[str, Any]]) -> set[int]:
    return {k for mark in marks for k in mark["active"]}


def test_page_highlights_spans_at_api_offsets(page: Any) -> None:
    result = _analyse(page, ARTICLE)
    assert result["spans"], "the tiny model should find spans at threshold 0.05"
    text = result["text"]  # offsets count code points, as Python strings do
    marks = _marks(page)
    for mark in marks:
        assert text[mark["start"] : mark["end"]] == mark["text"]
    for k, span in enumerate(result["spans"]):
        pieces = [m for m in marks if k in m["spans"]]
        assert min(m["start"] for m in pieces) == span["start"]
        assert max(m["end"] for m in pieces) == span["end"]
        covered = "".join(text[m["start"] : m["end"]] for m in pieces)
        # Pieces of one span are contiguous apart from the line breaks between lines.
        assert covered == span["text"].replace("\n", "")
    # Every paragraph with techniques shows them beside it.
    for paragraph in result["paragraphs"]:
        chips = page.locator(f'.para[data-line="{paragraph["index"]}"] .chip')
        assert chips.count() == len(paragraph["techniques"])
    assert page.locator("#summary").inner_text().count("Genre") == 1


def test_page_legend_filters_highlights(page: Any) -> None:
    result = _analyse(page, ARTICLE)
    techniques = sorted({s["technique"] for s in result["spans"]})
    assert len(techniques) >= 2, "need two techniques to test the filter"
    chosen = techniques[0]
    button = page.locator(f'#legend button[data-technique="{chosen}"]')
    expected_count = sum(s["technique"] == chosen for s in result["spans"])
    assert button.locator(".count").inner_text() == str(expected_count)
    button.focus()
    page.keyboard.press("Enter")  # keyboard works like a click
    assert button.get_attribute("aria-pressed") == "true"
    shown = _visible_spans(_marks(page))
    assert shown == {k for k, s in enumerate(result["spans"]) if s["technique"] == chosen}
    page.keyboard.press("Space")
    assert button.get_attribute("aria-pressed") == "false"
    assert _visible_spans(_marks(page)) == set(range(len(result["spans"])))


def test_page_slider_hides_low_confidence_spans(page: Any) -> None:
    result = _analyse(page, ARTICLE)
    scores = sorted({s["score"] for s in result["spans"]})
    cut = round(scores[len(scores) // 2], 2)
    page.fill("#min-score", str(cut))
    assert page.locator("#min-score-value").inner_text() == f"{cut:.2f}"
    marks = _marks(page)
    assert _visible_spans(marks) == {k for k, s in enumerate(result["spans"]) if s["score"] >= cut}
    for mark in marks:
        assert mark["off"] == (not mark["active"])
    page.fill("#min-score", "1")
    assert not _visible_spans(_marks(page)) or all(s["score"] >= 1 for s in result["spans"])


def test_page_asks_for_every_span_and_starts_at_the_default_confidence(page: Any) -> None:
    with page.expect_request("**/api/analyze") as request:
        result = _analyse(page, ARTICLE, show_all=False)
    assert json.loads(request.value.post_data)["min_confidence"] == 0
    floor = result["model"]["min_confidence"]  # the model's default floor
    assert page.locator("#min-score-value").inner_text() == f"{floor:.2f}"
    shown = {k for k, s in enumerate(result["spans"]) if s["score"] >= floor}
    assert _visible_spans(_marks(page)) == shown


def test_page_tooltip_shows_technique_on_focus(page: Any) -> None:
    result = _analyse(page, ARTICLE)
    mark = page.locator("#article mark.seg:not(.off)").first
    mark.focus()
    tooltip = page.locator("#tooltip")
    assert tooltip.is_visible()
    assert mark.get_attribute("aria-describedby") == "tooltip"
    best = max(
        (result["spans"][int(k)] for k in mark.get_attribute("data-active").split()),
        key=lambda s: s["score"],
    )
    text = tooltip.inner_text()
    assert f"{best['score']:.2f}" in text
    assert best["category"] in text
    page.keyboard.press("Escape")
    assert not tooltip.is_visible()


def test_page_downloads_json_and_report(page: Any, tmp_path: Path) -> None:
    result = _analyse(page, ARTICLE)
    with page.expect_download() as info:
        page.click("#download-json")
    saved = tmp_path / "result.json"
    info.value.save_as(saved)
    assert json.loads(saved.read_text(encoding="utf-8")) == result
    with page.expect_download() as info:
        page.click("#download-report")
    report = tmp_path / "report.html"
    info.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    # Every span is listed in the report's span table; overlapping spans share highlights.
    for span in result["spans"]:
        assert f"<tr><td>{span['start']}</td><td>{span['end']}</td>" in html
    assert html.count('<mark class="hl') >= (1 if result["spans"] else 0)
    assert "<script" not in html


def test_page_renders_html_in_article_as_inert_text(page: Any) -> None:
    result = _analyse(page, HOSTILE)
    assert result["text"] == HOSTILE
    article = page.locator("#article")
    assert article.locator("script, img, b").count() == 0
    assert "<script>window.__pwned=1</script>" in article.inner_text()
    assert page.evaluate("window.__pwned") is None


def test_page_shows_error_message(page: Any) -> None:
    page.fill("#article-text", "   ")
    page.click("#analyze-text")
    error = page.locator("#error")
    error.wait_for(state="visible")
    assert "[E001]" in error.inner_text()


@pytest.mark.parametrize(
    ("name", "mime", "content", "expected"),
    [
        ("article.txt", "text/plain", ARTICLE, ARTICLE),
        (
            "article.html",
            "text/html",
            "<html><body><article><p>The senator is a corrupt traitor who lied about the "
            "bridge money again and again.</p></article><footer>menu</footer></body></html>",
            "corrupt traitor",
        ),
    ],
)
def test_page_analyses_chosen_file(
    page: Any, name: str, mime: str, content: str, expected: str
) -> None:
    with page.expect_response("**/api/analyze") as info:
        page.set_input_files(
            "#article-file", files=[{"name": name, "mimeType": mime, "buffer": content.encode()}]
        )
    page.wait_for_selector("#results:not([hidden])")
    result = info.value.json()
    assert expected in result["text"]
    assert "<p>" not in result["text"]

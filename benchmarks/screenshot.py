"""Screenshot of the web page on the bundled example article, for the README (docs/screenshot.png).

Starts the server on a free local port, pastes the example into the page, analyses it, focuses a
highlighted span so its tooltip shows, and saves a full-page screenshot. Needs Debian's chromium
(``/usr/bin/chromium``) and the ``playwright`` package (dev extra); no browser download.

Usage::

    python benchmarks/screenshot.py --model en-fast --out docs/screenshot.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def screenshot(
    model: str,
    out: Path,
    example: Path,
    chromium: Path = Path("/usr/bin/chromium"),
    width: int = 1280,
) -> Path:
    """Serve ``model``, analyse ``example`` in the page and save a screenshot to ``out``."""
    from playwright.sync_api import sync_playwright

    from propscope.pipeline import load
    from propscope.server import ServerSettings, create_app
    from propscope.server.background import CHROMIUM_ARGS, BackgroundServer

    app = create_app(load(model), ServerSettings())
    text = example.read_text(encoding="utf-8")
    with BackgroundServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(server.url + "/")
        page.wait_for_selector("body[data-ready]")
        page.fill("#article-text", text)
        page.click("#analyze-text")
        page.wait_for_selector("#results:not([hidden])", timeout=120_000)
        marks = page.locator("#article mark.seg:not(.off)")
        if marks.count():
            # Show one tooltip, with the page scrolled to the top (the legend is sticky).
            marks.nth(min(2, marks.count() - 1)).evaluate("m => m.focus({preventScroll: true})")
        page.evaluate("document.getElementById('article-text').scrollTop = 0")
        page.evaluate("window.scrollTo(0, 0)")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="en-fast", help="bundled model name or a folder")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    parser.add_argument("--example", type=Path, default=REPO / "examples" / "opinion.txt")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    path = screenshot(args.model, args.out, args.example, args.chromium, args.width)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

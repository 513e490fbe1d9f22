"""The web server: a JSON API over one loaded pipeline, and the page that uses it.

Endpoints (docs/api.md): ``POST /api/analyze``, ``POST /api/report``, ``GET /api/techniques``,
``GET /api/health``, ``GET /openapi.json`` and the page at ``/`` with its assets under
``/static``. The model is loaded once, before the app is made; analyses, HTML extraction and URL
fetches run in worker threads so the event loop keeps answering other requests; analyses stop at
their time limit or when their client disconnects (:mod:`propscope.server.jobs`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

import propscope
from propscope.errors import Errors, FetchError
from propscope.fetch import Page, download
from propscope.inputs import check_text, html_to_text, page_text
from propscope.language import AUTO, normalise_language, resolve_language
from propscope.model_choice import ModelChooser
from propscope.models.genre import parse_prior
from propscope.pipeline import Pipeline
from propscope.report_html import render_report
from propscope.results import result_dict
from propscope.server.errors import install_error_handlers
from propscope.server.jobs import JobRunner
from propscope.server.middleware import (
    BodyLimitMiddleware,
    HostCheckMiddleware,
    SecurityHeadersMiddleware,
)
from propscope.server.schemas import (
    AnalysisResult,
    AnalyzeRequest,
    CategoryOut,
    ErrorResponse,
    HealthResponse,
    TechniquesResponse,
)
from propscope.server.settings import ServerSettings
from propscope.taxonomy import CATEGORIES, CATEGORY_COLOURS, TECHNIQUES, category_colour
from propscope.types import Document

STATIC_DIR = Path(__file__).resolve().parent / "static"

_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorResponse, "description": "Body or article over the size limit."},
    422: {"model": ErrorResponse, "description": "Invalid input: empty, bad field, bad URL."},
    503: {
        "model": ErrorResponse,
        "description": "Server busy (with Retry-After), or the analysis took too long.",
    },
}


async def _job(app: FastAPI, request: Request | None, func: Any, *args: Any) -> Any:
    """Run ``func(*args)`` on an analysis worker (see :mod:`propscope.server.jobs`): at most
    ``max_concurrent_analyses`` at once, stopped at ``analysis_timeout`` or when the client
    disconnects, refused with 503 when ``max_queue`` jobs already wait."""
    runner: JobRunner = app.state.runner
    gone = request.is_disconnected if request is not None else None
    return await runner.run(func, *args, gone=gone)


async def _fetch(settings: ServerSettings, url: str) -> Page:
    fetch = partial(
        download,
        url,
        timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        allow_private=settings.allow_private_urls,
    )
    try:
        # download() keeps its own deadline and closes its sockets; this is a second guard.
        with anyio.fail_after(settings.fetch_timeout + 2.0):
            return await anyio.to_thread.run_sync(fetch, abandon_on_cancel=True)
    except TimeoutError as exc:
        raise FetchError(
            Errors.E006.format(
                url=url, reason=f"no complete answer within {settings.fetch_timeout} s"
            )
        ) from exc


async def _article(app: FastAPI, request: Request, body: AnalyzeRequest) -> tuple[str, str]:
    """The article text and its id from whichever source the request names."""
    settings: ServerSettings = app.state.settings
    if body.url is not None:
        page = await _fetch(settings, body.url)
        text = await _job(app, request, page_text, page)
        return check_text(text, body.url, settings.max_chars), body.url
    if body.html is not None:
        source = 'sent in "html"'
        check_text(body.html, source, max(settings.max_chars * 8, settings.max_chars))
        text = await _job(app, request, html_to_text, body.html, source)
        return check_text(text, source, settings.max_chars), "input"
    return check_text(body.text or "", 'sent in "text"', settings.max_chars), "input"


def create_app(
    pipeline: Pipeline | ModelChooser, settings: ServerSettings | None = None
) -> FastAPI:
    """Make the web app around an already loaded pipeline, or a chooser of one per language.

    Args:
        pipeline: The model, loaded once (e.g. ``propscope.pipeline.load("en-fast")``), or a
            :class:`~propscope.model_choice.ModelChooser` (``auto``: a model per language; its
            models are loaded here, once).
        settings: Size, time and network limits; defaults are safe for a public server.

    Returns:
        The FastAPI application; serve it with uvicorn or test it with ``TestClient``.

    Example:
        >>> from fastapi.testclient import TestClient
        >>> from propscope.pipeline import load
        >>> client = TestClient(create_app(load("en-fast")), base_url="http://127.0.0.1")
        >>> answer = client.post("/api/analyze", json={"text": "They are traitors.", "lang": "en"})
        >>> answer.status_code, answer.json()["model"]["name"]
        (200, 'en-fast')
    """
    settings = settings or ServerSettings()
    runner = JobRunner(
        settings.max_concurrent_analyses, settings.max_queue, settings.analysis_timeout
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        runner.close()  # stop running analyses so that shutdown takes seconds, not minutes

    app = FastAPI(
        lifespan=lifespan,
        title="propscope",
        version=propscope.__version__,
        description="Find propaganda and persuasion techniques in news articles. "
        'Every error answer is {"error": {"code", "type", "message"}}.',
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; the OpenAPI document stays
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    chooser = pipeline if isinstance(pipeline, ModelChooser) else ModelChooser(pipeline)
    default = chooser.preload()[0]
    app.state.pipeline = default
    app.state.chooser = chooser
    app.state.settings = settings
    app.state.runner = runner
    install_error_handlers(app)

    @app.post(
        "/api/analyze",
        response_model=AnalysisResult,
        responses=_ERRORS,
        summary="Analyse one article (text, URL or HTML)",
    )
    async def analyze(body: AnalyzeRequest, request: Request) -> JSONResponse:
        if body.lang.strip().lower() != AUTO:
            normalise_language(body.lang)  # an unknown code is refused before any fetch
        if body.genre_prior is not None:
            parse_prior(body.genre_prior)  # so is a bad genre prior
        text, doc_id = await _article(app, request, body)

        def run() -> dict[str, Any]:
            language = resolve_language(text, body.lang).code
            chosen = chooser.pipeline_for(language)
            if body.genre_prior is not None:
                chosen = chosen.with_genre_settings(prior=body.genre_prior)
            document = chosen.analyze(
                text,
                doc_id=doc_id,
                threshold=body.threshold,
                lang=language,
                min_confidence=body.min_confidence,
            )
            return result_dict(document, chosen)

        # Returned as is, so the body is exactly result_dict (the model only documents it).
        return JSONResponse(await _job(app, request, run))

    @app.post(
        "/api/report",
        response_class=HTMLResponse,
        responses=_ERRORS,
        summary="The self-contained HTML report of an analysis result",
    )
    async def report(body: AnalysisResult, request: Request) -> HTMLResponse:
        data = body.model_dump()
        # The same checks as an analysed text (a lone surrogate could not even be encoded).
        check_text(data["text"], 'sent in "text"', settings.max_chars)

        def render() -> str:
            # Rebuilding the document checks every offset against the text.
            document = Document.from_dict(data)
            return render_report({**document.to_dict(), "model": data["model"]})

        page = await _job(app, request, render)
        return HTMLResponse(
            page,
            headers={"Content-Disposition": 'attachment; filename="propscope-report.html"'},
        )

    @app.get("/api/techniques", response_model=TechniquesResponse, summary="The taxonomy")
    async def techniques() -> TechniquesResponse:
        return TechniquesResponse(
            categories=[CategoryOut(name=c, colour=CATEGORY_COLOURS[c]) for c in CATEGORIES],
            techniques=[t.to_dict() for t in TECHNIQUES],  # type: ignore[misc]
            fallback_colour=category_colour(None),
        )

    @app.get("/api/health", response_model=HealthResponse, summary="Status and model")
    async def health() -> HealthResponse:
        return HealthResponse(
            status="ok",
            model={  # type: ignore[arg-type]
                "name": default.name,
                "version": default.version,
                "min_confidence": default.default_min_confidence,
            },
            models=[
                {
                    "name": p.name,
                    "version": p.version,
                    "languages": p.languages,
                    "min_confidence": p.default_min_confidence,
                }
                for p in chooser.preload()
            ],
            language=default.settings.language,
            components=default.components(),
            propscope=propscope.__version__,
        )

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # The last added runs first: headers on every answer, then the Host check, then the body.
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout
    )
    app.add_middleware(HostCheckMiddleware, settings=settings)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def serve(
    model: str | Path = "auto",
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: ServerSettings | None = None,
) -> None:
    """Load ``model`` once and serve the API and page with uvicorn until interrupted.

    Example:
        >>> serve("en-fast", port=8000)  # doctest: +SKIP
    """
    settings = settings or ServerSettings()
    run_app(create_app(ModelChooser(model), settings), host=host, port=port, settings=settings)


def run_app(app: FastAPI, *, host: str, port: int, settings: ServerSettings) -> None:
    """Serve ``app`` with uvicorn until SIGINT or SIGTERM, then stop within seconds."""
    import uvicorn

    from propscope.server.protocol import header_timeout_protocol

    uvicorn.run(
        app,
        host=host,
        port=port,
        ws="none",
        server_header=False,
        log_level="info",
        # After SIGTERM, open requests get this long; running analyses are then stopped.
        timeout_graceful_shutdown=max(1, round(settings.shutdown_timeout)),
        # Request headers must arrive in time too (a slowloris holds connections otherwise).
        http=header_timeout_protocol(settings.body_timeout),
    )


__all__ = ["STATIC_DIR", "create_app", "run_app", "serve"]

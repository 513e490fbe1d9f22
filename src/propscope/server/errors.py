"""Turning errors into JSON answers: one fixed body per error class.

Every error answer is ``{"error": {"code": "E004", "type": "InputTooLargeError", "message":
"[E004] ..."}}`` with the class's ``http_status``. Library errors (:class:`PropscopeError`) keep
their class and message; the framework's own errors (invalid JSON or fields, unknown paths, a body
over the limit, a crash) are first turned into the server errors below, so that one function
writes every body.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from propscope.errors import Errors, PropscopeError

logger = logging.getLogger("propscope.server")

# The page and its assets come from this server only; nothing inline runs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Sent with every answer, error answers included.
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}

# What each endpoint expects, quoted in E061 messages.
EXPECTED_BODIES = {
    "/api/analyze": 'a JSON object with exactly one of "text", "url" or "html" (optional: "lang", '
    '"threshold" and "min_confidence" in [0, 1], "genre_prior")',
    "/api/report": "the JSON object that POST /api/analyze returned",
}


class InvalidRequestError(PropscopeError, ValueError):
    """The request body is not valid JSON or its fields are wrong."""

    http_status = 422


class RequestTooLargeError(InvalidRequestError):
    """The request body is over ``max_body_bytes``."""

    http_status = 413


class EndpointNotFoundError(PropscopeError, LookupError):
    """No endpoint at that path."""

    http_status = 404


class MethodNotAllowedError(EndpointNotFoundError):
    """The path exists but not for that HTTP method."""

    http_status = 405


class RequestTimeoutError(InvalidRequestError):
    """The request body did not arrive within ``body_timeout``."""

    http_status = 408


class HostNotAllowedError(InvalidRequestError):
    """The ``Host`` header names a host this server does not answer to."""

    http_status = 421


class InternalServerError(PropscopeError, RuntimeError):
    """An unexpected failure (a bug)."""

    http_status = 500


def error_body(exc: PropscopeError) -> dict[str, Any]:
    """The JSON body for ``exc``: its catalogue code, class name and message."""
    message = str(exc)
    return {
        "error": {
            "code": exc.code or "E000",
            "type": type(exc).__name__,
            "message": message,
        }
    }


def error_response(exc: PropscopeError) -> JSONResponse:
    """A JSON answer with the status of ``exc``'s class and its :func:`error_body`.

    A refusal for a full server also says when to come back (``Retry-After``).
    """
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    return JSONResponse(error_body(exc), status_code=exc.http_status, headers=headers)


def error_bytes(exc: PropscopeError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body of :func:`error_response` for middleware that sends them raw."""
    body = json.dumps(error_body(exc)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    return exc.http_status, headers, body


def _describe(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "decode error")
        position = error.get("loc", ("body", "?"))[-1]
        return f"the body is not valid JSON ({reason} at character {position})"
    loc = [str(part) for part in error.get("loc", ()) if part != "body"]
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if error.get("type") == "model_attributes_type":
        message = "the body must be a JSON object sent with Content-Type: application/json"
    return f"{'.'.join(loc)}: {message}" if loc else message


def validation_error(path: str, exc: RequestValidationError) -> InvalidRequestError:
    """The :class:`InvalidRequestError` (E061) for a failed request validation."""
    problems = "; ".join(_describe(error) for error in exc.errors()) or "invalid body"
    expected = EXPECTED_BODIES.get(path, "a valid request")
    return InvalidRequestError(
        Errors.E061.format(endpoint=path, problems=problems, expected=expected)
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into its fixed JSON body."""

    @app.exception_handler(PropscopeError)
    async def _propscope_error(request: Request, exc: PropscopeError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(validation_error(request.url.path, exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        method, path = request.method, request.url.path
        error: PropscopeError
        if exc.status_code == 405:
            error = MethodNotAllowedError(
                Errors.E062.format(method=method, path=path, reason="method not allowed")
            )
        elif exc.status_code == 400:
            # The framework's "error parsing the body": bytes that are not UTF-8 JSON.
            error = InvalidRequestError(
                Errors.E061.format(
                    endpoint=path,
                    problems=f"the body is not valid JSON in UTF-8 ({exc.detail})",
                    expected=EXPECTED_BODIES.get(path, "a valid request"),
                )
            )
        elif exc.status_code == 404:
            error = EndpointNotFoundError(
                Errors.E062.format(method=method, path=path, reason="not found")
            )
        else:
            # Other framework errors keep their status; the body still has the fixed shape.
            error = InvalidRequestError(
                Errors.E061.format(
                    endpoint=path,
                    problems=str(exc.detail),
                    expected=EXPECTED_BODIES.get(path, "a valid request"),
                )
            )
            response = error_response(error)
            response.status_code = exc.status_code
            return response
        return error_response(error)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        response = error_response(
            InternalServerError(
                Errors.E063.format(
                    method=request.method, path=request.url.path, reason=type(exc).__name__
                )
            )
        )
        # This answer is sent from outside every middleware: it needs its headers here.
        response.headers.update(SECURITY_HEADERS)
        return response


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SECURITY_HEADERS",
    "EndpointNotFoundError",
    "HostNotAllowedError",
    "InternalServerError",
    "InvalidRequestError",
    "MethodNotAllowedError",
    "RequestTimeoutError",
    "RequestTooLargeError",
    "error_body",
    "error_bytes",
    "error_response",
    "install_error_handlers",
    "validation_error",
]

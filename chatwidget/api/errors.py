"""The one JSON error envelope for every API route, and plain pages elsewhere."""

import logging
from collections.abc import Mapping

from flask import Flask, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from chatwidget.core.errors import CoreError

log = logging.getLogger(__name__)

# (body, status, headers): the contract's error shape, as a Flask view may return it.
Envelope = tuple[dict[str, object], int, Mapping[str, str]]

# Paths that are pages for people (each prefix a route of web, console or widget);
# everything else answers errors in JSON.
PAGE_PREFIXES = ("/console", "/calls/", "/docs", "/static/", "/demo")


def is_page_request() -> bool:
    """True for browser pages, which keep Flask's HTML error pages."""
    return request.path.startswith(PAGE_PREFIXES)


def envelope(
    status: int,
    message: str,
    errors: object = None,
    headers: Mapping[str, str] | None = None,
    **extra: object,
) -> Envelope:
    """A (body, status, headers) triple in the contract's error shape."""
    body: dict[str, object] = {"message": message, **extra}
    if errors:
        body["errors"] = errors
    return body, status, headers or {}


def handle_http(error: HTTPException) -> Envelope | HTTPException:
    """HTTPException → JSON envelope under the APIs."""
    if is_page_request():
        return error
    data = getattr(error, "data", None) or {}
    message = data.get("message") or error.description or error.name
    if error.code == 413:
        message = "The request body is larger than the limit of %s MB" % _max_mb()
    headers = dict(data.get("headers") or {})
    if error.code == 429:
        headers.update(_retry_after(error))
        message = "Rate limit exceeded (%s): retry later" % error.description
    errors = data.get("errors") or data.get("messages")
    # Only a bare HTTPException() has no code; werkzeug's and flask-smorest's all do.
    return envelope(error.code, message, errors, headers)  # type: ignore[arg-type]


def _max_mb() -> float:
    """The body limit of this route: MAX_BODY_MB, or MAX_UPLOAD_MB on upload routes."""
    from flask import current_app, g

    return g.get("body_limit_mb") or current_app.config["MAX_BODY_MB"]


def _retry_after(error: HTTPException) -> dict[str, str]:
    response = getattr(error, "response", None)
    if response is not None and response.headers.get("Retry-After"):
        return {"Retry-After": response.headers["Retry-After"]}
    return {"Retry-After": "1"}


def handle_csrf(error: CSRFError) -> Envelope | CSRFError:
    """A cookie-authenticated change without the page's CSRF token (api/agent_auth.py):
    400 in the envelope under the APIs; the console's forms answer it themselves."""
    if is_page_request():
        return error
    reason = error.description or "The CSRF token is missing."
    return envelope(400, "CSRF token missing or invalid", {"X-CSRFToken": [reason]})


def handle_core(error: CoreError) -> Envelope:
    """Domain errors → their status, same envelope (and Retry-After when one is due)."""
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return envelope(error.status, error.message, error.errors, headers, **error.extra)


def handle_database(error: OperationalError) -> Envelope | InternalServerError:
    """The database did not answer: 503, so clients retry instead of giving up."""
    log.error("database unavailable on %s %s: %s", request.method, request.path, error)
    if is_page_request():
        return InternalServerError()
    return envelope(503, "The message store is unavailable; try again shortly")


def handle_unexpected(error: Exception) -> Envelope | HTTPException:
    """Anything else: logged with its trace, answered without one."""
    if isinstance(error, HTTPException):
        return handle_http(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    if is_page_request():
        return InternalServerError()
    return envelope(500, "Internal server error")


def register(app: Flask) -> None:
    """Install the handlers on app."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(CoreError, handle_core)
    app.register_error_handler(OperationalError, handle_database)
    app.register_error_handler(Exception, handle_unexpected)

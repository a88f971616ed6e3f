"""WIDGET_ORIGINS: the sites that may embed the widget, for the customer REST routes' CORS
and for Socket.IO's allowed origins (CONTRACT §5: default any).

A request to a customer route whose Origin is neither listed nor the server's own is
refused (403) before the view runs: the answer carries no Access-Control-Allow-Origin,
so a browser shows it to no page, and the requests browsers send without a preflight
(a multipart upload, a GET) change nothing either.
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from chatwidget.core.errors import Forbidden

CUSTOMER_PREFIX = "/api/customer/"
ALLOW_HEADERS = "Content-Type, Authorization"
# What the widget reads of an answer besides its body.
EXPOSE_HEADERS = "Retry-After, X-Transcript-Url, Content-Disposition"
PREFLIGHT_MAX_AGE_S = "600"


def origin_of(url: str | None) -> str:
    """scheme://host[:port] of a URL or origin, lower case; "" when it is not one."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return "%s://%s" % (parts.scheme, parts.netloc.lower())


def widget_origins(config: Mapping[str, Any]) -> list[str] | None:
    """WIDGET_ORIGINS as a list of origins, or None when any origin may embed it."""
    listed = config["WIDGET_ORIGINS"]
    if isinstance(listed, str):  # given as in the environment
        listed = listed.split(",")
    listed = [item.strip() for item in listed]
    if "*" in listed:
        return None
    return [o for o in (origin_of(item) for item in listed) if o]


def socketio_origins(config: Mapping[str, Any]) -> str | list[str]:
    """Socket.IO's cors_allowed_origins: "*", or the listed origins plus PUBLIC_URL's (the
    console and the demo page connect from the server's own origin)."""
    listed = widget_origins(config)
    if listed is None:
        return "*"
    return sorted({*listed, origin_of(config["PUBLIC_URL"])} - {""})


def allowed(origin: str) -> bool:
    """True when a page of this origin may call the customer routes."""
    listed = widget_origins(current_app.config)
    if listed is None:
        return True
    origin = origin_of(origin)
    own = {origin_of(current_app.config["PUBLIC_URL"]), origin_of(request.host_url)}
    return bool(origin) and (origin in listed or origin in own)


def _customer_route() -> bool:
    return request.path.startswith(CUSTOMER_PREFIX)


def refuse_other_origins() -> None:
    """before_request: a customer route called from a page WIDGET_ORIGINS does not list."""
    if not _customer_route():
        return
    origin = request.headers.get("Origin")
    if origin and not allowed(origin):
        raise Forbidden("origin %s is not in WIDGET_ORIGINS" % origin[:200])


def add_headers(response: Response) -> Response:
    """after_request: CORS headers on a customer route's answer to an allowed origin,
    the preflight's too (methods from the route's Allow, headers the widget sends)."""
    if not _customer_route():
        return response
    origin = request.headers.get("Origin")
    if not origin or not allowed(origin):
        return response
    headers = response.headers
    if widget_origins(current_app.config) is None:
        headers["Access-Control-Allow-Origin"] = "*"
    else:
        headers["Access-Control-Allow-Origin"] = origin
        headers.add("Vary", "Origin")
    headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        headers["Access-Control-Allow-Methods"] = headers.get("Allow") or "GET, POST, OPTIONS"
        headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_S
    return response


def init_app(app: Flask) -> None:
    """Install the two hooks on app (every blueprint's customer routes share them)."""
    app.before_request(refuse_other_origins)
    app.after_request(add_headers)

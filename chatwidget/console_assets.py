"""The agent console's scripts and styles, built by `scripts/build_static.mjs` from
static/console/ into static/dist/console/ with a gzipped copy beside each file.

`/console/app.js` and `/console/app.css` are asked for with their content hash (`?v=…`,
from `console_asset()` in templates/console.html): that URL's bytes never change, so it is
cached for a year; without it, briefly. Lazily loaded chunks carry the hash in their name.
Same origin only (the console page's own scripts): no CORS. The console page itself gets a
Content-Security-Policy that allows scripts and styles from this origin alone.
"""

import re
from collections.abc import Callable

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue

from chatwidget import built

bp = Blueprint("console_assets", __name__)

FOREVER = "public, max-age=31536000, immutable"
BRIEFLY = "public, max-age=300"
TYPES = {".js": "text/javascript", ".css": "text/css"}
CHUNK = re.compile(r"[A-Za-z0-9_-]{1,80}\.(js|css)")
# No inline script or style, no plugins, no framing; images may come from the media store
# (signed links, possibly another origin) and connections only go to this server.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data: blob:; "
    "media-src 'self' https:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def _serve(name: str, cache_control: str) -> Response:
    """A built file of the console (name under static/dist/console/)."""
    mimetype = TYPES[name[name.rindex(".") :]]
    return built.serve("console/" + name, mimetype, cache_control, "console")


def _versioned(name: str) -> str:
    """Cache for a year when the URL names this build's content hash."""
    digest = built.digest("console/" + name)
    return FOREVER if digest and request.args.get("v") == digest[:16] else BRIEFLY


@bp.get("/console/app.js")
def app_script() -> Response:
    """The console's application (an ES module)."""
    return _serve("app.js", _versioned("app.js"))


@bp.get("/console/app.css")
def app_style() -> Response:
    """The console's styles."""
    return _serve("app.css", _versioned("app.css"))


@bp.get("/console/chunks/<name>")
def chunk(name: str) -> ResponseReturnValue:
    """A lazily loaded part of the console (content hash in its name)."""
    if not CHUNK.fullmatch(name):
        return jsonify(status="error", message="no such file"), 404
    if built.digest("console/chunks/" + name) is None:
        return jsonify(status="error", message="no such file"), 404
    return _serve("chunks/" + name, FOREVER)


# The console's mark (the top bar's blue square), also what a browser asks every page of
# the site for: a missing one is a 404 and an error in the browser's console on each page.
ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><defs><linearGradient id="g" '
    'x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#5b8cff"/><stop offset="1" '
    'stop-color="#2c5ee8"/></linearGradient></defs><rect width="32" height="32" rx="8" '
    'fill="url(#g)"/><path d="M9 11h14v8h-8l-4 3v-3H9z" fill="#fff"/></svg>'
)


@bp.get("/favicon.ico")
def icon() -> Response:
    """The site's icon (SVG)."""
    response = Response(ICON, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.app_context_processor
def _helpers() -> dict[str, Callable[[str], str]]:
    return {"console_asset": console_asset}


def console_asset(name: str) -> str:
    """The URL of app.js or app.css with this build's content hash; the page that asks
    for it is the console page, which gets the strict Content-Security-Policy."""
    g.console_page = True
    digest = built.digest("console/" + name)
    path = "/console/" + name
    return "%s?v=%s" % (path, digest[:16]) if digest else path


@bp.after_app_request
def _policy(response: Response) -> Response:
    if g.get("console_page") and response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
    return response

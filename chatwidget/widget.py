"""The widget's scripts and its demo page.

`/widget.js` (the loader every page view pays for) and `/widget/app.js` (loaded when the visitor
reaches for the chat) are built by `scripts/build_static.mjs` into static/dist/ with a gzipped
copy beside each. They are served with a strong ETag (304 on If-None-Match), the pre-compressed
copy to clients that take gzip, and CORS for the embedding origins (the app is an ES module,
which a browser fetches in CORS mode).
"""

from flask import Blueprint, Response, current_app, render_template, request

from chatwidget import built

bp = Blueprint("widget_assets", __name__)  # "widget" is the REST routes' blueprint

# The loader's URL never changes, so it is cached briefly; the loader asks for the app with
# its content hash (?v=…), so that URL's bytes never change and may be kept for a year.
LOADER_CACHE = "public, max-age=300"
APP_CACHE = "public, max-age=31536000, immutable"
APP_REVALIDATE = "public, max-age=300"


def _allowed_origin() -> str | None:
    """The Access-Control-Allow-Origin value: '*' unless WIDGET_ORIGINS names origins."""
    origins = current_app.config.get("WIDGET_ORIGINS") or "*"
    if isinstance(origins, str):
        origins = origins.replace(",", " ").split()
    if "*" in origins:
        return "*"
    origin = request.headers.get("Origin")
    return origin if origin in origins else None


def _serve(name: str, cache_control: str) -> Response:
    response = built.serve(name, "text/javascript", cache_control, "widget")
    if response.status_code == 503:
        return response
    allowed = _allowed_origin()
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = allowed
    if allowed != "*":  # the answer depends on the page's origin: caches must keep them apart
        response.vary.add("Origin")
    return response


@bp.get("/widget.js")
def loader() -> Response:
    """The widget's loader: draws the launcher and defines window.ChatWidget."""
    return _serve("widget.js", LOADER_CACHE)


@bp.get("/widget/app.js")
def app_script() -> Response:
    """The widget's panel (an ES module), loaded when the visitor reaches for the chat."""
    digest = built.digest("app.js")
    versioned = digest is not None and request.args.get("v") == digest[:16]
    return _serve("app.js", APP_CACHE if versioned else APP_REVALIDATE)


@bp.get("/demo")
def demo() -> str:
    """A page with nothing but the widget's tag (data-* attributes from the query string)."""
    attrs = {
        key: request.args[key]
        for key in ("subject", "lang", "color", "title", "position")
        if request.args.get(key)
    }
    return render_template("demo.html", attrs=attrs)

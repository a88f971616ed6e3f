"""The widget's scripts and its demo page.

`/widget.js` (the loader every page view pays for) and `/widget/app.js` (loaded when the visitor
reaches for the chat) are built by `scripts/build_static.mjs` into static/dist/ with a gzipped
copy beside each. They are served with a strong ETag (304 on If-None-Match), the pre-compressed
copy to clients that take gzip, and CORS for the embedding origins (the app is an ES module,
which a browser fetches in CORS mode).
"""

import hashlib
import os

from flask import Blueprint, Response, current_app, jsonify, render_template, request

bp = Blueprint("widget_assets", __name__)  # "widget" is the REST routes' blueprint

DIST = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static", "dist")
# The loader's URL never changes, so it is cached briefly; the loader asks for the app with
# its content hash (?v=…), so that URL's bytes never change and may be kept for a year.
LOADER_CACHE = "public, max-age=300"
APP_CACHE = "public, max-age=31536000, immutable"
APP_REVALIDATE = "public, max-age=300"

_files = {}  # name -> (mtime, identity bytes, gzip bytes, etag) of the last build read


def _read(name):
    """A built file and its gzipped copy, re-read when a new build replaced it."""
    path = os.path.join(DIST, name)
    mtime = os.stat(path).st_mtime_ns
    cached = _files.get(name)
    if cached and cached[0] == mtime:
        return cached
    with open(path, "rb") as plain, open(path + ".gz", "rb") as packed:
        body, gz = plain.read(), packed.read()
    entry = (mtime, body, gz, hashlib.sha256(body).hexdigest()[:32])
    _files[name] = entry
    return entry


def _allowed_origin():
    """The Access-Control-Allow-Origin value: '*' unless WIDGET_ORIGINS names origins."""
    origins = current_app.config.get("WIDGET_ORIGINS") or "*"
    if isinstance(origins, str):
        origins = origins.replace(",", " ").split()
    if "*" in origins:
        return "*"
    origin = request.headers.get("Origin")
    return origin if origin in origins else None


def _serve(name, cache_control):
    try:
        _, body, gz, digest = _read(name)
    except FileNotFoundError:
        current_app.logger.error("widget not built: %s missing in %s", name, DIST)
        response = jsonify(
            status="error",
            message="the widget is not built: run `make run` or `node scripts/build_static.mjs`",
        )
        response.status_code = 503
        return response
    gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    # One strong ETag per representation: the gzipped bytes are another entity.
    etag = '"%s%s"' % (digest, "-gz" if gzip else "")
    response = Response(status=200, mimetype="text/javascript")
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = "Accept-Encoding"
    allowed = _allowed_origin()
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = allowed
    if allowed != "*":  # the answer depends on the page's origin: caches must keep them apart
        response.vary.add("Origin")
    if etag in _if_none_match():
        response.status_code = 304
        return response
    response.set_data(gz if gzip else body)
    if gzip:
        response.headers["Content-Encoding"] = "gzip"
    return response


def _if_none_match():
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


@bp.get("/widget.js")
def loader():
    """The widget's loader: draws the launcher and defines window.ChatWidget."""
    return _serve("widget.js", LOADER_CACHE)


@bp.get("/widget/app.js")
def app_script():
    """The widget's panel (an ES module), loaded when the visitor reaches for the chat."""
    _, _, _, digest = _read_or_none("app.js")
    versioned = digest is not None and request.args.get("v") == digest[:16]
    return _serve("app.js", APP_CACHE if versioned else APP_REVALIDATE)


def _read_or_none(name):
    try:
        return _read(name)
    except FileNotFoundError:
        return None, None, None, None


@bp.get("/demo")
def demo():
    """A page with nothing but the widget's tag (data-* attributes from the query string)."""
    attrs = {
        key: request.args[key]
        for key in ("subject", "lang", "color", "title", "position")
        if request.args.get(key)
    }
    return render_template("demo.html", attrs=attrs)

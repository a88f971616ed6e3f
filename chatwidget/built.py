"""Serving what `scripts/build_static.mjs` built into static/dist/ (widget and console).

Each built file has a gzipped copy beside it. A file is served with a strong ETag (304 on
If-None-Match; the gzipped bytes are another entity, with their own tag), the
pre-compressed copy to clients that take gzip, and the Cache-Control its route chooses.
"""

import hashlib
import os

from flask import Response, current_app, jsonify, request

DIST = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static", "dist")

# name -> (mtime, identity bytes, gzip bytes, digest) of the last build read
Built = tuple[int, bytes, bytes, str]
_files: dict[str, Built] = {}


def read(name: str) -> Built:
    """A built file and its gzipped copy, re-read when a new build replaced it;
    FileNotFoundError when it is not built."""
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


def digest(name: str) -> str | None:
    """The content hash of a built file, or None when it is not built."""
    try:
        return read(name)[3]
    except FileNotFoundError:
        return None


def _if_none_match() -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def serve(name: str, mimetype: str, cache_control: str, what: str) -> Response:
    """The built file `name` as a response; 503 naming `what` when it is not built."""
    try:
        _, body, gz, sha = read(name)
    except FileNotFoundError:
        current_app.logger.error("%s not built: %s missing in %s", what, name, DIST)
        response = jsonify(
            status="error",
            message="the %s is not built: run `make run` or `node scripts/build_static.mjs`" % what,
        )
        response.status_code = 503
        return response
    gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    etag = '"%s%s"' % (sha, "-gz" if gzip else "")
    response = Response(status=200, mimetype=mimetype)
    response.headers.update({"ETag": etag, "Cache-Control": cache_control})
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if etag in _if_none_match():
        response.status_code = 304
        return response
    response.set_data(gz if gzip else body)
    if gzip:
        response.headers["Content-Encoding"] = "gzip"
    return response

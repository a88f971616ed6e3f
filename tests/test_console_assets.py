"""The console's scripts and styles as a browser gets them: built within budget, named by
content hash in the page, cached, compressed, and the page under a strict CSP.

Built by `node scripts/build_static.mjs` (what `make run`/`make test` run) into
static/dist/console/; without node or esbuild these tests are skipped, saying why.
"""

import gzip
import json
import os
import re

import pytest

from chatwidget import built as built_files
from tests.console.helpers import signed_in_agent
from tests.test_widget_assets import built  # noqa: F401 (the module-scoped build fixture)

CONSOLE = os.path.join(built_files.DIST, "console")


@pytest.fixture
def web(built, sqlite_app):  # noqa: F811
    return sqlite_app.test_client()


def _manifest():
    with open(os.path.join(CONSOLE, "manifest.json")) as fh:
        return json.load(fh)


def test_within_budget_and_printed(built):  # noqa: F811
    files = _manifest()
    # app.css, app.js and the chunks app.js imports statically: all loaded before any work
    first_load = sum(entry["gzipped"] for entry in files.values() if entry["startup"])
    assert files["app.js"]["startup"] and files["app.css"]["startup"]
    assert first_load <= 61440
    assert "console: app.js + app.css %d B gzipped" % first_load in built
    for name, entry in files.items():  # the manifest names what is there, gzipped beside it
        assert os.path.getsize(os.path.join(CONSOLE, name)) == entry["bytes"]
        assert os.path.getsize(os.path.join(CONSOLE, name + ".gz")) == entry["gzipped"]


def test_page_loads_the_build_by_hash_under_a_strict_policy(web, sqlite_app):
    signed_in_agent(sqlite_app, web, "Ada")
    response = web.get("/console")
    page = response.get_data(as_text=True)
    files = _manifest()
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', page)
    assert '/console/app.js?v=%s"' % files["app.js"]["hash"] in page
    assert '/console/app.css?v=%s"' % files["app.css"]["hash"] in page
    assert "<script>" not in page  # nothing inline: the policy would refuse it
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_sign_in_form_keeps_its_own_styles(web):
    # The strict policy is the console page's: the sign-in form has an inline <style>.
    assert "Content-Security-Policy" not in web.get("/console").headers


@pytest.mark.parametrize(
    ("name", "mimetype"), [("app.js", "text/javascript"), ("app.css", "text/css")]
)
def test_hashed_url_cached_for_a_year_plain_url_briefly(web, name, mimetype):
    version = _manifest()[name]["hash"]
    response = web.get("/console/%s?v=%s" % (name, version))
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Access-Control-Allow-Origin" not in response.headers  # same origin only
    with open(os.path.join(CONSOLE, name), "rb") as fh:
        assert response.data == fh.read()
    assert web.get("/console/" + name).headers["Cache-Control"] == "public, max-age=300"
    assert web.get("/console/%s?v=old" % name).headers["Cache-Control"] == "public, max-age=300"


def test_gzip_and_not_modified(web):
    plain = web.get("/console/app.js").data
    packed = web.get("/console/app.js", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain
    etag = packed.headers["ETag"]
    again = web.get("/console/app.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_lazy_chunks_served_forever_and_nothing_else(web):
    chunks = [n for n in _manifest() if n.startswith("chunks/")]
    assert chunks, "the admin pages are a chunk of their own"
    response = web.get("/console/" + chunks[0])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for bad in ("nope-123.js", "..%2Fapp.js", "x.txt", "manifest.json"):
        assert web.get("/console/chunks/" + bad).status_code == 404, bad

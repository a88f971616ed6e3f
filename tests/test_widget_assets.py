"""The widget's scripts as a browser gets them: built within budget, cached, compressed.

The build (`node scripts/build_static.mjs`, what `make run`/`make test` run) writes
static/dist/; without node or esbuild these tests are skipped, saying why.
"""

import gzip
import os
import re
import shutil
import subprocess

import pytest

from chatwidget import built as built_files

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "scripts", "build_static.mjs")


@pytest.fixture(scope="module")
def built():
    """Builds the widget once for the module; returns the build's printed summary."""
    node = shutil.which("node")
    if node is None or not os.path.exists(os.path.join(ROOT, "node_modules", "esbuild")):
        pytest.skip("node or esbuild (npm ci) missing: the widget cannot be built")
    done = subprocess.run(
        [node, BUILD, "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def web(built, sqlite_app):
    return sqlite_app.test_client()


def _gz_size(name):
    return os.path.getsize(os.path.join(built_files.DIST, name + ".gz"))


def test_sizes_within_budget_and_printed(built):
    loader, app = _gz_size("widget.js"), _gz_size("app.js")
    assert loader <= 4096
    assert loader + app <= 25600
    assert "loader %d B gzipped" % loader in built
    assert "loader + app %d B gzipped" % (loader + app) in built


def test_loader_served_with_cache_headers_and_cors(web):
    response = web.get("/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["ETag"])  # strong
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    with open(os.path.join(built_files.DIST, "widget.js"), "rb") as fh:
        assert response.data == fh.read()


def test_gzip_when_accepted(web):
    plain = web.get("/widget.js").data
    response = web.get("/widget.js", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert gzip.decompress(response.data) == plain
    assert len(response.data) == _gz_size("widget.js")
    # the gzipped bytes are another representation: another strong ETag
    assert response.headers["ETag"] != web.get("/widget.js").headers["ETag"]


@pytest.mark.parametrize("encoding", ["", "gzip"])
def test_returning_visitor_downloads_nothing(web, encoding):
    headers = {"Accept-Encoding": encoding}
    etag = web.get("/widget.js", headers=headers).headers["ETag"]
    again = web.get("/widget.js", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = web.get("/widget.js", headers={**headers, "If-None-Match": '"0000"'})
    assert other.status_code == 200 and other.data


def test_app_url_carries_its_hash_and_is_kept_a_year(web):
    loader = web.get("/widget.js").data.decode()
    (version,) = re.findall(r"/widget/app\.js\?v=([0-9a-f]{16})", loader)
    response = web.get("/widget/app.js?v=" + version)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # an old loader's hash (or none) revalidates instead of pinning stale bytes for a year
    stale = web.get("/widget/app.js?v=0123456789abcdef")
    assert stale.headers["Cache-Control"] == "public, max-age=300"
    assert stale.headers["ETag"]


def test_widget_origins_limit_cors(built, tmp_path):
    from tests.conftest import make_app

    client = make_app(
        tmp_path, WIDGET_ORIGINS="https://shop.example, https://b.example"
    ).test_client()
    allowed = client.get("/widget/app.js", headers={"Origin": "https://shop.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "Origin" in allowed.headers["Vary"]
    refused = client.get("/widget/app.js", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_not_built_is_a_clear_503(sqlite_app, tmp_path, monkeypatch):
    monkeypatch.setattr(built_files, "DIST", str(tmp_path))
    for path in ("/widget.js", "/widget/app.js"):
        response = sqlite_app.test_client().get(path)
        assert response.status_code == 503
        assert "not built" in response.get_json()["message"]


def test_demo_page_holds_the_tag(sqlite_app):
    client = sqlite_app.test_client()
    page = client.get("/demo").data.decode()
    assert '<script src="/widget.js" async></script>' in page
    page = client.get('/demo?lang=it&title="><script>x()</script>&position=left').data.decode()
    assert 'data-lang="it"' in page and 'data-position="left"' in page
    assert "<script>x()" not in page  # attributes are escaped

"""The smorest_docs patch documents a view exactly as flask-smorest's decorators do, and
the view answers the same; the app's OpenAPI document is the same with the patch out."""

import json
import os
import subprocess

from flask_smorest import Blueprint
from marshmallow import Schema

from chatwidget.patches.smorest_docs import documenting
from chatwidget.schemas.common import ErrorSchema
from tests.conftest import make_app
from tests.system.servers import PYTHON

BLP = Blueprint("probe", __name__)
# What chatwidget.api.parser passes through the patch: alt_response and doc.
DECORATORS = [
    BLP.alt_response(413, schema=ErrorSchema, description="Body too large"),
    BLP.alt_response(429, schema=ErrorSchema, headers={"Retry-After": {"description": "s"}}),
    BLP.doc(summary="A probe", security=[{"bearerAuth": []}]),
]


def view(value, *, more=None):
    """A view."""
    return {"value": value, "more": more}


def plain(doc):
    """_apidoc with each schema instance (deep-copied by flask-smorest) as its class."""
    if isinstance(doc, dict):
        return {key: plain(value) for key, value in doc.items()}
    if isinstance(doc, list):
        return [plain(value) for value in doc]
    if isinstance(doc, Schema):
        return (type(doc), doc.many)
    return doc


def test_the_documentation_is_flask_smorests_own():
    for count in range(1, len(DECORATORS) + 1):
        stock, patched = view, view
        for decorator in DECORATORS[:count]:
            stock, patched = decorator(stock), documenting(decorator)(patched)
        assert plain(patched._apidoc) == plain(stock._apidoc)
        assert stock is not view  # flask-smorest's own wraps the view


def test_a_documented_view_answers_as_before():
    patched = documenting(DECORATORS[0])(documenting(DECORATORS[2])(view))
    assert patched is view and patched(1, more=2) == {"value": 1, "more": 2}


OPENAPI = """
import json, pathlib, sys, tempfile
sys.path.insert(0, %r)
from tests.conftest import make_app
app = make_app(pathlib.Path(tempfile.mkdtemp()))
print(json.dumps(app.test_client().get("/openapi.json").get_json()))
"""


def test_the_openapi_document_is_the_same_with_the_patch_out(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, CHATWIDGET_PATCHES_OFF="smorest_docs")
    out = subprocess.run(
        [PYTHON, "-c", OPENAPI % root], env=env, capture_output=True, text=True, check=True
    )
    stock = json.loads(out.stdout.strip().splitlines()[-1])
    patched = make_app(tmp_path).test_client().get("/openapi.json").get_json()
    assert patched == stock

"""Fixtures: a fresh app and database per test, on SQLite and on the machine's PostgreSQL.

Each test's database is a copy of a template made once per session by the same
db.create_all() (a copied SQLite file, or CREATE DATABASE ... TEMPLATE): creating the
tables anew for each of ~900 tests was minutes of the suite (docs/performance.md).
make_app still runs create_all, which finds every table there.
"""

import atexit
import json
import os
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path

import pytest

from chatwidget import create_app
from chatwidget.extensions import db

PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def _pg_connect():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


def _pg_reason():
    try:
        _pg_connect().close()
    except Exception as exc:
        return "PostgreSQL not reachable at %s: %s" % (PG_ADMIN_URL, exc)
    return None


_PG_SKIP = _pg_reason()


def _pg_url(name):
    return "%s/%s" % (PG_ADMIN_URL.rsplit("/", 1)[0], name)


def _new_pg_database(template=None):
    """Create a database (a copy of template, if named); returns its name."""
    if _PG_SKIP:
        print(_PG_SKIP)
        pytest.skip(_PG_SKIP)
    name = "cw_%s" % uuid.uuid4().hex[:16]
    with _pg_connect() as conn:
        conn.execute(
            'CREATE DATABASE "%s"%s' % (name, ' TEMPLATE "%s"' % template if template else "")
        )
    return name


def _drop_pg_database(name):
    with _pg_connect() as conn:
        conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


@pytest.fixture
def pg_database():
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    name = _new_pg_database()
    yield _pg_url(name)
    _drop_pg_database(name)


@pytest.fixture(scope="session")
def pg_schema_template():
    """A PostgreSQL database holding db.create_all()'s empty tables, for CREATE DATABASE
    ... TEMPLATE; dropped at the end of the session."""
    name = _new_pg_database()
    try:
        _create_tables(Path(tempfile.mkdtemp(prefix="cw-pg-template-")), _pg_url(name))
        yield name
    finally:
        _drop_pg_database(name)


@pytest.fixture
def pg_schema_database(pg_schema_template):
    """A new PostgreSQL database with the app's empty tables for one test; dropped after."""
    name = _new_pg_database(pg_schema_template)
    yield _pg_url(name)
    _drop_pg_database(name)


def _create_tables(folder, database_url=""):
    """create_all on a throwaway app in folder; its SQLite file's path when on SQLite."""
    app = _configured_app(folder, database_url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return folder / "instance" / "chatwidget.db"


_sqlite_template = []  # the session's template file, made on first use


def _copy_sqlite_template(instance):
    """Put a copy of the session's empty-tables SQLite file at instance/chatwidget.db."""
    if not _sqlite_template:
        folder = Path(tempfile.mkdtemp(prefix="cw-sqlite-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = _create_tables(folder)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all in the one file that is copied
        conn.close()
        _sqlite_template.append(path)
    target = os.path.join(instance, "chatwidget.db")
    if not os.path.exists(target):  # a second app on the same folder shares the first's
        os.makedirs(instance, exist_ok=True)
        shutil.copyfile(_sqlite_template[0], target)


def _configured_app(tmp_path, database_url="", **overrides):
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
        "COMPANY_SECRET": "company-secret-" + uuid.uuid4().hex,
        "PUBLIC_URL": "http://chat.example.test",
        "RATE_LIMIT": "1000/second",
        "CHATS_RATE_LIMIT": "1000/second",
        "RATELIMIT_KEY_PREFIX": "t" + uuid.uuid4().hex[:8],
        "REDIS_URL": "",
    }
    config.update(overrides)
    return create_app(config)


def make_app(tmp_path, database_url="", **overrides):
    """A fresh app with its own instance folder, secrets and database."""
    if not database_url and not {"DATABASE_URL", "SQLALCHEMY_DATABASE_URI"} & set(overrides):
        _copy_sqlite_template(overrides.get("INSTANCE_PATH", str(tmp_path / "instance")))
    app = _configured_app(tmp_path, database_url, **overrides)
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    """The database a test runs on: every capture test runs on both."""
    return request.param


@pytest.fixture
def app_overrides():
    """Settings of `app`; a module overrides this fixture to change them."""
    return {}


@pytest.fixture
def app(backend, tmp_path, request, app_overrides):
    """A fresh app on a fresh database of the current backend."""
    url = ""
    if backend == "postgresql":
        url = request.getfixturevalue("pg_schema_database")
    application = make_app(tmp_path, url, **app_overrides)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path):
    """A fresh app on SQLite only, for tests that are not about the database."""
    application = make_app(tmp_path)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def api_user(app, *roles, name="integrator"):
    """Create an API user; returns (client_id, client_secret)."""
    from chatwidget.core.identity import do_create_api_user

    with app.app_context():
        user, secret = do_create_api_user(name, list(roles))
        return user.client_id, secret


def bearer_for(app, client, *roles):
    """Headers with a bearer token of a new API user holding roles."""
    client_id, secret = api_user(app, *roles)
    response = client.post(
        "/Token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert response.status_code == 200, response.get_json()
    return {"Authorization": "bearer " + response.get_json()["access_token"]}


@pytest.fixture
def sample_chat():
    """The seed's exact "Sample Chat Json"."""
    with open(os.path.join(FIXTURES, "sample_chat.json")) as fh:
        return json.load(fh)

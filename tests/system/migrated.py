"""A deployment's database as `flask db upgrade` leaves it, without running it each time.

The first deployment of a backend in the session runs `flask db upgrade` on a template (a
SQLite file, a PostgreSQL database); every deployment after gets a copy of it (a file copy,
CREATE DATABASE ... TEMPLATE): each upgrade was a process importing the app, seconds a
deployment (docs/performance.md). tests/test_migrations.py tests the migrations themselves.
"""

import atexit
import os
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path

from tests.conftest import _pg_connect

SQLITE = "sqlite:///"
_templates = {}  # "sqlite" → template file; "postgresql" → template database name


def migrate(deployment):
    """Give deployment's (new, empty) database the migrated schema; as `db upgrade` would,
    the instance folder is made too."""
    os.makedirs(deployment.env["INSTANCE_PATH"], exist_ok=True)
    url = deployment.env["DATABASE_URL"]
    if url.startswith(SQLITE) and not os.path.exists(url[len(SQLITE) :]):
        shutil.copyfile(_template("sqlite", deployment), url[len(SQLITE) :])
    elif url.startswith("postgresql://"):
        name = url.rsplit("/", 1)[1]
        template = _template("postgresql", deployment)
        with _pg_connect() as conn:  # the database was made empty for this test: made again
            conn.execute('DROP DATABASE "%s" WITH (FORCE)' % name)
            conn.execute('CREATE DATABASE "%s" TEMPLATE "%s"' % (name, template))
    else:  # a database already there: the real command, which upgrades it in place
        deployment.flask("db", "upgrade")


def _template(backend, deployment):
    """The session's migrated template for backend, made with deployment's settings."""
    if backend not in _templates:
        folder = Path(tempfile.mkdtemp(prefix="cw-migrated-"))
        atexit.register(shutil.rmtree, folder, True)
        if backend == "sqlite":
            made, url = folder / "template.db", SQLITE + str(folder / "template.db")
        else:
            made = "cw_migrated_%s" % uuid.uuid4().hex[:12]
            with _pg_connect() as conn:
                conn.execute('CREATE DATABASE "%s"' % made)
            atexit.register(_drop, made)
            url = "%s/%s" % (deployment.env["DATABASE_URL"].rsplit("/", 1)[0], made)
        migrator = type(deployment)(folder, url)
        migrator.flask("db", "upgrade")
        migrator.engine.dispose()
        if backend == "sqlite":  # whatever the WAL still holds, into the file that is copied
            conn = sqlite3.connect(made)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
        _templates[backend] = made
    return _templates[backend]


def _drop(name):
    with _pg_connect() as conn:
        conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)

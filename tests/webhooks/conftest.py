"""Fixtures for the webhook tests: a fast-retrying app and a real HTTP receiver."""

import pytest

from chatwidget.extensions import db
from tests.conftest import make_app
from tests.webhooks.receiver import Receiver

# Retries due almost at once, so a test can walk through every attempt in milliseconds.
FAST = {
    "WEBHOOK_BACKOFF_BASE_S": 0.01,
    "WEBHOOK_BACKOFF_MAX_S": 0.02,
    "WEBHOOK_MAX_ATTEMPTS": 4,
    "WEBHOOK_TIMEOUT_S": 2.0,
}


@pytest.fixture
def hook_app(backend, tmp_path, request):
    """A fresh app on the current backend, with tiny webhook backoff."""
    url = request.getfixturevalue("pg_schema_database") if backend == "postgresql" else ""
    application = make_app(tmp_path, url, **FAST)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def receiver():
    """A receiver that answers 200 to everything; tests replace the plan as they need."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def deployment(backend, tmp_path, request):
    """A migrated database of the current backend for server processes; all killed after."""
    from tests.system.migrated import migrate
    from tests.webhooks.servers import Deployment

    if backend == "postgresql":
        url = request.getfixturevalue("pg_database")
    else:
        url = "sqlite:///%s" % (tmp_path / "chatwidget.db")
    deployed = Deployment(tmp_path, url)
    try:
        migrate(deployed)
        yield deployed
    finally:
        deployed.close()

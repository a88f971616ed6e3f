"""Fixtures for the system tests: deployments of real server processes, Redis."""

import pytest

from tests.system.migrated import migrate
from tests.system.servers import REDIS_URL, Deployment, redis_reason


@pytest.fixture
def redis_url():
    """The machine's Redis; the test is skipped, saying why, when it does not answer."""
    reason = redis_reason()
    if reason:
        print(reason)
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def database_url(backend, tmp_path, request):
    """A fresh database of the current backend (tests/conftest.py: sqlite, postgresql)."""
    if backend == "postgresql":
        return request.getfixturevalue("pg_database")
    return "sqlite:///%s" % (tmp_path / "chatwidget.db")


@pytest.fixture
def make_deployment(tmp_path):
    """make(database_url, redis_url="", **env) → a migrated Deployment; all killed after.

    Name the database fixture before this one in a test's arguments: fixtures are torn
    down in reverse, so the servers are killed before their database is dropped.
    """
    made = []

    def make(database_url, redis_url="", **env):
        deployment = Deployment(tmp_path / ("d%d" % len(made)), database_url, redis_url)
        deployment.tmp.mkdir()
        deployment.env.update({k: str(v) for k, v in env.items()})
        made.append(deployment)
        migrate(deployment)
        return deployment

    yield make
    for deployment in made:
        deployment.close()

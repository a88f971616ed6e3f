"""Served processes for the hostile probes (issue 15), one set per backend and test module.

Each module gets, on SQLite and on PostgreSQL, a `python app.py` started as `make run`
starts it (migrated database, the contract's defaults for every limit, except a 1 MB
MAX_BODY_MB so that an oversized body stays small), an agent and the API users the probes
need; the proxy probes get two more servers of their own with a low RATE_LIMIT.
"""

import os
import uuid
from types import SimpleNamespace

import pytest

from tests.conftest import _PG_SKIP, PG_ADMIN_URL, _pg_connect
from tests.system.migrated import migrate
from tests.system.servers import Deployment

# Limits whose contract defaults the probes assert: an operator's own values must not leak in.
DEFAULTED = ("MAX_MESSAGE_CHARS", "SOCKET_RATE_LIMIT", "SOCKET_RATE_BURST", "PROXY_HOPS",
             "MAX_BODY_MB")  # fmt: skip
AGENT_PASSWORD = "hostile-secret-123"
ROUTED_QUEUE = "hostile-routing"  # the one queue with an agent: other probes' chats just wait
PROXY_RATE_LIMIT = "5/minute"


class Databases:
    """Fresh databases of one backend, dropped at teardown (after the servers are killed)."""

    def __init__(self, backend, tmp):
        self.backend, self.tmp, self.made = backend, tmp, []

    def new(self):
        if self.backend == "sqlite":
            return "sqlite:///%s" % (self.tmp / ("db%d.sqlite" % len(self.made)))
        name = "cw_hostile_%s" % uuid.uuid4().hex[:12]
        with _pg_connect() as conn:
            conn.execute('CREATE DATABASE "%s"' % name)
        self.made.append(name)
        return "%s/%s" % (PG_ADMIN_URL.rsplit("/", 1)[0], name)

    def drop(self):
        for name in self.made:
            with _pg_connect() as conn:
                conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def databases(request, tmp_path_factory):
    """The module's backend: SQLite files, or PostgreSQL databases (skipped, saying why,
    when PostgreSQL does not answer)."""
    if request.param == "postgresql" and _PG_SKIP:
        print(_PG_SKIP)
        pytest.skip(_PG_SKIP)
    made = Databases(request.param, tmp_path_factory.mktemp("hostile-db"))
    yield made
    made.drop()


def deploy(databases, tmp_path_factory, **env):
    """A migrated Deployment on a new database of the backend, with the contract's defaults."""
    deployment = Deployment(tmp_path_factory.mktemp("hostile"), databases.new())
    for name in DEFAULTED:
        deployment.env.pop(name, None)
    deployment.env.update({k: str(v) for k, v in env.items()})
    migrate(deployment)
    return deployment


@pytest.fixture(scope="module")
def served(databases, tmp_path_factory):
    """The main server with an agent for ROUTED_QUEUE, another agent and two API users."""
    deployment = deploy(databases, tmp_path_factory, MAX_BODY_MB=1)
    agent_email = "ann-%s@example.test" % uuid.uuid4().hex[:6]
    signin_email = "bob-%s@example.test" % uuid.uuid4().hex[:6]
    try:
        servers = deployment.launch("hostile")  # starting while the commands run: both import
        made = deployment.commands(
            (
                *deployment.create_agent(agent_email, "Ann", AGENT_PASSWORD, ROUTED_QUEUE),
                "--max-chats",
                "50",
            ),  # fmt: skip
            deployment.create_agent(signin_email, "Bob", AGENT_PASSWORD, "general"),
            ("create-api-user", "crm", "--role", "chat_capture", "--role", "call_share"),
            ("create-api-user", "gateway", "--role", "connector"),
        )
        [server] = deployment.wait_ready(servers)
        yield SimpleNamespace(
            deployment=deployment,
            url=server.url,
            agent_email=agent_email,
            signin_email=signin_email,
            capture_user=made[2],
            connector_user=made[3],
        )
    finally:
        deployment.close()


@pytest.fixture(scope="module")
def proxied(databases, tmp_path_factory):
    """{hops: url}: servers with PROXY_HOPS 1 and 0 and RATE_LIMIT PROXY_RATE_LIMIT."""
    started = {}
    try:
        for hops in (1, 0):
            started[hops] = deploy(
                databases, tmp_path_factory, PROXY_HOPS=hops, RATE_LIMIT=PROXY_RATE_LIMIT
            )
            started[hops].launch("proxy-hops-%d" % hops)
        for deployment in started.values():
            deployment.wait_ready(deployment.servers)
        yield {hops: deployment.servers[0].url for hops, deployment in started.items()}
    finally:
        for deployment in started.values():
            deployment.close()


@pytest.fixture
def fresh_email():
    """An address of a customer no other probe uses."""
    return "probe-%s@example.test" % os.urandom(4).hex()

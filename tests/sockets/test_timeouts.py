"""Silent conversations end by time-out; long waits get the offline notice, once."""

import threading

import pytest

from chatwidget import scheduler
from chatwidget.core import timeouts
from chatwidget.extensions import db
from tests.conftest import make_app
from tests.sockets.helpers import ask_info, messages_of, online_agent, send, start, state_of


@pytest.fixture
def timeout_app(tmp_path, request):
    """An app whose time-outs are already due, on the test's backend."""
    backend = request.param
    url = request.getfixturevalue("pg_schema_database") if backend == "postgresql" else ""
    application = make_app(tmp_path, url, INACTIVITY_TIMEOUT_S=0, QUEUE_TIMEOUT_S=0)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("timeout_app", ["sqlite"], indirect=True)
def test_a_silent_conversation_ends_with_reason_timeout(timeout_app):
    app = timeout_app
    _, agent = online_agent(app, "Alice")
    cid, _, client = start(app)
    messages_of(client)
    scheduler.run_once(app)
    ended = [m for m in messages_of(client) if m.get("activityType") == "endOfConversation"]
    assert [m["info"] for m in ended] == [{"reason": "timeout"}]
    assert state_of(app, cid)[0] == "ended"
    assert send(client, cid, "too late")["status"] == "error"


def test_an_active_conversation_is_left_alone(sqlite_app):
    _, agent = online_agent(sqlite_app, "Alice")
    cid, _, client = start(sqlite_app)
    scheduler.run_once(sqlite_app)
    assert state_of(sqlite_app, cid)[0] == "assigned"


@pytest.mark.parametrize("timeout_app", ["sqlite"], indirect=True)
def test_a_long_wait_gets_the_offline_notice_once_and_stays_open(timeout_app):
    app = timeout_app
    app.config["INACTIVITY_TIMEOUT_S"] = 3600
    cid, _, client = start(app)  # no agent online: it waits
    messages_of(client)
    scheduler.run_once(app)
    scheduler.run_once(app)
    notices = [m for m in messages_of(client) if m.get("info", {}).get("offline")]
    assert len(notices) == 1
    assert notices[0]["activityType"] == "noAgentAvailable"
    assert notices[0]["info"]["position"] == 1 and notices[0]["info"]["message"]
    assert state_of(app, cid)[0] == "waiting"
    assert send(client, cid, "I am jane@example.com")["status"] == "ok"
    stored = ask_info(client, cid)["messages"]
    assert sum(1 for m in stored if m.get("info", {}).get("offline")) == 1


@pytest.mark.parametrize(
    "timeout_app", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_two_schedulers_at_once_end_a_conversation_once(timeout_app):
    app = timeout_app
    cid, _, client = start(app)
    messages_of(client)
    barrier = threading.Barrier(2)

    def sweep():
        with app.app_context():
            barrier.wait()
            timeouts.do_end_inactive()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    ended = [
        m for m in ask_info(client, cid)["messages"] if m.get("activityType") == "endOfConversation"
    ]
    assert len(ended) == 1

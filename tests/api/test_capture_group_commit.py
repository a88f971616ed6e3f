"""Group commit of captures (capture.start_group_commit): chats that arrive together.

A served process on SQLite stores the chats waiting at the same moment in one
transaction. Here the group commit is started on the test app and the callers are
greenlets, so that their chats wait together. Each caller must get exactly what it
would have got alone: its own callId once committed, or its own error.
"""

import json

import gevent
import pytest
from sqlalchemy import select

from chatwidget.core import capture, events
from chatwidget.core.events import subscribe
from chatwidget.core.webhooks import do_add_webhook
from chatwidget.extensions import db
from chatwidget.models import Call, CallKey, OutboxEvent
from tests.api.capture_helpers import call_count, chat
from tests.conftest import bearer_for


@pytest.fixture
def group(sqlite_app):
    """The group commit on the test app, with the size of each batch it stored."""
    group = capture.start_group_commit(sqlite_app)
    group.sizes = []
    store_many = group.store_many

    def recording(calls):
        group.sizes.append(len(calls))
        return store_many(calls)

    group.store_many = recording
    yield group
    group.stop()
    sqlite_app.extensions.pop(capture._GROUP, None)


@pytest.fixture
def headers(sqlite_app):
    return bearer_for(sqlite_app, sqlite_app.test_client(), "chat_capture")


def all_at_once(app, headers, bodies):
    """POST every body from its own greenlet, all started before any is answered."""

    def post(body):
        response = app.test_client().post("/chatCapture/v1", json=body, headers=headers)
        return response.status_code, response.get_json()

    greenlets = [gevent.spawn(post, body) for body in bodies]
    gevent.joinall(greenlets, raise_error=True)
    return [g.value for g in greenlets]


def stored(app):
    """{sessionId: (callId, purge key values)} of every stored call."""
    with app.app_context():
        calls = db.session.execute(select(Call.id, Call.call_id, Call.session_id)).all()
        keys = db.session.execute(select(CallKey.call_pk, CallKey.value)).all()
    return {
        session: (call_id, sorted(v for pk_, v in keys if pk_ == pk))
        for pk, call_id, session in calls
    }


def test_chats_sent_together_are_stored_together_and_each_answered(sqlite_app, group, headers):
    bodies = [chat("s-%d" % n, Metadata={"ref": "r-%d" % n}) for n in range(6)]
    answers = all_at_once(sqlite_app, headers, bodies)
    assert [status for status, _ in answers] == [200] * 6
    assert group.sizes == [6]  # one transaction for all
    rows = stored(sqlite_app)
    for n, (_, body) in enumerate(answers):
        call_id, keys = rows["s-%d" % n]
        assert body == {"callId": call_id}
        assert keys == ["r-%d" % n]  # each call its own purge keys


def test_one_chat_alone_is_not_held_back(sqlite_app, group, headers):
    client = sqlite_app.test_client()
    response = client.post("/chatCapture/v1", json=chat("alone"), headers=headers)
    assert response.status_code == 200
    assert group.sizes == []  # stored on its own, no batch
    assert stored(sqlite_app)["alone"][0] == response.get_json()["callId"]


def test_a_duplicate_in_a_batch_is_refused_and_the_others_stored(sqlite_app, group, headers):
    first = sqlite_app.test_client().post("/chatCapture/v1", json=chat("dup"), headers=headers)
    assert first.status_code == 200
    bodies = [chat("a"), chat("dup"), chat("b"), chat("a")]
    answers = all_at_once(sqlite_app, headers, bodies)
    assert group.sizes == [4]  # tried together, then each alone
    assert [status for status, _ in answers] == [200, 409, 200, 409]
    for status, body in answers:
        if status == 409:
            assert body["errors"] == {"SessionId": ["already captured"]}
            assert "already captured" in body["message"]
    rows = stored(sqlite_app)
    assert sorted(rows) == ["a", "b", "dup"]
    assert rows["dup"][0] == first.get_json()["callId"]
    assert rows["a"][0] == answers[0][1]["callId"]
    assert call_count(sqlite_app) == 3


def test_a_failed_batch_is_stored_again_chat_by_chat(sqlite_app, group, headers):
    def failing(calls):
        group.sizes.append(len(calls))
        raise RuntimeError("the batch statement failed")

    group.store_many = failing
    answers = all_at_once(sqlite_app, headers, [chat("x-%d" % n) for n in range(3)])
    assert group.sizes == [3]
    assert [status for status, _ in answers] == [200] * 3
    assert sorted(stored(sqlite_app)) == ["x-0", "x-1", "x-2"]


def test_each_chat_of_a_batch_gets_its_summary_in_the_same_transaction(sqlite_app, group, headers):
    with sqlite_app.app_context():
        do_add_webhook("http://127.0.0.1:9/hook", ["call.summary"])
    woken = []
    listener = subscribe(lambda name, _: woken.append(name) if name == "outbox.new" else None)
    try:
        answers = all_at_once(sqlite_app, headers, [chat("w-%d" % n) for n in range(3)])
    finally:
        events._subscribers.remove(listener)
    assert group.sizes == [3]
    with sqlite_app.app_context():
        bodies = [json.loads(r.body) for r in db.session.scalars(select(OutboxEvent))]
    assert sorted((b["sessionId"], b["callId"]) for b in bodies) == sorted(
        ("w-%d" % n, body["callId"]) for n, (_, body) in enumerate(answers)
    )
    assert woken == ["outbox.new"]  # the delivery worker woken once, after the commit

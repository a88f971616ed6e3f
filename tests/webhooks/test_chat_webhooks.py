"""The chats API's webhooks (chat.created, chat.message, chat.ended) through the real outbox.

A real HTTP receiver, the worker's deliver_due() stepped by the test, and the signature
recomputed here from the contract alone (tests/webhooks/signed.py).
"""

import json
import time

import pytest
from sqlalchemy import func, select

from chatwidget.core import webhook_admin
from chatwidget.core.chat_webhooks import enqueue_chat_event
from chatwidget.extensions import db
from chatwidget.models import OutboxEvent, Queue
from chatwidget.outbox.worker import deliver_due
from tests.webhooks.receiver import Receiver
from tests.webhooks.signed import signatures, verifies
from tests.webhooks.test_delivery import add_hook, attempt_log, deliver_until, outbox_rows

# A chat object as the chats API builds it (another module's job); here only carried.
CHAT = {
    "id": 42,
    "status": "queued",
    "status_text": "Waiting for an agent",
    "lang": "it",
    "menus": [{"id": 3, "name": "Fatturazione"}],
    "end_user": {"id": 9, "identifier": "cust-9"},
    "agent": None,
    "created_at": "2026-12-06T12:00:00.000Z",
}
MESSAGE = {
    "id": 7,
    "type": "text",
    "content": "Ciao, è arrivata la fattura?",
    "from_user_id": 9,
    "created_at": "2026-12-06T12:00:05.000Z",
}
ALL = ("--event", "chat.created", "--event", "chat.message", "--event", "chat.ended")


def enqueue(app, event, message=None):
    """One core call and the caller's commit, as a chats API verb does it."""
    with app.app_context():
        enqueue_chat_event(event, CHAT, message)
        db.session.commit()


def test_chat_events_arrive_signed_with_the_contract_body(hook_app, receiver):
    secret = add_hook(hook_app, receiver.url, *ALL)["secret"]
    enqueue(hook_app, "chat.created")
    enqueue(hook_app, "chat.message", MESSAGE)
    enqueue(hook_app, "chat.ended")
    deliver_until(hook_app, lambda: len(receiver.acked()) == 3)

    records = receiver.snapshot()
    assert [r["headers"]["X-Event-Type"] for r in records] == [
        "chat.created",
        "chat.message",
        "chat.ended",
    ]
    assert [json.loads(r["body"]) for r in records] == [
        {"event": "chat.created", "chat": CHAT},
        {"event": "chat.message", "chat": CHAT, "message": MESSAGE},
        {"event": "chat.ended", "chat": CHAT},
    ]
    for record in records:
        assert set(signatures(record)) == {"primary"}  # no rotation: one signature
        assert verifies(secret, record)
        assert not verifies("another secret", record)
        assert abs(int(record["headers"]["X-Signature-Timestamp"]) - time.time()) < 60
    assert "è arrivata" in records[1]["body"].decode("utf-8")  # UTF-8 as sent, signed so


def test_only_endpoints_subscribed_to_the_event_get_it(hook_app, receiver):
    summaries, ended_only = Receiver().start(), Receiver().start()
    try:
        add_hook(hook_app, summaries.url)  # call.summary only
        add_hook(hook_app, ended_only.url, "--event", "chat.ended")
        add_hook(hook_app, receiver.url, *ALL)
        enqueue(hook_app, "chat.created")
        enqueue(hook_app, "chat.ended")
        deliver_until(hook_app, lambda: len(receiver.acked()) == 2 and ended_only.acked())
        assert deliver_due(hook_app) == 0
        assert [Receiver.payload(r)["event"] for r in ended_only.snapshot()] == ["chat.ended"]
        assert summaries.snapshot() == []
    finally:
        summaries.stop()
        ended_only.stop()


def test_a_failing_receiver_is_retried_then_dead_lettered_then_redelivered(hook_app, receiver):
    receiver.fail_first = 1000
    secret = add_hook(hook_app, receiver.url, *ALL)["secret"]
    enqueue(hook_app, "chat.message", MESSAGE)
    deliver_until(hook_app, lambda: outbox_rows(hook_app)[0]["status"] != "pending")

    [row] = outbox_rows(hook_app)
    assert (row["status"], row["attempts"]) == ("dead", 4)  # FAST's WEBHOOK_MAX_ATTEMPTS
    assert [(a, code) for a, code, _ in attempt_log(hook_app)] == [(n, 503) for n in (1, 2, 3, 4)]
    tries = receiver.snapshot()
    assert len({Receiver.event_id(r) for r in tries}) == 1  # one event, tried four times
    assert all(verifies(secret, r) for r in tries)  # each signed over its own timestamp

    receiver.fail_first = 0
    with hook_app.app_context():
        assert webhook_admin.do_redeliver(row["id"])["status"] == "pending"
    deliver_until(hook_app, lambda: receiver.acked())
    [acked] = receiver.acked()
    assert Receiver.event_id(acked) == row["event_id"] and verifies(secret, acked)
    assert Receiver.payload(acked) == {"event": "chat.message", "chat": CHAT, "message": MESSAGE}
    assert outbox_rows(hook_app)[0]["status"] == "delivered"


def _outbox_count(connection):
    return connection.scalar(select(func.count()).select_from(OutboxEvent.__table__))


def test_rows_are_written_in_the_callers_transaction(hook_app, receiver):
    """Nothing is committed by the call: a rollback of the caller's change drops the event,
    and a commit writes it with the change."""
    add_hook(hook_app, receiver.url, *ALL)
    with hook_app.app_context():
        db.session.add(Queue(name="rolled back"))
        enqueue_chat_event("chat.created", CHAT)
        with db.engine.connect() as other:  # another connection sees nothing uncommitted
            assert _outbox_count(other) == 0
        db.session.rollback()
        assert _outbox_count(db.session) == 0
        assert db.session.scalar(select(func.count()).select_from(Queue)) == 0

        db.session.add(Queue(name="kept"))
        enqueue_chat_event("chat.ended", CHAT)
        db.session.commit()
        assert db.session.scalars(select(Queue.name)).all() == ["kept"]
    assert deliver_due(hook_app) == 1
    assert [Receiver.payload(r)["event"] for r in receiver.acked()] == ["chat.ended"]


def test_no_webhook_no_row(hook_app):
    with hook_app.app_context():
        enqueue_chat_event("chat.created", CHAT)
        db.session.commit()
    assert outbox_rows(hook_app) == []


@pytest.mark.parametrize(
    "event, message",
    [("call.summary", None), ("chat.opened", None), ("chat.message", None), ("chat.ended", {})],
)
def test_a_wrong_call_is_refused_before_anything_is_written(sqlite_app, event, message):
    add_hook(sqlite_app, "https://crm.example.test/hook", *ALL, "--event", "call.summary")
    with sqlite_app.app_context(), pytest.raises(ValueError):
        enqueue_chat_event(event, CHAT, message)
    assert outbox_rows(sqlite_app) == []

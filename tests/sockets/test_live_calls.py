"""An ended live conversation is a call: status, page, summary webhook (CONTRACT §2)."""

import json

from sqlalchemy import select

from chatwidget import scheduler
from chatwidget.core.webhooks import do_add_webhook
from chatwidget.extensions import db
from chatwidget.models import OutboxEvent
from chatwidget.outbox.worker import deliver_due
from tests.conftest import bearer_for
from tests.sockets.helpers import AGENT_NS, end, online_agent, send, start
from tests.webhooks.receiver import Receiver


def _status(app, headers, session_id):
    answer = app.test_client().post(
        "/callCapture/v1/status", json={"CallSessionIds": [session_id]}, headers=headers
    )
    assert answer.status_code == 200
    [entry] = answer.get_json()["callSessions"]
    return entry


def test_a_conversation_is_in_progress_then_a_complete_call_with_its_summary(app):
    with app.app_context():
        do_add_webhook("http://127.0.0.1:9/hook", ["call.summary"])
    headers = bearer_for(app, app.test_client(), "chat_capture", "call_share")
    _, agent = online_agent(app, "Ann")
    cid, _, customer = start(app, firstName="Jane", email="jane@example.com")
    assert _status(app, headers, cid) == {
        "callId": None,
        "sessionId": cid,
        "status": "InProgress",
        "durationSec": None,
    }
    send(customer, cid, "My order is late")
    send(agent, cid, "Let me check", namespace=AGENT_NS)
    send(agent, cid, "internal note", namespace=AGENT_NS, tag="whisper")
    assert end(customer, cid)["status"] == "ok"

    done = _status(app, headers, cid)
    assert done["status"] == "Complete" and done["callId"]
    assert isinstance(done["durationSec"], int) and done["durationSec"] >= 0
    with app.app_context():
        rows = db.session.scalars(select(OutboxEvent).filter_by(event="call.summary")).all()
        [summary] = [json.loads(r.body) for r in rows]
    assert summary["sessionId"] == cid and summary["callId"] == done["callId"]
    types = sorted(p["Type"] for p in summary["participants"])
    assert types == ["Agent", "Customer", "System"]
    assert (
        summary["metadata"]["channel"] == "web" and summary["metadata"]["endReason"] == "customer"
    )

    link = (
        app.test_client()
        .post(
            "/callshare/v1/token",
            json={"callId": done["callId"], "email": "qa@example.com"},
            headers=headers,
        )
        .get_json()
    )
    page = app.test_client().get(link["callUrl"].split("example.test", 1)[1])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index("My order is late") < html.index("Let me check")
    assert "internal note" not in html and "Jane" in html and "Ann" in html


def test_the_summary_of_an_ended_conversation_reaches_a_real_receiver(sqlite_app):
    app = sqlite_app
    receiver = Receiver().start()
    try:
        with app.app_context():
            do_add_webhook(receiver.url, ["call.summary"])
        cid, _, customer = start(app)
        send(customer, cid, "hello")
        end(customer, cid)
        assert deliver_due(app) == 1
        [record] = receiver.records
        assert json.loads(record["body"])["sessionId"] == cid
    finally:
        receiver.stop()


def test_a_conversation_ended_by_time_out_is_a_call_too(sqlite_app):
    app = sqlite_app
    headers = bearer_for(app, app.test_client(), "chat_capture")
    cid, _, customer = start(app)
    send(customer, cid, "anyone?")
    app.config["INACTIVITY_TIMEOUT_S"] = 0
    scheduler.run_once(app)
    assert _status(app, headers, cid)["status"] == "Complete"


def test_a_customer_purge_reaches_live_conversations(app):
    headers = bearer_for(app, app.test_client(), "purge", "chat_capture")
    cid, _, customer = start(app, email="Zoe@Example.com")
    send(customer, cid, "my secret address is 1 Main St")
    http = app.test_client()
    body = {"email": "zoe@example.com"}
    listed = http.post("/purge/v1/calls/customer?whatIf=true", json=body, headers=headers)
    assert listed.get_json()["items"] == [
        {"callId": None, "sessionId": cid, "status": "WhatIf", "errorMsg": None}
    ]
    assert _status(app, headers, cid)["status"] == "InProgress"

    purged = http.post("/purge/v1/calls/customer", json=body, headers=headers).get_json()
    assert [(i["sessionId"], i["status"]) for i in purged["items"]] == [(cid, "Purging")]
    assert _status(app, headers, cid)["status"] == "NotFound"
    with app.app_context():
        from chatwidget.models import Conversation, Message

        assert db.session.scalar(select(Conversation).filter_by(conversation_id=cid)) is None
        assert db.session.scalars(select(Message)).all() == []

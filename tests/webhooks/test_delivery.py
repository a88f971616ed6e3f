"""Call-summary webhooks, in process: a real HTTP receiver, the real outbox, no mocks.

The worker's deliver_due() is called from the test instead of a background greenlet,
so each attempt happens when the test says and the outcome can be checked at once.
"""

import base64
import hashlib
import hmac
import json
import socket
import subprocess
import threading
import time
from datetime import timedelta

from sqlalchemy import func, select, update

from chatwidget.extensions import db
from chatwidget.models import DeliveryAttempt, OutboxEvent
from chatwidget.models.types import utcnow
from chatwidget.outbox import claims
from chatwidget.outbox.worker import deliver_due
from tests.conftest import bearer_for
from tests.webhooks.receiver import Receiver
from tests.webhooks.servers import PYTHON, ROOT

FIELDS = {
    "callId",
    "callUri",
    "sessionId",
    "masterCallId",
    "utcStart",
    "utcEnd",
    "participants",
    "metadata",
}


def json_line(result):
    """The one JSON object a CLI command prints on stdout."""
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def add_hook(app, url, *options):
    return json_line(app.test_cli_runner().invoke(args=["add-webhook", url, *options]))


def capture(app, chat):
    """Capture chat through the REST API; returns its callId."""
    client = app.test_client()
    response = client.post(
        "/chatCapture/v1", json=chat, headers=bearer_for(app, client, "chat_capture")
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["callId"]


def deliver_until(app, done, seconds=10.0, limit=claims.BATCH):
    """Run the worker's delivery step until done() holds; retries come due on their own.
    limit=1: one attempt per step, so a retry due within milliseconds cannot follow
    a failure before done() is looked at."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "condition not reached in %ss" % seconds
        if not deliver_due(app, limit):
            time.sleep(0.005)  # nothing due yet: the next retry is a few ms away


def outbox_rows(app):
    with app.app_context():
        rows = db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
        return [
            {"event_id": r.event_id, "status": r.status, "attempts": r.attempts, "id": r.id}
            for r in rows
        ]


def attempt_log(app):
    """(attempt, status code, error) per logged attempt, in order."""
    with app.app_context():
        rows = db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
        return [(r.attempt, r.status_code, r.error) for r in rows]


def expected_summary(chat, call_id):
    """The contract's body, built from the captured chat independently of the server."""
    return {
        "callId": call_id,
        "callUri": "http://chat.example.test/calls/" + call_id,
        "sessionId": chat["SessionId"],
        "masterCallId": chat["MasterCallId"],
        "utcStart": "2017-08-16T19:30:00Z",
        "utcEnd": "2017-08-16T19:33:00Z",
        "participants": [
            {"Type": "System"},
            {"FirstName": "Jane", "LastName": "Doe", "Type": "Customer"},
            {"ReferenceId": "1234", "FirstName": "John", "LastName": "Smith", "Type": "Agent"},
        ],
        "metadata": {"ReferenceId": "1501a", "CustomerRating": "4"},
    }


def test_summary_survives_a_receiver_that_fails_first(hook_app, receiver, sample_chat):
    receiver.fail_first = 2
    hook = add_hook(hook_app, receiver.url, "--basic-user", "crm", "--basic-password", "pw")
    assert set(hook) >= {"id", "url", "events", "secret"}
    assert hook["url"] == receiver.url and hook["events"] == ["call.summary"]
    call_id = capture(hook_app, sample_chat)

    deliver_until(hook_app, lambda: receiver.acked())
    records = receiver.snapshot()
    assert [r["status"] for r in records] == [503, 503, 200]
    assert len({Receiver.event_id(r) for r in records}) == 1  # same event id on every retry
    bodies = [Receiver.payload(r) for r in records]
    assert bodies[0] == expected_summary(sample_chat, call_id) and set(bodies[0]) == FIELDS
    assert all(b == bodies[0] for b in bodies)
    expected_auth = "Basic " + base64.b64encode(b"crm:pw").decode()
    assert all(r["headers"]["Authorization"] == expected_auth for r in records)

    log = attempt_log(hook_app)
    assert [(attempt, code) for attempt, code, _ in log] == [(1, 503), (2, 503), (3, 200)]
    assert "HTTP 503: down for maintenance" in log[0][2] and log[2][2] is None
    [row] = outbox_rows(hook_app)
    assert (row["status"], row["attempts"]) == ("delivered", 3)
    assert row["event_id"] == Receiver.event_id(records[0])
    assert deliver_due(hook_app) == 0 and len(receiver.snapshot()) == 3


def test_signature_is_hmac_of_timestamp_and_raw_body(hook_app, receiver, sample_chat):
    secret = add_hook(hook_app, receiver.url)["secret"]
    capture(hook_app, sample_chat)
    deliver_until(hook_app, lambda: receiver.acked())
    [record] = receiver.snapshot()
    headers = record["headers"]
    assert "Authorization" not in headers  # no Basic auth configured
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Event-Type"] == "call.summary"
    stamp = headers["X-Signature-Timestamp"]
    assert abs(int(stamp) - time.time()) < 60
    digest = hmac.new(secret.encode(), stamp.encode() + record["body"], hashlib.sha256).digest()
    assert headers["X-Signature"] == "primary=" + base64.b64encode(digest).decode()


def test_down_receiver_gets_the_summary_once_it_is_up(hook_app, sample_chat):
    """Connection refused is a failed attempt too; the event waits for the receiver."""
    up = Receiver()
    port, url = up.port, up.url
    up.server.server_close()  # nothing listens on the port any more
    add_hook(hook_app, url)
    capture(hook_app, sample_chat)
    deliver_until(hook_app, lambda: len(attempt_log(hook_app)) >= 2)
    log = attempt_log(hook_app)  # at least two; a slow machine may fit in more
    assert [(attempt, code) for attempt, code, _ in log] == [
        (n, None) for n in range(1, len(log) + 1)
    ]
    assert all("ConnectionError" in error for _, _, error in log)

    receiver = Receiver(port=port).start()
    try:
        deliver_until(hook_app, lambda: receiver.acked())
        assert len(receiver.snapshot()) == 1
        assert outbox_rows(hook_app)[0]["status"] == "delivered"
    finally:
        receiver.stop()


def test_dead_letter_after_max_attempts(hook_app, receiver, sample_chat):
    receiver.fail_first = 1000
    add_hook(hook_app, receiver.url)
    capture(hook_app, sample_chat)
    deliver_until(hook_app, lambda: outbox_rows(hook_app)[0]["status"] != "pending")
    [row] = outbox_rows(hook_app)
    assert (row["status"], row["attempts"]) == ("dead", 4)  # FAST's WEBHOOK_MAX_ATTEMPTS
    assert [(a, code) for a, code, _ in attempt_log(hook_app)] == [(n, 503) for n in (1, 2, 3, 4)]
    assert len(receiver.snapshot()) == 4
    # Dead stays dead: nothing is posted again, however long the worker runs.
    with hook_app.app_context():
        db.session.execute(update(OutboxEvent).values(next_attempt_at=utcnow()))
        db.session.commit()
    assert deliver_due(hook_app) == 0 and len(receiver.snapshot()) == 4


def test_rolled_back_capture_writes_no_outbox_row(hook_app, receiver, sample_chat):
    add_hook(hook_app, receiver.url)
    client = hook_app.test_client()
    headers = bearer_for(hook_app, client, "chat_capture")
    assert client.post("/chatCapture/v1", json=sample_chat, headers=headers).status_code == 200
    assert client.post("/chatCapture/v1", json=sample_chat, headers=headers).status_code == 409
    assert len(outbox_rows(hook_app)) == 1
    deliver_until(hook_app, lambda: receiver.acked())
    assert deliver_due(hook_app) == 0 and len(receiver.snapshot()) == 1


def test_each_subscribed_endpoint_gets_its_own_event(hook_app, sample_chat):
    first, second, other = Receiver().start(), Receiver().start(), Receiver().start()
    try:
        add_hook(hook_app, first.url)
        add_hook(hook_app, second.url, "--event", "call.summary", "--event", "chat.ended")
        add_hook(hook_app, other.url, "--event", "chat.ended")
        capture(hook_app, sample_chat)
        deliver_until(hook_app, lambda: first.acked() and second.acked())
        assert deliver_due(hook_app) == 0
        ids = {Receiver.event_id(first.acked()[0]), Receiver.event_id(second.acked()[0])}
        assert len(ids) == 2  # one event per endpoint, each deduplicated on its own
        assert other.snapshot() == []
    finally:
        for server in (first, second, other):
            server.stop()


def test_crashed_delivery_is_posted_again_with_the_same_event_id(hook_app, receiver, sample_chat):
    """A process that claimed a row and died: once its lease runs out, another posts it."""
    add_hook(hook_app, receiver.url)
    capture(hook_app, sample_chat)
    with hook_app.app_context():
        row_id, attempt = claims.claim_one(hook_app.config)  # ... and then the process dies
        assert attempt == 1
        assert claims.claim_one(hook_app.config) is None  # leased: no one else takes it
        expire = utcnow() - timedelta(seconds=1)
        db.session.execute(update(OutboxEvent).values(lease_until=expire))
        db.session.commit()
    deliver_until(hook_app, lambda: receiver.acked())
    [row] = outbox_rows(hook_app)
    assert (row["status"], row["attempts"]) == ("delivered", 2)
    assert Receiver.event_id(receiver.acked()[0]) == row["event_id"]
    assert attempt_log(hook_app) == [(1, None, claims.ABANDONED), (2, 200, None)]


def test_stale_holder_cannot_overwrite_the_new_claim(hook_app, receiver, sample_chat):
    """The attempt number fences a claim: a late failure from a lost lease changes nothing."""
    add_hook(hook_app, receiver.url)
    capture(hook_app, sample_chat)
    with hook_app.app_context():
        row_id, stale = claims.claim_one(hook_app.config)
        db.session.execute(update(OutboxEvent).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        _, current = claims.claim_one(hook_app.config)
        claims.record(row_id, stale, 503, "HTTP 503: late", 5, hook_app.config)
        row = db.session.get(OutboxEvent, row_id)
        assert (row.attempts, row.status, row.last_error) == (current, "pending", None)
        assert row.lease_until is not None  # still the new holder's
        count = db.session.scalar(select(func.count()).select_from(DeliveryAttempt))
        assert count == 2  # abandoned + the stale answer, both logged


def test_cli_lists_and_refuses_bad_webhooks(hook_app):
    runner = hook_app.test_cli_runner()
    made = add_hook(hook_app, "https://crm.example.test/hook", "--event", "chat.ended")
    listed = json_line(runner.invoke(args=["list-webhooks"]))
    assert [(h["id"], h["url"], h["events"]) for h in listed["webhooks"]] == [
        (made["id"], "https://crm.example.test/hook", ["chat.ended"])
    ]
    assert "secret" not in json.dumps(listed)
    for args in (
        ["add-webhook", "ftp://crm.example.test/hook"],
        ["add-webhook", "not a url"],
        ["add-webhook", "https://crm.example.test/", "--event", "call.exploded"],
        ["add-webhook", "https://crm.example.test/", "--basic-user", "only-user"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
        assert "error" in result.output and result.stdout.strip() == "", args
    assert len(json_line(runner.invoke(args=["list-webhooks"]))["webhooks"]) == 1


_TRICKLE_SCRIPT = """
from gevent import monkey
monkey.patch_all()
import json, sys
from chatwidget.outbox.post import post
job = {"event_id": "e", "event": "call.summary", "body": "{}", "url": sys.argv[1],
       "secrets": ["s"], "auth": None}
print(json.dumps(post(job, 0.5)))
"""


def test_a_trickling_receiver_is_cut_off_at_the_timeout_under_gevent():
    """Under gevent (the server) the whole POST is bounded, so it cannot outlive its lease.

    The receiver sends a byte every 0.2 s: each wait is under the 0.5 s timeout, so only
    a total deadline stops it. Run in a subprocess, as the server runs, monkey-patched.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
                if stop.wait(0.2):
                    return
                try:
                    conn.send(bytes([byte]))
                except OSError:  # the sender gave up, as it should
                    return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    url = "http://127.0.0.1:%d/hook" % listener.getsockname()[1]
    try:
        started = time.monotonic()
        done = subprocess.run(
            [PYTHON, "-c", _TRICKLE_SCRIPT, url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        listener.close()
    assert done.returncode == 0, done.stderr
    code, error = json.loads(done.stdout.strip().splitlines()[-1])
    assert code is None and error.startswith("Timeout"), error
    assert elapsed < 10  # cut off, not the ~20 s the trickle would take

"""Signing secrets: rotating a webhook's (CLI and admin API), and a virtual agent's on queues.

The rotation window is set through WEBHOOK_ROTATION_S, never waited out.
"""

import json

import pytest

from chatwidget.core.chat_webhooks import enqueue_chat_event
from chatwidget.extensions import db
from chatwidget.models import Queue
from tests.admin.helpers import agent_headers
from tests.webhooks.signed import signatures, verifies
from tests.webhooks.test_chat_webhooks import ALL, CHAT
from tests.webhooks.test_delivery import (
    add_hook,
    capture,
    deliver_until,
    json_line,
    outbox_rows,
)


def rotate(app, hook_id):
    return json_line(app.test_cli_runner().invoke(args=["rotate-webhook-secret", str(hook_id)]))


def deliver_one_chat_event(app, receiver):
    """Queue a chat.created, deliver it; returns what the receiver got."""
    seen = len(receiver.acked())
    with app.app_context():
        enqueue_chat_event("chat.created", CHAT)
        db.session.commit()
    deliver_until(app, lambda: len(receiver.acked()) > seen)
    return receiver.acked()[-1]


def test_during_the_window_both_secrets_sign(hook_app, receiver, sample_chat):
    hook = add_hook(hook_app, receiver.url, *ALL, "--event", "call.summary")
    old = hook["secret"]
    rotated = rotate(hook_app, hook["id"])
    assert set(rotated) == {"id", "secret"} and rotated["id"] == hook["id"]
    new = rotated["secret"]
    assert new != old and len(new) >= 32

    record = deliver_one_chat_event(hook_app, receiver)
    header = record["headers"]["X-Signature"]
    assert header.startswith("primary=") and " secondary=" in header
    assert set(signatures(record)) == {"primary", "secondary"}
    assert verifies(new, record, "primary") and verifies(old, record, "secondary")
    assert not verifies(old, record, "primary") and not verifies(new, record, "secondary")

    # call.summary follows the same rule: a receiver verifies every delivery one way.
    capture(hook_app, sample_chat)
    deliver_until(hook_app, lambda: len(receiver.acked()) == 2)
    summary = receiver.acked()[-1]
    assert summary["headers"]["X-Event-Type"] == "call.summary"
    assert verifies(new, summary, "primary") and verifies(old, summary, "secondary")


def test_after_the_window_only_the_new_secret_signs(hook_app, receiver):
    hook = add_hook(hook_app, receiver.url, *ALL)
    hook_app.config["WEBHOOK_ROTATION_S"] = 0  # the window ends as the rotation happens
    new = rotate(hook_app, hook["id"])["secret"]
    record = deliver_one_chat_event(hook_app, receiver)
    assert set(signatures(record)) == {"primary"}
    assert verifies(new, record) and not verifies(hook["secret"], record)


def test_rotating_again_keeps_only_the_secret_just_replaced(hook_app, receiver):
    hook = add_hook(hook_app, receiver.url, *ALL)
    second = rotate(hook_app, hook["id"])["secret"]
    third = rotate(hook_app, hook["id"])["secret"]
    assert len({hook["secret"], second, third}) == 3
    record = deliver_one_chat_event(hook_app, receiver)
    assert verifies(third, record, "primary") and verifies(second, record, "secondary")


def test_a_pending_event_is_signed_with_the_secrets_of_its_delivery(hook_app, receiver):
    """Queued before the rotation, posted after it: signed as of the attempt."""
    receiver.fail_first = 1
    hook = add_hook(hook_app, receiver.url, *ALL)
    with hook_app.app_context():
        enqueue_chat_event("chat.ended", CHAT)
        db.session.commit()
    deliver_until(hook_app, lambda: receiver.snapshot(), limit=1)  # the first try fails
    new = rotate(hook_app, hook["id"])["secret"]
    deliver_until(hook_app, lambda: receiver.acked())
    first, second = receiver.snapshot()
    assert set(signatures(first)) == {"primary"} and verifies(hook["secret"], first)
    assert verifies(new, second, "primary") and verifies(hook["secret"], second, "secondary")


def test_rotate_refuses_an_unknown_id(hook_app):
    runner = hook_app.test_cli_runner()
    missing = runner.invoke(args=["rotate-webhook-secret", "999"])
    assert missing.exit_code == 1 and missing.stdout == ""
    assert "error: no webhook 999" in missing.stderr
    not_a_number = runner.invoke(args=["rotate-webhook-secret", "abc"])
    assert not_a_number.exit_code != 0 and not_a_number.stdout == ""


def test_admin_api_rotates_a_secret(app, client, receiver):
    hook = add_hook(app, receiver.url, *ALL)
    _, _, headers = agent_headers(app)
    path = "/api/admin/webhooks/%d/rotate-secret" % hook["id"]
    rotated = client.post(path, headers=headers)
    assert rotated.status_code == 200, rotated.get_json()
    assert set(rotated.get_json()) == {"id", "secret"}
    assert rotated.get_json()["id"] == hook["id"]
    record = deliver_one_chat_event(app, receiver)
    assert verifies(rotated.get_json()["secret"], record, "primary")
    assert verifies(hook["secret"], record, "secondary")

    assert client.post("/api/admin/webhooks/999/rotate-secret", headers=headers).status_code == 404
    _, _, plain = agent_headers(app, name="Plain", admin=False)
    assert client.post(path, headers=plain).status_code == 403
    assert client.post(path).status_code == 401
    assert rotated.get_json()["secret"] not in json.dumps(
        client.get("/api/admin/webhooks", headers=headers).get_json()
    )


def test_create_queue_prints_the_virtual_agents_secret_once(hook_app):
    runner = hook_app.test_cli_runner()
    plain = json_line(runner.invoke(args=["create-queue", "billing"]))
    assert plain == {"id": plain["id"], "name": "billing"}
    url = "https://bot.example.test/va"
    made = json_line(runner.invoke(args=["create-queue", "bot", "--virtual-agent-url", url]))
    assert set(made) == {"id", "name", "virtualAgentUrl", "secret"}
    assert (made["name"], made["virtualAgentUrl"]) == ("bot", url) and len(made["secret"]) >= 32
    with hook_app.app_context():
        queue = db.session.get(Queue, made["id"])
        assert queue.virtual_agent_secret == made["secret"]  # the key the calls are signed with
        assert db.session.get(Queue, plain["id"]).virtual_agent_secret is None


@pytest.mark.parametrize("url", ["ftp://bot.example.test/", "/relative", "javascript:alert(1)"])
def test_create_queue_refuses_a_bad_virtual_agent_url(hook_app, url):
    args = ["create-queue", "bot", "--virtual-agent-url", url]
    bad = hook_app.test_cli_runner().invoke(args=args)
    assert bad.exit_code == 1 and bad.stdout == ""
    assert "error: the virtual agent URL must be an absolute http or https URL" in bad.stderr
    with hook_app.app_context():
        assert db.session.query(Queue).count() == 0


def test_admin_api_queue_creation_returns_the_secret_once(app, client):
    _, _, headers = agent_headers(app)
    url = "http://127.0.0.1:9/va"
    made = client.post(
        "/api/admin/queues", json={"name": "bot", "virtualAgentUrl": url}, headers=headers
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["virtualAgentUrl"] == url and len(body["secret"]) >= 32
    with app.app_context():
        assert db.session.get(Queue, body["id"]).virtual_agent_secret == body["secret"]
    plain = client.post("/api/admin/queues", json={"name": "human"}, headers=headers)
    assert plain.status_code == 201 and "secret" not in plain.get_json()
    listed = client.get("/api/admin/queues", headers=headers).get_json()["queues"]
    assert body["secret"] not in json.dumps(listed)
    assert not any("secret" in queue for queue in listed)


def test_a_removed_webhook_takes_its_events_and_cannot_be_rotated(hook_app, receiver):
    """Removing a webhook mid-rotation drops its events; rotating it then is NotFound."""
    hook = add_hook(hook_app, receiver.url, *ALL)
    rotate(hook_app, hook["id"])
    with hook_app.app_context():
        enqueue_chat_event("chat.created", CHAT)
        db.session.commit()
    runner = hook_app.test_cli_runner()
    assert runner.invoke(args=["remove-webhook", str(hook["id"])]).exit_code == 0
    assert outbox_rows(hook_app) == []
    assert runner.invoke(args=["rotate-webhook-secret", str(hook["id"])]).exit_code == 1

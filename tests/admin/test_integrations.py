"""Admin API: queues, API users, webhooks and their delivery log, redelivery."""

import pytest

from chatwidget.outbox.worker import deliver_due
from tests.admin.helpers import agent_headers
from tests.api.capture_helpers import capture, chat
from tests.conftest import bearer_for
from tests.sockets.helpers import wait_for
from tests.webhooks.conftest import FAST
from tests.webhooks.receiver import Receiver


@pytest.fixture
def app_overrides():
    return {**FAST, "WEBHOOK_MAX_ATTEMPTS": 2}


def test_queues(app, client):
    _, _, headers = agent_headers(app, skills=("general", "billing"))
    made = client.post(
        "/api/admin/queues",
        json={"name": "sales", "virtualAgentUrl": "https://va.example/x"},
        headers=headers,
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json() == {
        "id": made.get_json()["id"],
        "name": "sales",
        "virtualAgentUrl": "https://va.example/x",
        "agents": 0,
        "waiting": 0,
        "secret": made.get_json()["secret"],  # tests/webhooks/test_signing_secrets.py checks it
    }
    assert (
        client.post("/api/admin/queues", json={"name": "sales"}, headers=headers).status_code == 409
    )
    bad = client.post(
        "/api/admin/queues", json={"name": "x", "virtualAgentUrl": "javascript:1"}, headers=headers
    )
    assert bad.status_code == 400 and "virtualAgentUrl" in bad.get_json()["errors"]
    listed = client.get("/api/admin/queues", headers=headers).get_json()["queues"]
    assert [(q["name"], q["agents"], q["waiting"]) for q in listed] == [
        ("billing", 1, 0),
        ("general", 1, 0),
        ("sales", 0, 0),
    ]


def test_api_users_secret_once_and_revoke(app, client):
    _, _, headers = agent_headers(app)
    made = client.post(
        "/api/admin/api-users", json={"name": "CRM", "roles": ["chat_capture"]}, headers=headers
    )
    assert made.status_code == 201, made.get_json()
    user = made.get_json()
    assert user["roles"] == ["chat_capture"] and user["revokedAt"] is None
    form = {
        "grant_type": "client_credentials",
        "client_id": user["clientId"],
        "client_secret": user["clientSecret"],
    }
    assert client.post("/Token", data=form).status_code == 200
    listed = client.get("/api/admin/api-users", headers=headers).get_json()["apiUsers"]
    assert [u["clientId"] for u in listed] == [user["clientId"]]
    assert "clientSecret" not in listed[0]

    revoked = client.delete("/api/admin/api-users/%d" % user["id"], headers=headers)
    assert revoked.status_code == 200 and revoked.get_json()["revokedAt"].endswith("Z")
    again = client.delete("/api/admin/api-users/%d" % user["id"], headers=headers)
    assert again.get_json()["revokedAt"] == revoked.get_json()["revokedAt"]
    assert client.post("/Token", data=form).status_code == 401
    assert client.delete("/api/admin/api-users/99999", headers=headers).status_code == 404
    for body in (
        {"name": "x", "roles": ["root"]},
        {"name": "x", "roles": []},
        {"name": " ", "roles": ["purge"]},
    ):
        assert client.post("/api/admin/api-users", json=body, headers=headers).status_code == 400
    assert len(client.get("/api/admin/api-users", headers=headers).get_json()["apiUsers"]) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://x.example/"},
        {"url": "https://x.example/", "events": ["chat.nope"]},
        {"url": "https://x.example/", "basicUser": "u"},
        {"events": ["chat.ended"]},
    ],
)
def test_bad_webhooks_are_refused(app, client, body):
    _, _, headers = agent_headers(app)
    answer = client.post("/api/admin/webhooks", json=body, headers=headers)
    assert answer.status_code == 400, answer.get_json()
    assert client.get("/api/admin/webhooks", headers=headers).get_json() == {"webhooks": []}


def _events(client, headers, hook_id, query=""):
    answer = client.get("/api/admin/webhooks/%d/events%s" % (hook_id, query), headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_dead_event_redelivered_from_the_log(app, client):
    _, _, headers = agent_headers(app)
    receiver = Receiver(fail_first=2).start()
    try:
        made = client.post(
            "/api/admin/webhooks",
            json={"url": receiver.url, "basicUser": "u", "basicPassword": "p"},
            headers=headers,
        )
        assert made.status_code == 201, made.get_json()
        hook = made.get_json()
        assert hook["events"] == ["call.summary"] and hook["secret"] and hook["basicUser"] == "u"
        assert "basicPassword" not in hook
        capture(client, bearer_for(app, client, "chat_capture"), chat("s-1"))

        def dead():
            deliver_due(app)
            return _events(client, headers, hook["id"])["items"][0]["status"] == "dead"

        assert wait_for(dead)
        page = _events(client, headers, hook["id"])
        assert page["total"] == 1 and page["page"] == 1 and page["perPage"] == 25
        event = page["items"][0]
        assert event["attempts"] == 2 and event["event"] == "call.summary"
        assert [(a["attempt"], a["statusCode"]) for a in event["log"]] == [(1, 503), (2, 503)]
        assert "503" in event["lastError"] and event["deliveredAt"] is None
        listed = client.get("/api/admin/webhooks", headers=headers).get_json()["webhooks"]
        assert listed[0]["counts"] == {"pending": 0, "delivered": 0, "dead": 1}
        assert "secret" not in listed[0]

        url = "/api/admin/webhooks/events/%d/redeliver" % event["id"]
        again = client.post(url, headers=headers)
        assert again.status_code == 200 and again.get_json()["status"] == "pending"
        assert client.post(url, headers=headers).status_code == 409
        assert deliver_due(app) == 1
        event = _events(client, headers, hook["id"])["items"][0]
        assert event["status"] == "delivered" and event["deliveredAt"]
        assert [a["statusCode"] for a in event["log"]] == [503, 503, 200]
        assert len(receiver.records) == 3
        assert _events(client, headers, hook["id"], "?status=dead")["items"] == []
    finally:
        receiver.stop()
    bad = client.get("/api/admin/webhooks/%d/events?status=lost" % hook["id"], headers=headers)
    assert bad.status_code == 400
    assert (
        client.post("/api/admin/webhooks/events/99999/redeliver", headers=headers).status_code
        == 404
    )
    assert client.delete("/api/admin/webhooks/%d" % hook["id"], headers=headers).status_code == 204
    assert client.get("/api/admin/webhooks", headers=headers).get_json() == {"webhooks": []}
    assert (
        client.get("/api/admin/webhooks/%d/events" % hook["id"], headers=headers).status_code == 404
    )
    assert client.delete("/api/admin/webhooks/%d" % hook["id"], headers=headers).status_code == 404

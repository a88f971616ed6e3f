"""POST /api/customer/init and POST /api/agent/token (CONTRACT §4, §5)."""

import threading

import pytest
from sqlalchemy import func, select

from chatwidget.extensions import db
from chatwidget.models import Conversation, Participant, Queue
from chatwidget.timestamps import parse_utc
from tests.conftest import make_app
from tests.sockets.helpers import PASSWORD, create_agent, create_queue, state_of


def _queues(app):
    with app.app_context():
        return sorted(db.session.scalars(select(Queue.name)))


def test_init_reads_the_seed_spelling_in_any_case(sqlite_app):
    create_queue(sqlite_app, "billing")
    body = {
        "firstName": "Ann",
        "lastName": "Lee",
        "Email": "Ann.Lee@Example.com",
        "Phone": "+15550100",
        "Channel": "sms",
        "Url": "https://shop.example/cart",
        "Subject": "billing",
        "reqestId": "5a8a3f0e-0000-4000-8000-000000000001",
        "timestamp": "2024-01-01T10:00:00Z",
        "somethingElse": {"ignored": True},
    }
    response = sqlite_app.test_client().post("/api/customer/init", json=body)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert set(data) == {"conversationId", "participant", "requestId", "timestamp"}
    assert set(data["participant"]) == {"id", "name"}
    assert data["participant"]["name"] == "Ann Lee"
    assert data["requestId"] == "5a8a3f0e-0000-4000-8000-000000000001"
    assert data["timestamp"].endswith("Z") and parse_utc(data["timestamp"])
    assert state_of(sqlite_app, data["conversationId"]) == ("new", None, "billing")
    with sqlite_app.app_context():
        row = db.session.scalar(
            select(Conversation).filter_by(conversation_id=data["conversationId"])
        )
        assert (row.channel, row.email, row.phone) == ("sms", "ann.lee@example.com", "+15550100")
        assert row.customer["url"] == "https://shop.example/cart"


def test_requestid_in_its_own_spelling_and_each_init_is_a_new_conversation(sqlite_app):
    client = sqlite_app.test_client()
    body = {"channel": "web", "refId": "cust-7", "RequestId": "abc"}
    first = client.post("/api/customer/init", json=body).get_json()
    second = client.post("/api/customer/init", json=body).get_json()
    assert first["requestId"] == second["requestId"] == "abc"
    assert first["conversationId"] != second["conversationId"]
    assert first["participant"]["id"] != second["participant"]["id"]
    # The participant id is the secret that lets its holder join: long and random.
    assert len(first["participant"]["id"]) >= 24
    assert first["participant"]["name"] == "cust-7"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@example.com"}, "channel"),
        ({"channel": "", "email": "a@example.com"}, "channel"),
        ({"channel": "email", "email": "a@example.com"}, "channel"),
        ({"Channel": "WEB", "email": "a@example.com"}, "channel"),
        ({"channel": "web", "firstName": "Ann"}, "refId"),
        ({"channel": "web", "email": "", "phone": "", "refId": ""}, "refId"),
        ({"channel": "web", "email": "not-an-address"}, "email"),
    ],
)
def test_init_refuses_bad_input_naming_the_field(sqlite_app, body, field):
    response = sqlite_app.test_client().post("/api/customer/init", json=body)
    assert response.status_code == 400
    data = response.get_json()
    assert data["message"]
    assert field in data["errors"], data
    if field == "refId":
        assert all(name in str(data) for name in ("refId", "phone", "email"))
    with sqlite_app.app_context():
        assert db.session.scalar(select(func.count(Conversation.id))) == 0


@pytest.mark.parametrize("channel", ["web", "fb", "sms", "twitter"])
def test_every_seed_channel_is_accepted(sqlite_app, channel):
    response = sqlite_app.test_client().post(
        "/api/customer/init", json={"channel": channel, "phone": "+15550100"}
    )
    assert response.status_code == 200, response.get_json()


def test_unknown_or_missing_subject_waits_in_the_default_queue_created_on_first_use(tmp_path):
    app = make_app(tmp_path, DEFAULT_QUEUE="lobby")
    create_queue(app, "billing")
    assert _queues(app) == ["billing"]
    client = app.test_client()
    unknown = client.post(
        "/api/customer/init", json={"channel": "web", "email": "a@example.com", "subject": "nope"}
    ).get_json()
    missing = client.post("/api/customer/init", json={"channel": "web", "refId": "r"}).get_json()
    assert _queues(app) == ["billing", "lobby"]
    assert state_of(app, unknown["conversationId"])[2] == "lobby"
    assert state_of(app, missing["conversationId"])[2] == "lobby"


def test_concurrent_first_inits_create_the_default_queue_once(app):
    """Two customers on a fresh install at once: both get a conversation, one queue."""
    results, start = [], threading.Barrier(4)

    def init_one(n):
        client = app.test_client()
        start.wait()
        results.append(
            client.post("/api/customer/init", json={"channel": "web", "refId": "c%d" % n})
        )

    threads = [threading.Thread(target=init_one, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [200] * 4, [r.get_json() for r in results]
    assert _queues(app) == ["general"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 4


def test_agent_token_for_the_right_pair_only_and_revealing_nothing(sqlite_app):
    create_agent(sqlite_app, "Alice", email="alice@example.com", cli=True)
    client = sqlite_app.test_client()
    good = client.post(
        "/api/agent/token", json={"email": "Alice@Example.com", "password": PASSWORD}
    )
    assert good.status_code == 200
    assert set(good.get_json()) == {"token", "expiresIn"}
    assert good.get_json()["expiresIn"] > 0

    wrong_password = client.post(
        "/api/agent/token", json={"email": "alice@example.com", "password": "wrong password"}
    )
    unknown_email = client.post(
        "/api/agent/token", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.get_json() == unknown_email.get_json()
    message = wrong_password.get_json()["message"].lower()
    assert "token" not in wrong_password.get_json()
    assert not any(word in message for word in ("unknown", "no agent", "not found", "exist"))

    missing = client.post("/api/agent/token", json={"email": "alice@example.com"})
    assert missing.status_code == 400
    assert "password" in missing.get_json()["errors"]

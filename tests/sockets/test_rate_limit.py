"""SOCKET_RATE_LIMIT / SOCKET_RATE_BURST: one socket cannot flood sendMessage (issue 15)."""

import pytest
from sqlalchemy import func, select

from chatwidget.extensions import db
from chatwidget.models import Message
from chatwidget.sockets.throttle import SendRate
from tests.conftest import make_app
from tests.sockets.helpers import AGENT_NS, ask_info, join, online_agent, send, start


def _chat_messages(app):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Message).where(Message.type == "ChatMessage")
        )


@pytest.fixture
def slow_app(tmp_path):
    """Three messages a socket, then one an hour: no refill during the test."""
    app = make_app(tmp_path, SOCKET_RATE_LIMIT="1/hour", SOCKET_RATE_BURST=3)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_customer_past_the_burst_gets_an_error_ack_and_nothing_is_stored(slow_app):
    conversation_id, _, client = start(slow_app)
    acks = [send(client, conversation_id, "m%d" % n) for n in range(5)]
    assert [ack["status"] for ack in acks] == ["ok", "ok", "ok", "error", "error"]
    refused = acks[3]
    assert "rate limit exceeded" in refused["message"]
    assert "1 per 1 hour" in refused["message"] and "bursts of 3" in refused["message"]
    assert list(refused["errors"]) == ["rate"] and "1 per 1 hour" in refused["errors"]["rate"][0]
    assert 0 < refused["retryAfter"] <= 3600
    assert _chat_messages(slow_app) == 3
    # Only sendMessage is limited: the socket still catches up, with the three messages.
    info = ask_info(client, conversation_id)
    assert info["status"] == "ok"
    texts = [m.get("text") for m in info["messages"] if m["type"] == "ChatMessage"]
    assert texts == ["m0", "m1", "m2"]


def test_each_socket_and_each_agent_has_its_own_bucket(slow_app):
    _, agent = online_agent(slow_app)
    conversation_id, _, client = start(slow_app)
    for n in range(3):
        assert send(client, conversation_id, "c%d" % n)["status"] == "ok"
    assert send(client, conversation_id, "c3")["status"] == "error"
    # The agent's socket (namespace /agent) has a full bucket of its own, and its own limit.
    acks = [send(agent, conversation_id, "a%d" % n, namespace=AGENT_NS) for n in range(4)]
    assert [ack["status"] for ack in acks] == ["ok", "ok", "ok", "error"]
    assert "rate limit exceeded" in acks[3]["message"]
    assert _chat_messages(slow_app) == 6


def test_a_second_socket_of_the_same_customer_has_its_own_bucket(slow_app):
    conversation_id, participant_id, first = start(slow_app)
    for n in range(4):
        send(first, conversation_id, "f%d" % n)
    second, ack = join(slow_app, conversation_id, participant_id)
    assert ack["status"] == "ok"
    assert send(second, conversation_id, "s0")["status"] == "ok"


def test_the_bucket_refills_at_the_rate_and_holds_at_most_the_burst():
    limit = SendRate("10/second", 20)  # the defaults
    assert (limit.rate, limit.burst) == (10, 20)
    bucket = [limit.burst, 100.0]
    assert [limit.take(bucket, 100.0) for _ in range(20)] == [None] * 20
    assert limit.take(bucket, 100.0) == pytest.approx(0.1)  # empty: a token in 0.1 s
    assert limit.take(bucket, 100.05) == pytest.approx(0.05)  # a refusal takes no token
    assert limit.take(bucket, 100.11) is None
    assert limit.take(bucket, 100.11) is not None
    assert [limit.take(bucket, 1000.0) for _ in range(21)].count(None) == 20  # never > burst


def test_flask_limiter_syntax_and_a_clear_error_for_a_bad_setting(tmp_path):
    assert SendRate("120 per minute", 5).rate == 2
    assert SendRate("10/2 seconds", 5).rate == 5
    with pytest.raises(ValueError, match="SOCKET_RATE_LIMIT 'fast' is not a rate limit"):
        make_app(tmp_path, SOCKET_RATE_LIMIT="fast")
    with pytest.raises(ValueError, match="SOCKET_RATE_BURST must be 1 or more"):
        SendRate("10/second", 0)


def test_the_defaults_are_ten_a_second_in_bursts_of_twenty(sqlite_app):
    assert sqlite_app.config["SOCKET_RATE_LIMIT"] == "10/second"
    assert sqlite_app.config["SOCKET_RATE_BURST"] == 20

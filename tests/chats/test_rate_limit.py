"""The chats API's own limit per API user (CHATS_RATE_LIMIT, the vendor's 10/s by default)."""

import pytest

from chatwidget.config import from_environment
from tests.chats.helpers import BASE, integrator
from tests.sockets.helpers import create_queue


@pytest.fixture
def app_overrides():
    return {"CHATS_RATE_LIMIT": "3/minute"}  # a window no test outlives


def test_past_the_limit_an_api_user_gets_429_with_retry_after_and_others_do_not(app, client):
    create_queue(app, "general")
    crm, other = integrator(app), integrator(app)
    for _ in range(3):
        assert client.get(BASE + "/chats/999", headers=crm).status_code == 404
    limited = client.get(BASE + "/chats/999", headers=crm)
    assert limited.status_code == 429
    assert limited.get_json()["message"] and int(limited.headers["Retry-After"]) > 0
    created = client.post(BASE + "/chats", json={}, headers=crm)
    assert created.status_code == 429  # refused before the body is read: nothing opened
    assert client.get(BASE + "/chats/1", headers=other).status_code == 404  # no chat 1


def test_the_default_is_the_vendors_ten_a_second(monkeypatch):
    monkeypatch.delenv("CHATS_RATE_LIMIT", raising=False)
    assert from_environment()["CHATS_RATE_LIMIT"] == "10/second"

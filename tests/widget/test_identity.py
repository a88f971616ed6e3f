"""Identity on init and an identified visitor's conversations (CONTRACT §6)."""

import jwt
import pytest
from sqlalchemy import select

from chatwidget.extensions import db
from chatwidget.models import EndUser
from tests.sockets.helpers import AGENT_NS, online_agent, send, start
from tests.widget.helpers import (
    conversation_count,
    conversation_row,
    ended,
    identifier_hash,
    identity_token,
)

INIT = {"channel": "web"}
OTHER_SECRET = "not-the-company-secret-but-just-as-long-0123456789"


def init(app, **body):
    return app.test_client().post("/api/customer/init", json={**INIT, **body})


def listing(app, token, **query):
    headers = {"Authorization": "Bearer " + token} if token is not None else {}
    return app.test_client().get("/api/customer/conversations", headers=headers, query_string=query)


def end_user(app, identifier):
    with app.app_context():
        user = db.session.scalar(select(EndUser).filter_by(identifier=identifier))
        return (user.id, user.name, user.email) if user else None


def test_a_token_makes_the_conversation_that_end_users_and_lists_it(app):
    token = identity_token(app, "user-42", name="Ida Noor", email="Ida@Example.com")
    answer = init(app, identityToken=token)
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert data["participant"]["name"] == "Ida Noor"
    user_id, name, email = end_user(app, "user-42")
    assert (name, email) == ("Ida Noor", "Ida@Example.com")
    row = conversation_row(app, data["conversationId"])
    assert row.end_user_id == user_id and row.email == "ida@example.com"

    listed = listing(app, token)
    assert listed.status_code == 200, listed.get_json()
    [item] = listed.get_json()["conversations"]
    assert item["conversationId"] == data["conversationId"]
    assert item["participantId"] == data["participant"]["id"]  # resumes it, opens its transcript
    assert (item["state"], item["endedAt"], item["lastMessage"]) == ("new", None, None)
    assert item["subject"] == "general"


def test_identifier_and_hash_reach_the_same_end_user_and_the_list_is_newest_first(app):
    first = init(app, identifier="user-42", identifierHash=identifier_hash(app, "user-42"))
    assert first.status_code == 200, first.get_json()
    second = init(app, identityToken=identity_token(app, "user-42"), email="b@example.com")
    third = init(app, identityToken=identity_token(app, "someone-else"))
    assert second.status_code == third.status_code == 200
    found = listing(app, identity_token(app, "user-42")).get_json()["conversations"]
    ids = [c["conversationId"] for c in found]
    assert ids == [second.get_json()["conversationId"], first.get_json()["conversationId"]]
    assert conversation_row(app, ids[1]).ref_id == "user-42"  # its only identifier
    assert len(listing(app, identity_token(app, "user-42"), limit=1).get_json()["conversations"])


def test_the_list_shows_the_last_message_the_customer_may_see(app):
    _, agent = online_agent(app, "Ann")
    token = identity_token(app, "user-7")
    conversation_id, _, customer = start(app, identityToken=token)
    assert send(customer, conversation_id, "where is my parcel " + "x" * 300)["status"] == "ok"
    whisper = send(agent, conversation_id, "internal", namespace=AGENT_NS, tag="whisper")
    assert whisper["status"] == "ok"
    [item] = listing(app, token).get_json()["conversations"]
    assert item["state"] == "assigned"
    assert item["lastMessage"] == ("where is my parcel " + "x" * 300)[:200]


def test_the_list_has_ended_conversations_with_their_rating(app):
    token = identity_token(app, "user-9")
    conversation_id, participant_id = ended(app, identityToken=token)
    url = "/api/customer/conversations/%s/rating" % conversation_id
    app.test_client().post(url, json={"participantId": participant_id, "rating": 3})
    [item] = listing(app, token).get_json()["conversations"]
    assert item["state"] == "ended" and item["endedAt"] and item["rating"] == 3


def _bad_tokens(app):
    return {
        "other secret": identity_token(app, secret=OTHER_SECRET),
        "expired": identity_token(app, lifetime=-60),
        "no exp": identity_token(app, lifetime=None),
        "no sub": identity_token(app, sub=None),
        "HS512": identity_token(app, algorithm="HS512"),
        "alg none": jwt.encode({"sub": "u", "exp": 9999999999}, None, algorithm="none"),
        "garbage": "not.a.jwt",
    }


@pytest.mark.parametrize(
    "case", ["other secret", "expired", "no exp", "no sub", "HS512", "alg none", "garbage"]
)
def test_a_bad_token_is_401_and_opens_nothing_nor_lists(app, case):
    token = _bad_tokens(app)[case]
    answer = init(app, identityToken=token, email="a@example.com")
    assert answer.status_code == 401, answer.get_json()
    assert answer.get_json()["message"]
    assert conversation_count(app) == 0 and end_user(app, "user-42") is None
    assert listing(app, token).status_code == 401


def test_a_wrong_hash_is_401_and_opens_nothing(app):
    good = identifier_hash(app, "user-42")
    for given in (identifier_hash(app, "user-43"), good[:-1], "", "zz" * 32, "é" * 64):
        body = {"identifier": "user-42", "identifierHash": given, "email": "a@example.com"}
        answer = init(app, **body)
        assert answer.status_code in (400, 401), answer.get_json()
        assert answer.status_code == (400 if given == "" else 401)
    assert conversation_count(app) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"identifier": "user-42"}, "identifierHash"),
        ({"identifierHash": "ab" * 32}, "identifier"),
        ({"identityToken": "x", "identifier": "user-42", "identifierHash": "ab"}, "identityToken"),
        ({"identifier": "u" * 256, "identifierHash": "ab"}, "identifier"),
        ({"identityToken": 5}, "identityToken"),
    ],
)
def test_incomplete_identity_is_400_naming_the_field(sqlite_app, body, field):
    answer = init(sqlite_app, **body)
    assert answer.status_code == 400, answer.get_json()
    assert field in answer.get_json()["errors"]
    assert conversation_count(sqlite_app) == 0


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Basic dTpw"}, {"Authorization": "Bearer "}]
)
def test_the_list_needs_a_bearer_identity_token(sqlite_app, headers):
    answer = sqlite_app.test_client().get("/api/customer/conversations", headers=headers)
    assert answer.status_code == 401
    assert "identity token" in answer.get_json()["message"]


def test_an_identifier_hash_cannot_list(sqlite_app):
    """The hash never expires: only the expiring token reads past conversations."""
    proof = identifier_hash(sqlite_app, "user-42")
    assert init(sqlite_app, identifier="user-42", identifierHash=proof).status_code == 200
    assert listing(sqlite_app, proof).status_code == 401

"""POST /api/customer/offline (CONTRACT §6): a message left when nobody can answer."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from chatwidget.core import timeouts
from chatwidget.extensions import db
from chatwidget.models import Conversation, Message, Participant
from chatwidget.models.types import utcnow
from tests.conftest import bearer_for, make_app
from tests.sockets.helpers import create_queue, state_of
from tests.widget.helpers import conversation_count, conversation_row

BODY = {"name": "Dora", "email": "Dora@Example.com", "text": "Call me back", "subject": "billing"}


def leave(app, **body):
    return app.test_client().post("/api/customer/offline", json=body)


def test_an_offline_message_is_a_conversation_in_state_offline_with_the_text(app):
    create_queue(app, "billing")
    answer = leave(app, **BODY)
    assert answer.status_code == 200, answer.get_json()
    conversation_id = answer.get_json()["conversationId"]
    assert set(answer.get_json()) == {"conversationId"}
    assert state_of(app, conversation_id) == ("offline", None, "billing")
    row = conversation_row(app, conversation_id)
    assert row.email == "dora@example.com" and row.customer["firstName"] == "Dora"
    with app.app_context():
        [message] = db.session.scalars(select(Message).filter_by(conversation_pk=row.id)).all()
        customer = db.session.scalar(select(Participant).filter_by(conversation_pk=row.id))
    assert (message.type, message.text, message.seq) == ("ChatMessage", "Call me back", 1)
    assert message.sender == {"id": customer.public_id, "name": "Dora", "role": "customer"}


def test_an_unknown_or_missing_subject_goes_to_the_default_queue(app):
    for body in ({**BODY, "subject": "nope"}, {"email": "a@example.com", "text": "hi"}):
        answer = leave(app, **body)
        assert answer.status_code == 200, answer.get_json()
        assert state_of(app, answer.get_json()["conversationId"])[2] == "general"


def test_an_offline_message_is_never_ended_for_inactivity(sqlite_app):
    conversation_id = leave(sqlite_app, **BODY).get_json()["conversationId"]
    with sqlite_app.app_context():
        long_ago = utcnow() - timedelta(days=3)
        db.session.execute(update(Conversation).values(last_message_at=long_ago))
        db.session.commit()
        assert timeouts.do_end_inactive() == 0
    assert state_of(sqlite_app, conversation_id)[0] == "offline"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": None}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a@" + "x" * 260 + ".com"}, "email"),
        ({"text": None}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 11}, "text"),
        ({"text": "nul \u0000"}, "text"),
        ({"text": 12}, "text"),
        ({"name": "n" * 201}, "name"),
        ({"subject": "s" * 101}, "subject"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_opens_nothing(sqlite_app, body, field):
    sqlite_app.config["MAX_MESSAGE_CHARS"] = 10
    payload = {k: v for k, v in {**BODY, **body}.items() if v is not None}
    answer = leave(sqlite_app, **payload)
    assert answer.status_code == 400, answer.get_json()
    assert field in answer.get_json()["errors"]
    assert conversation_count(sqlite_app) == 0


def test_offline_messages_are_rate_limited_and_the_widget_can_read_the_429(tmp_path):
    app = make_app(tmp_path, RATE_LIMIT="2/minute")
    client = app.test_client()
    headers = {"Origin": "https://shop.example"}
    answers = [client.post("/api/customer/offline", json=BODY, headers=headers) for _ in "abc"]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"]
    assert answers[2].headers["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in answers[2].headers["Access-Control-Expose-Headers"]
    assert conversation_count(app) == 2


def test_a_customer_purge_by_email_takes_the_offline_messages_along(app):
    conversation_id = leave(app, **BODY).get_json()["conversationId"]
    headers = bearer_for(app, app.test_client(), "purge")
    answer = app.test_client().post(
        "/purge/v1/calls/customer", json={"email": "dora@example.com"}, headers=headers
    )
    assert answer.status_code == 200, answer.get_json()
    [item] = answer.get_json()["items"]
    assert (item["sessionId"], item["status"]) == (conversation_id, "Purging")
    assert conversation_count(app) == 0

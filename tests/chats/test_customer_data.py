"""Customer flags, custom data and the end user of a chat (seed 001 "Recuperare / Aggiornare
gli attributi dei dati riservati", "Inviare dati personalizzati nella chat", "Aggiornare
l'utente finale"; CONTRACT §3), and the console's customer panel showing them."""

import time

import jwt
import pytest

from chatwidget.core import chats, conversations, handling
from chatwidget.extensions import db
from chatwidget.models import EndUser
from tests.chats.helpers import BASE, create_chat, integrator
from tests.chats.test_escalations import escalate, va_queue
from tests.console.helpers import signed_in_agent
from tests.sockets.helpers import init

# The seed's signed_data example: signed with the vendor's secret, expired in 2024.
SEED_SIGNED = (
    "eyJhbGciOiJIUzI1NiJ9.eyJjdXN0b21fZGF0YSI6eyJyZXNlcnZlZF92ZXJpZmllZF9jdXN0b21lciI6eyJ2YW"
    "x1ZSI6ZmFsc2V9LCJyZXNlcnZlZF9iYWRfYWN0b3IiOnsidmFsdWUiOnRydWV9LCJyZXNlcnZlZF9yZXBlYXRfY3"
    "VzdG9tZXIiOnsidmFsdWUiOmZhbHNlfSwiZmllbGQxIjp7InZhbHVlIjoiZHVtbXkxMTEifSwiZmllbGQyIjp7In"
    "ZhbHVlIjoiZHVtbXkyMjIifX0sImV4cCI6MTcyOTY4MzU5MywiaWF0IjoxNzI5Njc5OTkzfQ.BMskgKTM3DbgrMLW"
    "jI46ZJ1K73H25JRd16SgHK0A1Ts"
)
# The seed's unsigned example, as sent.
SEED_DATA = {
    "reserved_verified_customer": {"label": "LABEL 1", "value": True},
    "reserved_bad_actor": {"label": "LABEL 2", "value": False},
    "reserved_repeat_customer": {"label": "LABEL 3", "value": True},
    "field1": {"label": "LABEL 4", "value": "dummy1"},
    "field2": {"label": "LABEL 5", "value": "dummy2"},
}
NO_FLAGS = {"verified_customer": False, "bad_actor": False, "repeat_customer": False}
MISSING_IDENTIFIER = {"message": "param is missing or the value is empty: identifier"}


def url(chat, topic):
    return "%s/chats/%d/%s" % (BASE, chat["id"], topic)


def stored(app, chat):
    """(custom data, customer flags) as the chat's conversation row holds them."""
    with app.app_context():
        conversation = chats.get_chat(chat["id"])
        return conversation.custom_data, conversation.customer_flags


def signed(app, custom_data, **claims):
    """signed_data as an integrator makes it: HS256 with the app's COMPANY_SECRET."""
    now = int(time.time())
    payload = {"custom_data": custom_data, "exp": now + 600, "iat": now, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, app.config["COMPANY_SECRET"], algorithm="HS256")


def test_customer_flags_read_false_then_round_trip_with_either_spelling(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers)
    assert client.get(url(chat, "customer_flag"), headers=headers).get_json() == NO_FLAGS
    seed_body = {"verified_customer": True, "bad_actor": False, "repeat_customers": True}
    set_ = client.post(url(chat, "customer_flag"), json=seed_body, headers=headers)
    expected = {"verified_customer": True, "bad_actor": False, "repeat_customer": True}
    assert (set_.status_code, set_.get_json()) == (200, expected)
    partial = client.post(url(chat, "customer_flag"), json={"bad_actor": True}, headers=headers)
    assert partial.get_json() == {**expected, "bad_actor": True}
    unset = {"repeat_customer": False}
    unset = client.post(url(chat, "customer_flag"), json=unset, headers=headers)
    assert unset.get_json()["repeat_customer"] is False
    got = client.get(url(chat, "customer_flag"), headers=headers).get_json()
    assert got == {"verified_customer": True, "bad_actor": True, "repeat_customer": False}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"bad_actor": "true"}, "bad_actor"),
        ({"verified_customer": 1}, "verified_customer"),
        ({"repeat_customer": True, "repeat_customers": False}, "repeat_customers"),
    ],
)
def test_customer_flags_take_only_booleans(app, client, body, field):
    headers = integrator(app)
    chat = create_chat(client, headers)
    refused = client.post(url(chat, "customer_flag"), json=body, headers=headers)
    assert refused.status_code == 400 and field in refused.get_json()["errors"]
    assert client.get(url(chat, "customer_flag"), headers=headers).get_json() == NO_FLAGS


@pytest.mark.parametrize("chat_id", [999999, 2**31, 2**63 - 1])
def test_an_unknown_chat_is_404_even_past_the_id_columns_range(app, client, chat_id):
    headers = integrator(app)
    for path in ("/chats/%d/customer_flag", "/chats/%d"):
        missing = client.get(BASE + path % chat_id, headers=headers)
        assert missing.status_code == 404, missing.get_json()
        if chat_id < 2**31:  # larger ids are no route at all: 404 all the same
            assert missing.get_json()["message"] == "no chat %d" % chat_id
        assert missing.get_json()["message"]


def test_unsigned_custom_data_of_the_seed_is_kept_and_its_reserved_fields_set_flags(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers)
    body = {"signed": False, "data": SEED_DATA}
    answer = client.post(url(chat, "custom_data"), json=body, headers=headers)
    assert (answer.status_code, answer.get_json()) == (200, {"message": "accepted"})
    data, _ = stored(app, chat)
    assert data == {
        "field1": {"label": "LABEL 4", "value": "dummy1"},
        "field2": {"label": "LABEL 5", "value": "dummy2"},
    }
    flags = client.get(url(chat, "customer_flag"), headers=headers).get_json()
    assert flags == {"verified_customer": True, "bad_actor": False, "repeat_customer": True}
    later = {"data": {"field2": {"value": 42}, "field3": {"label": "Plan", "value": "gold"}}}
    assert client.post(url(chat, "custom_data"), json=later, headers=headers).status_code == 200
    data, _ = stored(app, chat)
    assert data == {
        "field1": {"label": "LABEL 4", "value": "dummy1"},
        "field2": {"label": None, "value": 42},
        "field3": {"label": "Plan", "value": "gold"},
    }


@pytest.mark.parametrize(
    "body, field",
    [
        ({"signed": False, "data": {"plan": {"label": "Plan"}}}, "plan"),
        ({"signed": False, "data": {"plan": "gold"}}, "plan"),
        ({"signed": False, "data": {"plan": {"value": {"nested": 1}}}}, "plan"),
        ({"signed": False, "data": {"plan": {"value": "x", "label": 7}}}, "plan"),
        ({"data": {"reserved_bad_actor": {"value": "yes"}}}, "reserved_bad_actor"),
        ({"signed": False}, "data"),
        ({"signed": True, "data": SEED_DATA}, "signed_data"),
        ({"signed": "false", "data": SEED_DATA}, "signed"),
    ],
)
def test_custom_data_of_a_bad_shape_is_refused_naming_the_field(app, client, body, field):
    headers = integrator(app)
    chat = create_chat(client, headers)
    refused = client.post(url(chat, "custom_data"), json=body, headers=headers)
    assert refused.status_code == 400
    assert field in str(refused.get_json()["errors"]), refused.get_json()
    assert stored(app, chat) == (None, None)


def test_signed_custom_data_with_the_company_secret_is_accepted(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers)
    token = signed(app, {**SEED_DATA, "reserved_bad_actor": {"value": True}})
    answer = client.post(
        url(chat, "custom_data"), json={"signed": True, "signed_data": token}, headers=headers
    )
    assert (answer.status_code, answer.get_json()) == (200, {"message": "accepted"})
    data, flags = stored(app, chat)
    assert set(data) == {"field1", "field2"} and data["field2"]["value"] == "dummy2"
    assert flags == {"verified_customer": True, "bad_actor": True, "repeat_customer": True}


def _tampered(app):
    head, body, signature = signed(app, SEED_DATA).split(".")
    other = "AAAA" if signature[-4:] != "AAAA" else "BBBB"
    return "%s.%s.%s" % (head, body, signature[:-4] + other)


def _alg_none(app):
    now = int(time.time())
    payload = {"custom_data": SEED_DATA, "exp": now + 600, "iat": now}
    return jwt.encode(payload, None, algorithm="none")


REFUSED_TOKENS = {
    "the seed's example (another secret, expired)": lambda app: SEED_SIGNED,
    "tampered signature": _tampered,
    "alg none": _alg_none,
    "another secret": lambda app: jwt.encode(
        {"custom_data": SEED_DATA, "exp": int(time.time()) + 600, "iat": int(time.time())},
        "not-the-company-secret-but-as-long-as-one",
        algorithm="HS256",
    ),
    "expired": lambda app: signed(app, SEED_DATA, exp=int(time.time()) - 3600),
    "no exp": lambda app: signed(app, SEED_DATA, exp=None),
    "no iat": lambda app: signed(app, SEED_DATA, iat=None),
    "iat in the future": lambda app: signed(app, SEED_DATA, iat=int(time.time()) + 3600),
    "not a JWT": lambda app: "hello",
}


@pytest.mark.parametrize("case", list(REFUSED_TOKENS))
def test_signed_custom_data_not_signed_right_and_fresh_is_401_and_stores_nothing(app, client, case):
    headers = integrator(app)
    chat = create_chat(client, headers)
    body = {"signed": True, "signed_data": REFUSED_TOKENS[case](app)}
    refused = client.post(url(chat, "custom_data"), json=body, headers=headers)
    assert refused.status_code == 401, refused.get_json()
    assert "signed_data" in refused.get_json()["message"]
    assert stored(app, chat) == (None, None)


def test_signed_custom_data_of_a_bad_shape_is_400_naming_the_field(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers)
    token = signed(app, {"plan": {"label": "no value"}})
    refused = client.post(
        url(chat, "custom_data"), json={"signed": True, "signed_data": token}, headers=headers
    )
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"signed_data": {"custom_data": {"plan": [
        "value is required: a string, a number or a boolean."
    ]}}}  # fmt: skip
    assert stored(app, chat) == (None, None)


def test_end_user_names_the_chat_and_updates_its_customer(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers, end_user={"phone": "+39 055 1"})
    body = {"identifier": "crm-42", "name": "Dora Bini", "email": "Dora@Example.com",
            "phone": "+39 055 2"}  # fmt: skip
    answer = client.post(url(chat, "end-user"), json=body, headers=headers)
    assert (answer.status_code, answer.get_json()) == (202, {"message": "accepted"})
    got = client.get("%s/chats/%d" % (BASE, chat["id"]), headers=headers).get_json()
    assert got["end_user"] == {"id": chat["end_user"]["id"], "identifier": "crm-42"}
    with app.app_context():
        user = db.session.get(EndUser, chat["end_user"]["id"])
        assert (user.name, user.email, user.phone) == ("Dora Bini", "dora@example.com", "+39 055 2")
        conversation = chats.get_chat(chat["id"])
        assert (conversation.email, conversation.phone) == ("dora@example.com", "+39 055 2")
        assert conversation.customer["firstName"] == "Dora Bini"
    again = client.post(url(chat, "end_user"), json={"identifier": "crm-42"}, headers=headers)
    assert again.status_code == 202


def test_end_user_moves_the_chat_to_the_end_user_with_that_identifier(app, client):
    headers = integrator(app)
    first = create_chat(client, headers, end_user={"phone": "+1 555 0101"})
    client.post(url(first, "end-user"), json={"identifier": "crm-7"}, headers=headers)
    second = create_chat(client, headers, end_user={"phone": "+1 555 0202"})
    assert second["end_user"]["id"] != first["end_user"]["id"]
    body = {"identifier": "crm-7", "name": "Ezio"}
    assert client.post(url(second, "end_user"), json=body, headers=headers).status_code == 202
    got = client.get("%s/chats/%d" % (BASE, second["id"]), headers=headers).get_json()
    assert got["end_user"] == {"id": first["end_user"]["id"], "identifier": "crm-7"}
    with app.app_context():
        assert db.session.get(EndUser, first["end_user"]["id"]).name == "Ezio"
        left = db.session.get(EndUser, second["end_user"]["id"])
        assert left.identifier is None and left.phone == "+1 555 0202"


def test_end_user_identifies_the_customer_of_a_widget_conversation(app, client):
    headers = integrator(app)
    conversation_id, _ = init(app, firstName="Ivo", email="ivo@example.com")
    with app.app_context():
        chat_id = conversations.get(conversation_id).id
    chat = {"id": chat_id}
    body = {"identifier": " crm-77 ", "name": "Ivo Neri", "phone": "+39 02 7"}
    assert client.post(url(chat, "end-user"), json=body, headers=headers).status_code == 202
    got = client.get("%s/chats/%d" % (BASE, chat_id), headers=headers).get_json()
    assert got["end_user"]["identifier"] == "crm-77"
    with app.app_context():
        conversation = conversations.get(conversation_id)
        user = db.session.get(EndUser, conversation.end_user_id)
        assert (user.name, user.phone, user.email) == ("Ivo Neri", "+39 02 7", None)
        assert conversation.customer["firstName"] == "Ivo Neri"
        assert conversation.customer["email"] == "ivo@example.com"
        assert conversation.phone == "+39 02 7"


@pytest.mark.parametrize("body", [{}, {"identifier": ""}, {"identifier": "  "},
                                  {"identifier": None, "name": "X"}])  # fmt: skip
def test_end_user_without_identifier_is_the_vendors_400(app, client, body):
    headers = integrator(app)
    chat = create_chat(client, headers)
    refused = client.post(url(chat, "end-user"), json=body, headers=headers)
    assert (refused.status_code, refused.get_json()) == (400, MISSING_IDENTIFIER)
    got = client.get("%s/chats/%d" % (BASE, chat["id"]), headers=headers).get_json()
    assert got["end_user"] == chat["end_user"]


def test_end_user_of_an_ended_chat_is_refused(app, client):
    headers = integrator(app)
    chat = create_chat(client, headers)
    with app.app_context():
        handling.do_end(chats.get_chat(chat["id"]), "api")
    refused = client.post(url(chat, "end-user"), json={"identifier": "crm-9"}, headers=headers)
    assert (refused.status_code, refused.get_json()) == (400, {"message": "Chat is already ended"})
    bad_email = client.post(
        url(chat, "end-user"), json={"identifier": "crm-9", "email": "nope"}, headers=headers
    )
    assert bad_email.status_code == 400 and "email" in bad_email.get_json()["errors"]
    with app.app_context():
        assert db.session.query(EndUser).filter_by(identifier="crm-9").count() == 0


def test_the_console_customer_panel_shows_what_the_chats_api_told(app, client):
    headers = integrator(app)
    queue_id = va_queue(app)
    signed_in_agent(app, client, skills=("support",))  # offline: the chat waits in its queue
    chat = create_chat(client, headers, menu_id=queue_id, context={"order": "A-17"})
    _, escalation = escalate(client, headers, chat["id"], reason="by_end_user_ask")
    deflect = url(chat, "escalations/%d" % escalation["id"])
    client.patch(deflect, json={"deflection_channel": "email"}, headers=headers)
    body = {"data": {**SEED_DATA, "plan": {"label": "Plan", "value": "<b>gold</b>"}}}
    client.post(url(chat, "custom_data"), json=body, headers=headers)
    client.post(url(chat, "customer_flag"), json={"bad_actor": True}, headers=headers)
    client.post(url(chat, "end-user"), json={"identifier": "crm-5", "name": "Gea"}, headers=headers)
    with app.app_context():
        conversation_id = chats.get_chat(chat["id"]).conversation_id
    panel = client.get("/api/console/conversations/%s/customer" % conversation_id)
    assert panel.status_code == 200, panel.get_json()
    answer = panel.get_json()
    assert answer["customData"] == [
        {"name": "field1", "label": "LABEL 4", "value": "dummy1"},
        {"name": "field2", "label": "LABEL 5", "value": "dummy2"},
        {"name": "plan", "label": "Plan", "value": "<b>gold</b>"},
    ]
    assert answer["customerFlags"] == {
        "verified_customer": True, "bad_actor": True, "repeat_customer": True,
    }  # fmt: skip
    assert answer["chatContext"] == {"order": "A-17"}
    assert answer["deflectionChannel"] == "email"
    assert answer["name"] == "Gea" and answer["endUser"]["identifier"] == "crm-5"

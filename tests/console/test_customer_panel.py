"""GET /api/console/conversations/<id>/customer: the customer beside the conversation."""

from chatwidget.core import conversations, handling
from tests.console.helpers import signed_in_agent
from tests.sockets.helpers import agent_socket, end, send, start
from tests.widget.helpers import identifier_hash

PAGE = "https://shop.example/checkout?step=2"


def panel(client, conversation_id):
    return client.get("/api/console/conversations/%s/customer" % conversation_id)


def _ended(app, conversation_id):
    with app.app_context():
        handling.do_end(conversations.get(conversation_id), "customer")


def test_the_customer_their_page_and_rating(app, client):
    _, token, _ = signed_in_agent(app, client)
    agent = agent_socket(app, token)
    conversation_id, participant_id, customer = start(
        app,
        firstName="Carla",
        lastName="Rossi",
        email="Carla@Example.com",
        phone="+39 06 555",
        refId="crm-7",
        url=PAGE,
    )
    answer = panel(client, conversation_id).get_json()
    assert answer == {
        "conversationId": conversation_id,
        "chatId": answer["chatId"],
        "state": "assigned",
        "channel": "web",
        "queue": "general",
        "name": "Carla Rossi",
        "email": "carla@example.com",
        "phone": "+39 06 555",
        "refId": "crm-7",
        "url": PAGE,
        "createdAt": answer["createdAt"],
        "endedAt": None,
        "rating": None,
        "ratingComment": None,
        "endUser": None,
        "earlier": [],
        "customData": [],
        "customerFlags": {"verified_customer": False, "bad_actor": False, "repeat_customer": False},
        "chatContext": None,
        "deflectionChannel": None,
    }
    assert isinstance(answer["chatId"], int) and answer["createdAt"].endswith("Z")
    assert end(agent, conversation_id, namespace="/agent")["status"] == "ok"
    rated = client.post(
        "/api/customer/conversations/%s/rating" % conversation_id,
        json={"participantId": participant_id, "rating": 4, "comment": "Quick"},
    )
    assert rated.status_code == 200
    after = panel(client, conversation_id).get_json()
    assert (after["state"], after["rating"], after["ratingComment"]) == ("ended", 4, "Quick")
    assert after["endedAt"].endswith("Z")


def test_earlier_conversations_of_the_same_email_newest_first(app, client):
    _, token, _ = signed_in_agent(app, client, max_chats=5)
    agent = agent_socket(app, token)
    ids = []
    for text in ("first visit", "second visit"):
        conversation_id, _, customer = start(app, email="carla@example.com")
        send(agent, conversation_id, "whisper first", namespace="/agent", tag="whisper")
        send(customer, conversation_id, text)
        _ended(app, conversation_id)
        ids.append(conversation_id)
    start(app, email="someone.else@example.com")
    current, _, _ = start(app, email="CARLA@example.com")
    earlier = panel(client, current).get_json()["earlier"]
    assert [e["conversationId"] for e in earlier] == ids[::-1]
    assert [e["preview"] for e in earlier] == ["second visit", "first visit"]
    assert earlier[0]["state"] == "ended" and earlier[0]["endedAt"].endswith("Z")
    assert set(earlier[0]) == {
        "conversationId",
        "chatId",
        "state",
        "createdAt",
        "endedAt",
        "rating",
        "preview",
    }


def test_earlier_conversations_of_the_same_end_user(app, client):
    _, token, _ = signed_in_agent(app, client, max_chats=5)
    agent_socket(app, token)
    proof = {"identifier": "user-42", "identifierHash": identifier_hash(app, "user-42")}
    before, _, _ = start(app, email=None, phone="+15550100", **proof)
    start(app, email=None, phone="+15550199")  # someone else, unidentified
    current, _, _ = start(app, email="new.address@example.com", **proof)
    answer = panel(client, current).get_json()
    assert answer["endUser"] == {"identifier": "user-42", "name": None, "email": None}
    assert [e["conversationId"] for e in answer["earlier"]] == [before]
    assert answer["earlier"][0]["preview"] is None  # nothing written in it


def test_only_agents_who_may_read_it(app, client):
    _, token, _ = signed_in_agent(app, client)
    agent_socket(app, token)
    mine, _, _ = start(app)
    other = app.test_client()
    signed_in_agent(app, other, name="Bob")  # same queue, offline: never in it
    assert panel(other, mine).status_code == 403
    sales = app.test_client()
    signed_in_agent(app, sales, name="Sam", skills=("sales",))
    waiting, _, _ = start(app, subject="sales")  # nobody available in sales: it waits
    assert panel(sales, waiting).status_code == 200
    assert panel(client, waiting).status_code == 403
    assert panel(client, "no-such-conversation").status_code == 404
    assert panel(app.test_client(), mine).status_code == 401

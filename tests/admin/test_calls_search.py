"""GET /api/console/calls: filters, case-insensitive text, pagination in SQL."""

from tests.admin.helpers import agent_headers, sign_in
from tests.api.capture_helpers import capture, chat
from tests.conftest import bearer_for


def _call(session_id, start, text="hello", email=None, phone=None, master=None, name="Jane"):
    customer = {
        "Type": "Customer",
        "FirstName": name,
        "Messages": [{"Content": text, "UtcTimestamp": start}],
    }
    if email:
        customer["Email"] = email
    if phone:
        customer["Phone"] = phone
    agent = {
        "Type": "Agent",
        "FirstName": "John",
        "Messages": [{"Content": "how can I help?", "UtcTimestamp": start}],
    }
    system = {"Type": "System", "Messages": [{"Content": "joined", "UtcTimestamp": start}]}
    return chat(
        session_id,
        UtcStart=start,
        UtcEnd=start,
        MasterCallId=master,
        Contacts=[system, customer, agent],
    )


def _seed(app, client):
    headers = bearer_for(app, client, "chat_capture")
    ids = {}
    rows = [
        ("s-1", "2026-01-01T09:00:00Z", "Mon ÉCOLE est fermée", "Ann@Example.com", None, "m-1"),
        ("s-2", "2026-01-02T10:00:00Z", "100% sure_thing", None, "+39 06 123", "m-1"),
        ("s-3", "2026-01-03T23:59:59Z", "nothing here", "bob@example.com", None, None),
        ("s-4", "2026-01-04T08:00:00Z", "Refund please", "ann@example.com", None, None),
    ]
    for session, start, text, email, phone, master in rows:
        ids[session] = capture(client, headers, _call(session, start, text, email, phone, master))
    return ids


def _search(client, headers, query=""):
    answer = client.get("/api/console/calls" + query, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _sessions(page):
    return [item["sessionId"] for item in page["items"]]


def test_filters(app, client):
    ids = _seed(app, client)
    _, _, headers = agent_headers(app, "Agent", admin=False)
    everything = _search(client, headers)
    assert _sessions(everything) == ["s-4", "s-3", "s-2", "s-1"] and everything["total"] == 4
    first = everything["items"][-1]
    assert first == {
        "callId": ids["s-1"],
        "masterCallId": "m-1",
        "sessionId": "s-1",
        "startedAt": "2026-01-01T09:00:00Z",
        "channel": "capture",
        "customer": "Jane",
        "email": "Ann@Example.com",
        "phone": None,
        "messages": 2,
        "preview": "Mon ÉCOLE est fermée",
    }
    assert _sessions(_search(client, headers, "?q=%C3%A9cole")) == ["s-1"]  # é finds É
    assert _sessions(_search(client, headers, "?q=REFUND")) == ["s-4"]
    assert _sessions(_search(client, headers, "?q=100%25")) == ["s-2"]  # % taken literally
    assert _sessions(_search(client, headers, "?q=e_t")) == ["s-2"]  # sure_thing
    assert _sessions(_search(client, headers, "?q=g_h")) == []  # not "nothing here": _ is _
    assert _sessions(_search(client, headers, "?q=joined")) == ["s-4", "s-3", "s-2", "s-1"]
    assert _sessions(_search(client, headers, "?q=Content")) == []  # no JSON keys
    assert _sessions(_search(client, headers, "?email=ANN@example.com")) == ["s-4", "s-1"]
    assert _sessions(_search(client, headers, "?phone=%2B39%2006%20123")) == ["s-2"]
    assert _sessions(_search(client, headers, "?sessionId=s-3")) == ["s-3"]
    assert _sessions(_search(client, headers, "?from=2026-01-02&to=2026-01-03")) == ["s-3", "s-2"]
    assert _sessions(_search(client, headers, "?to=2026-01-03T12:00:00Z")) == ["s-2", "s-1"]
    assert _sessions(_search(client, headers, "?email=ann@example.com&q=refund")) == ["s-4"]


def test_pagination_and_bad_input(app, client):
    _seed(app, client)
    _, _, headers = agent_headers(app, "Agent", admin=False)
    page = _search(client, headers, "?perPage=3&page=2")
    assert _sessions(page) == ["s-1"] and page["total"] == 4
    assert page["page"] == 2 and page["perPage"] == 3
    assert _search(client, headers, "?page=9")["items"] == []
    for query in ("?perPage=101", "?page=0", "?from=yesterday", "?to=2026-13-01"):
        answer = client.get("/api/console/calls" + query, headers=headers)
        assert answer.status_code == 400, query
        assert answer.get_json()["errors"], query


def test_needs_an_agent(app, client):
    _seed(app, client)
    assert client.get("/api/console/calls").status_code == 401
    api_user = bearer_for(app, client, "admin")
    assert client.get("/api/console/calls", headers=api_user).status_code == 401
    agent_id, _, _ = agent_headers(app, "Agent", admin=False)
    browser = app.test_client()
    sign_in(app, browser, agent_id)
    assert browser.get("/api/console/calls?q=refund").get_json()["total"] == 1

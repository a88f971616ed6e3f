"""Canned responses: the team's shared replies, managed from the console."""

import pytest

from tests.console.helpers import canned_rows, signed_in_agent


@pytest.fixture
def agent(app, client):
    """Headers (CSRF) of an agent signed in on client."""
    _, _, headers = signed_in_agent(app, client)
    return headers


def _create(client, headers, shortcut="hi", text="Hello! How can I help?"):
    return client.post(
        "/api/console/canned", json={"shortcut": shortcut, "text": text}, headers=headers
    )


def test_create_list_change_delete(app, client, agent):
    first = _create(client, agent, "Thanks", "Thank you for waiting.")
    assert first.status_code == 201
    item = first.get_json()
    assert item == {"id": item["id"], "shortcut": "thanks", "text": "Thank you for waiting."}
    assert _create(client, agent, "a-1_b", "Second").status_code == 201
    listed = client.get("/api/console/canned").get_json()["canned"]
    assert [c["shortcut"] for c in listed] == ["a-1_b", "thanks"]
    url = "/api/console/canned/%d" % item["id"]
    changed = client.patch(url, json={"text": "Thanks for waiting!"}, headers=agent)
    assert changed.get_json() == dict(item, text="Thanks for waiting!")
    renamed = client.patch(url, json={"shortcut": "ty"}, headers=agent)
    assert renamed.get_json() == dict(item, shortcut="ty", text="Thanks for waiting!")
    assert client.delete(url, headers=agent).status_code == 204
    assert canned_rows(app) == [("a-1_b", "Second")]


def test_another_agent_sees_and_edits_the_same_responses(app, client, agent):
    item = _create(client, agent).get_json()
    other = app.test_client()
    _, _, headers = signed_in_agent(app, other, name="Bob")
    assert other.get("/api/console/canned").get_json()["canned"] == [item]
    url = "/api/console/canned/%d" % item["id"]
    assert other.patch(url, json={"text": "Hi!"}, headers=headers).status_code == 200


def test_a_taken_shortcut_is_409(app, client, agent):
    _create(client, agent, "hi")
    other = _create(client, agent, "bye").get_json()
    before = canned_rows(app)
    duplicate = _create(client, agent, "HI", "again")
    assert duplicate.status_code == 409
    assert "/hi" in duplicate.get_json()["message"]
    url = "/api/console/canned/%d" % other["id"]
    assert client.patch(url, json={"shortcut": "hi"}, headers=agent).status_code == 409
    assert canned_rows(app) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": "no shortcut"}, "shortcut"),
        ({"shortcut": "hi"}, "text"),
        ({"shortcut": "", "text": "x"}, "shortcut"),
        ({"shortcut": "a" * 41, "text": "x"}, "shortcut"),
        ({"shortcut": "two words", "text": "x"}, "shortcut"),
        ({"shortcut": "/hi", "text": "x"}, "shortcut"),
        ({"shortcut": "café", "text": "x"}, "shortcut"),
        ({"shortcut": 12, "text": "x"}, "shortcut"),
        ({"shortcut": "hi", "text": "   "}, "text"),
        ({"shortcut": "hi", "text": ""}, "text"),
        ({"shortcut": "hi", "text": 5}, "text"),
        ({"shortcut": "hi", "text": None}, "text"),
        ({"shortcut": "hi", "text": "x" * 5001}, "text"),
        ({"shortcut": "hi", "text": "nul\u0000"}, "text"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(app, client, agent, body, field):
    _create(client, agent, "keep", "kept")
    before = canned_rows(app)
    response = client.post("/api/console/canned", json=body, headers=agent)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["errors"]
    item_id = client.get("/api/console/canned").get_json()["canned"][0]["id"]
    patch = {k: v for k, v in body.items() if k == field}
    if patch:
        url = "/api/console/canned/%d" % item_id
        response = client.patch(url, json=patch, headers=agent)
        assert response.status_code == 400, (patch, response.get_json())
    assert canned_rows(app) == before


def test_a_body_that_is_not_json_is_refused(app, client, agent):
    response = client.post(
        "/api/console/canned", data="shortcut=hi", headers=agent, content_type="text/plain"
    )
    assert response.status_code == 415
    broken = client.post(
        "/api/console/canned", data="{", headers=agent, content_type="application/json"
    )
    assert broken.status_code == 400
    assert canned_rows(app) == []


def test_an_empty_change_is_400(app, client, agent):
    item = _create(client, agent).get_json()
    url = "/api/console/canned/%d" % item["id"]
    assert client.patch(url, json={}, headers=agent).status_code == 400
    assert canned_rows(app) == [("hi", item["text"])]


def test_unknown_ids_are_404(app, client, agent):
    _create(client, agent)
    before = canned_rows(app)
    assert (
        client.patch("/api/console/canned/999", json={"text": "x"}, headers=agent).status_code
        == 404
    )
    assert client.delete("/api/console/canned/999", headers=agent).status_code == 404
    assert client.delete("/api/console/canned/abc", headers=agent).status_code == 404
    # Larger than any INTEGER: PostgreSQL would refuse the lookup itself.
    assert client.delete("/api/console/canned/%d" % 2**40, headers=agent).status_code == 404
    assert canned_rows(app) == before

"""Calling the chats API as an integrator does: HTTP Basic with an apps_api user."""

import base64

from tests.conftest import api_user

BASE = "/apps/api/v1"


def basic(client_id, secret):
    """The Authorization header of HTTP Basic credentials."""
    token = base64.b64encode(("%s:%s" % (client_id, secret)).encode()).decode()
    return {"Authorization": "Basic " + token}


def integrator(app, *roles):
    """Basic headers of a new API user (role apps_api unless others are given)."""
    return basic(*api_user(app, *(roles or ("apps_api",))))


def create_chat(client, headers, **chat):
    """POST /chats; returns the chat object (asserting 200)."""
    body = {"chat": chat, "end_user": chat.pop("end_user", {})}
    response = client.post(BASE + "/chats", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()

"""Small helpers shared by the chat-capture API tests (plain functions, no fixtures)."""

import copy

from sqlalchemy import func, select

from chatwidget.extensions import db
from chatwidget.models import Call, CallKey

EVERY_CAPTURE_ROLE = ("chat_capture", "purge", "async_metadata", "call_share")
START = "2024-03-01T10:00:00Z"
END = "2024-03-01T10:05:00Z"


def chat(session_id="sess-1", **fields):
    """A small valid ChatCall: one customer and one agent message, 5 minutes long."""
    body = {
        "SessionId": session_id,
        "UtcStart": START,
        "UtcEnd": END,
        "Contacts": [
            {
                "Type": "Customer",
                "FirstName": "Jane",
                "Messages": [{"Content": "hello", "UtcTimestamp": "2024-03-01T10:01:00Z"}],
            },
            {
                "Type": "Agent",
                "FirstName": "John",
                "Messages": [{"Content": "hi there", "UtcTimestamp": "2024-03-01T10:02:00Z"}],
            },
        ],
        "Metadata": {"ReferenceId": "r-1"},
    }
    body.update(copy.deepcopy(fields))
    return body


def capture(client, headers, body):
    """POST a chat; returns the callId, asserting the 200."""
    response = client.post("/chatCapture/v1", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["callId"]


def statuses(client, headers, *session_ids):
    """The callSessions answer for these session ids."""
    response = client.post(
        "/callCapture/v1/status", json={"CallSessionIds": list(session_ids)}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["callSessions"]


def status_of(client, headers, session_id):
    """The status word of one session."""
    return statuses(client, headers, session_id)[0]["status"]


def call_count(app):
    """How many calls the database holds."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Call))


def key_count(app):
    """How many customer-purge index rows (e-mails, phones, metadata values) exist."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CallKey))


def stored_call(app, session_id):
    """The stored call of a session as a plain dict of its columns, or None."""
    with app.app_context():
        call = db.session.scalar(select(Call).filter_by(session_id=session_id))
        if call is None:
            return None
        return {
            "call_id": call.call_id,
            "master_call_id": call.master_call_id,
            "utc_start": call.utc_start,
            "utc_end": call.utc_end,
            "contacts": call.contacts,
            "metadata": call.call_metadata,
        }


def page_path(call_url):
    """The path and query of a callUrl, for the test client."""
    return call_url.replace("http://chat.example.test", "", 1)

"""Purging a call (seed 000) deletes the media of its conversation: files and rows."""

import io
import uuid

from sqlalchemy import select

from chatwidget.core import presigned
from chatwidget.extensions import db
from chatwidget.models import Call, Media
from chatwidget.models.types import utcnow
from tests.conftest import bearer_for
from tests.media.helpers import PDF, local, media_rows, png, stored_files, upload
from tests.sockets.helpers import init


def _call_of(app, conversation_id):
    """The call a live conversation becomes: sessionId = conversationId (CONTRACT §2)."""
    with app.app_context():
        call = Call(
            call_id=uuid.uuid4().hex,
            session_id=conversation_id,
            source="live",
            utc_start=utcnow(),
            utc_end=utcnow(),
            contacts=[],
        )
        db.session.add(call)
        db.session.commit()
        return call.call_id


def test_purging_the_call_deletes_its_media_and_only_its_media(app):
    client = app.test_client()
    conversation_id, participant_id = init(app)
    kept_id, kept_participant = init(app)
    image = upload(client, conversation_id, participant_id, png()).get_json()
    upload(client, conversation_id, participant_id, PDF, "a.pdf", "application/pdf")
    kept = upload(client, kept_id, kept_participant, png()).get_json()
    with app.app_context():  # an upload never registered is in the folder too
        form = presigned.presign_upload(conversation_id, "application/pdf")
    fields = dict(form["fields"], file=(io.BytesIO(PDF), "b.pdf"))
    assert client.post(local(form["url"]), data=fields).status_code == 204
    assert len(stored_files(app)) == 6  # 2 images, 2 thumbnails, 2 PDFs
    call_id = _call_of(app, conversation_id)

    headers = bearer_for(app, client, "purge")
    response = client.post("/purge/v1/calls", json={"ids": [call_id]}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["items"][0]["status"] == "Purging"

    assert all(f.startswith("sessions/%s/" % kept_id) for f in stored_files(app))
    assert len(stored_files(app)) == 2
    assert media_rows(app) == 1
    with app.app_context():
        assert db.session.scalar(select(Media.media_id)) == kept["mediaId"]
    assert client.get(local(image["contentUrl"])).status_code == 404
    assert client.get(local(kept["contentUrl"])).status_code == 200


def test_a_purge_by_session_id_too_and_calls_without_media_are_fine(sqlite_app):
    client = sqlite_app.test_client()
    conversation_id, participant_id = init(sqlite_app)
    upload(client, conversation_id, participant_id, png())
    _call_of(sqlite_app, conversation_id)
    _call_of(sqlite_app, "captured session / with odd characters")
    headers = bearer_for(sqlite_app, client, "purge")
    ids = [conversation_id, "captured session / with odd characters"]
    response = client.post("/purge/v1/calls/sessions", json={"ids": ids}, headers=headers)
    assert [i["status"] for i in response.get_json()["items"]] == ["Purging", "Purging"]
    assert stored_files(sqlite_app) == []
    assert media_rows(sqlite_app) == 0

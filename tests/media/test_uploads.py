"""Attachment uploads over REST and the signed links that serve them."""

import io
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from PIL import Image

from chatwidget.core import media
from chatwidget.media import signing
from tests.conftest import make_app
from tests.media.helpers import (
    EXE,
    PDF,
    TEXT,
    agent_upload,
    jpeg,
    local,
    media_rows,
    png,
    stored_files,
    upload,
)
from tests.sockets.helpers import agent_socket, create_agent, end, init, start, state_of


@pytest.fixture
def small_app(tmp_path):
    """An app whose uploads may be 50 KB at most."""
    application = make_app(tmp_path, MAX_UPLOAD_MB=50 / 1024)
    yield application
    from chatwidget.extensions import db

    with application.app_context():
        db.engine.dispose()


def _link_parts(url):
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_an_image_is_stored_and_served_through_a_signed_link(sqlite_app):
    client = sqlite_app.test_client()
    conversation_id, participant_id = init(sqlite_app)
    data = png()
    response = upload(client, conversation_id, participant_id, data, name="../photos/cat.png")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["type"] == "image/png"
    assert body["name"] == "cat.png"
    assert body["size"] == len(data)
    assert body["contentUrl"].startswith("http://chat.example.test/media/sessions/")
    path, query = _link_parts(body["contentUrl"])
    assert set(query) == {"expires", "type", "signature"}
    assert int(query["expires"]) > time.time() + 3000  # MEDIA_URL_TTL_S, 1 hour

    served = client.get(local(body["contentUrl"]))
    assert served.status_code == 200
    assert served.data == data
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in served.headers.get("Content-Disposition", "")

    thumb = client.get(local(body["thumbnailUrl"]))
    assert thumb.status_code == 200
    assert thumb.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(thumb.data))
    assert image.format == "JPEG"
    assert max(image.size) == 320
    assert len(stored_files(sqlite_app)) == 2  # the image and its thumbnail
    assert media_rows(sqlite_app) == 1


@pytest.mark.parametrize(
    "data, name, declared, expected",
    [
        (PDF, "invoice.pdf", "application/pdf", "application/pdf"),
        (TEXT, "notes.txt", "text/plain; charset=utf-8", "text/plain"),
        (jpeg(), "photo.jpg", "image/jpg", "image/jpeg"),
        (PDF, "scan", "application/octet-stream", "application/pdf"),
    ],
)
def test_the_type_comes_from_the_bytes(sqlite_app, data, name, declared, expected):
    client = sqlite_app.test_client()
    conversation_id, participant_id = init(sqlite_app)
    response = upload(client, conversation_id, participant_id, data, name, declared)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["type"] == expected
    assert ("thumbnailUrl" in body) == expected.startswith("image/")
    served = client.get(local(body["contentUrl"]))
    assert served.data == data
    assert served.mimetype == expected


@pytest.mark.parametrize(
    "data, name, declared",
    [
        (EXE, "cute.png", "image/png"),  # a program renamed .png
        (TEXT, "photo.png", "image/png"),  # text declared an image
        (png(), "photo.jpg", "image/jpeg"),  # a PNG declared a JPEG
        (EXE, "setup.exe", "application/octet-stream"),  # recognised, but not allowed
        (b"\x00\x01\x02garbage" * 10, "blob.bin", "application/octet-stream"),
        (b"GIF89a" + b"\x00" * 20, "x.txt", "text/plain"),  # NUL bytes are not text
    ],
)
def test_a_disallowed_or_mismatched_type_is_refused_and_nothing_stored(
    sqlite_app, data, name, declared
):
    client = sqlite_app.test_client()
    conversation_id, participant_id = init(sqlite_app)
    response = upload(client, conversation_id, participant_id, data, name, declared)
    assert response.status_code == 415, response.get_json()
    assert response.get_json()["message"]
    assert stored_files(sqlite_app) == []
    assert media_rows(sqlite_app) == 0


def test_allowed_types_are_configurable(tmp_path):
    app = make_app(tmp_path, ALLOWED_MEDIA_TYPES=["application/pdf"])
    conversation_id, participant_id = init(app)
    client = app.test_client()
    assert upload(client, conversation_id, participant_id, png()).status_code == 415
    pdf = upload(client, conversation_id, participant_id, PDF, "a.pdf", "application/pdf")
    assert pdf.status_code == 201


def test_a_file_over_max_upload_mb_is_413_and_nothing_stored(small_app):
    client = small_app.test_client()
    conversation_id, participant_id = init(small_app)
    just_over = png(100, 100, noisy=True)  # ~30 KB of noise, under the form's overhead
    just_over += b"\x00" * (50 * 1024 + 1 - len(just_over))  # PNG readers ignore the tail
    response = upload(client, conversation_id, participant_id, just_over)
    assert response.status_code == 413
    assert "0.048" in response.get_json()["message"]  # MAX_UPLOAD_MB, not MAX_BODY_MB
    far_over = png(400, 400, noisy=True)  # ~480 KB: refused before the form is read
    response = upload(client, conversation_id, participant_id, far_over)
    assert response.status_code == 413
    assert "message" in response.get_json()
    assert stored_files(small_app) == []
    assert media_rows(small_app) == 0
    assert upload(client, conversation_id, participant_id, png(60, 60)).status_code == 201


def test_uploads_may_exceed_max_body_mb_up_to_max_upload_mb(tmp_path):
    app = make_app(tmp_path, MAX_BODY_MB=0.01, MAX_UPLOAD_MB=1)
    conversation_id, participant_id = init(app)
    data = png(200, 200, noisy=True)  # ~120 KB, over the 10 KB body limit
    response = upload(app.test_client(), conversation_id, participant_id, data)
    assert response.status_code == 201, response.get_json()


def test_bad_forms_are_400(sqlite_app):
    client = sqlite_app.test_client()
    conversation_id, participant_id = init(sqlite_app)
    response = client.post(
        "/api/customer/attachments",
        data={"conversationId": conversation_id, "participantId": participant_id},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "file" in response.get_json()["errors"]
    empty = upload(client, conversation_id, participant_id, b"")
    assert empty.status_code == 400
    as_json = client.post("/api/customer/attachments", json={"conversationId": conversation_id})
    assert as_json.status_code == 400
    assert stored_files(sqlite_app) == []


def test_a_wrong_participant_or_an_ended_conversation_is_refused(sqlite_app):
    client = sqlite_app.test_client()
    conversation_id, participant_id = init(sqlite_app)
    other_conversation, _ = init(sqlite_app)
    assert upload(client, conversation_id, "guess", png()).status_code == 403
    assert upload(client, other_conversation, participant_id, png()).status_code == 403
    conversation_id, participant_id, socket = start(sqlite_app)
    assert end(socket, conversation_id)["status"] == "ok"
    assert upload(client, conversation_id, participant_id, png()).status_code == 409
    assert stored_files(sqlite_app) == []


def test_tampered_or_expired_links_are_refused(sqlite_app):
    client = sqlite_app.test_client()
    conversation_id, participant_id = init(sqlite_app)
    first = upload(client, conversation_id, participant_id, png()).get_json()
    second = upload(client, conversation_id, participant_id, PDF, "a.pdf", "application/pdf")
    second = second.get_json()
    path, query = _link_parts(first["contentUrl"])
    other_path, _ = _link_parts(second["contentUrl"])

    def get(path, **changes):
        response = client.get(path + "?" + urlencode({**query, **changes}))
        return response.status_code, response.get_json() or {}

    assert get(path)[0] == 200
    flipped = query["signature"][:-1] + ("0" if query["signature"][-1] != "0" else "1")
    assert get(path, signature=flipped)[0] == 403
    assert get(path, expires=str(int(query["expires"]) + 3600))[0] == 403
    assert get(path, type="text/html")[0] == 403
    assert get(other_path)[0] == 403  # another key with this link's signature
    assert get(path, signature="")[0] == 403
    assert client.get(path).status_code == 403  # no query at all
    with sqlite_app.app_context():
        store = media.store()
        key = path[len("/media/") :]
        past = str(int(time.time()) - 1)
        expired = signing.sign_link(store.secret, key, past, "image/png")
        status, body = get(path, expires=past, signature=expired)
        assert status == 403
        assert "expired" in body["message"]
        stale = store.signed_get_url(key, -60, "image/png")
    response = client.get(local(stale))
    assert response.status_code == 403
    assert response.is_json and response.data != png()


def test_links_to_missing_or_impossible_keys_are_404(sqlite_app):
    client = sqlite_app.test_client()
    with sqlite_app.app_context():
        store = media.store()
        gone = store.signed_get_url("sessions/x/nothing.png", 60, "image/png")
        query = {"expires": "9999999999", "signature": "0"}
        query["signature"] = signing.sign_link(store.secret, "../secrets.json", "9999999999", "")
    assert client.get(local(gone)).status_code == 404
    response = client.get("/media/../secrets.json?" + urlencode(query))
    assert response.status_code in (403, 404)
    assert b"SECRET" not in response.data


def test_the_assigned_agent_uploads_others_may_not(sqlite_app):
    client = sqlite_app.test_client()
    _, token = create_agent(sqlite_app, name="Ada")
    agent_socket(sqlite_app, token)
    conversation_id, _, _ = start(sqlite_app)
    assert state_of(sqlite_app, conversation_id)[0] == "assigned"
    response = agent_upload(client, token, conversation_id, jpeg(), "shot.jpg", "image/jpeg")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["type"] == "image/jpeg"
    _, stranger = create_agent(sqlite_app, name="Bob")
    assert agent_upload(client, stranger, conversation_id, jpeg()).status_code == 403
    assert agent_upload(client, None, conversation_id, jpeg()).status_code == 401
    assert agent_upload(client, "forged", conversation_id, jpeg()).status_code == 401
    assert agent_upload(client, token, "no-such-conversation", jpeg()).status_code == 404
    assert media_rows(sqlite_app) == 1

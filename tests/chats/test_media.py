"""A chat's photos and videos (seed 001 "Aggiungere la foto caricata alla chat", "Recuperare
tutte le foto", "URL di caricamento … pre-firmato", and the same for videos; CONTRACT §3).

The POST-policy store itself (each refusal, the policy's conditions) is tested in
tests/media/test_presigned.py; here: the chats API's six calls over it."""

import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from chatwidget.core import chats, conversations, handling
from chatwidget.extensions import db
from tests.chats.helpers import BASE, create_chat, integrator
from tests.media.helpers import (
    TEXT,
    jpeg,
    local,
    media_rows,
    png,
    post_form,
    stored_files,
    upload,
)
from tests.sockets.helpers import init, messages_of, online_agent

# An MP4's header: filetype knows it by its ftyp box.
MP4 = b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2mp41\x00\x00\x00\x08free" + bytes(600)
FORM_FIELDS = {
    "key",
    "Content-Type",
    "success_action_status",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "policy",
    "x-amz-signature",
}


def url(chat_id, path):
    return "%s/chats/%d/%s" % (BASE, chat_id, path)


def upload_form(client, headers, chat_id, kind="photos", **body):
    """POST …/<kind>/upload with no body (the seed's request), or body as JSON."""
    extra = {"json": body} if body else {}
    response = client.post(url(chat_id, kind + "/upload"), headers=headers, **extra)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def uploaded(client, headers, chat_id, data, kind="photos"):
    """A file uploaded with a new form of the chat: its key (s3_path)."""
    form = upload_form(client, headers, chat_id, kind)
    response = post_form(client, form, data)
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"key": form["fields"]["key"]}
    return form["fields"]["key"]


@pytest.fixture
def chat(app, client):
    """(headers, chat id) of a new chat of the chats API."""
    headers = integrator(app)
    return headers, create_chat(client, headers)["id"]


@pytest.mark.parametrize("kind, family", [("photos", "image/"), ("videos", "video/")])
@pytest.mark.parametrize("body", [None, {}])
def test_the_upload_url_is_an_s3_post_form_of_the_chat(app, client, chat, kind, family, body):
    headers, chat_id = chat
    if body is None:
        response = client.post(url(chat_id, kind + "/upload"), headers=headers)
    else:
        response = client.post(url(chat_id, kind + "/upload"), headers=headers, json=body)
    assert response.status_code == 200, response.get_json()
    form = response.get_json()
    assert set(form) == {"url", "fields"}
    assert form["url"] == "http://chat.example.test/media/upload"
    fields = form["fields"]
    assert set(fields) == FORM_FIELDS
    assert all(isinstance(v, str) for v in fields.values())
    assert fields["key"].startswith("sessions/%d/" % chat_id)  # the chat's call's sessionId
    assert fields["Content-Type"] == family
    assert fields["success_action_status"] == "201"


def test_round_trip_upload_add_list_download(app, client, chat):
    headers, chat_id = chat
    first, second = png(), jpeg()
    keys = [uploaded(client, headers, chat_id, data) for data in (first, second)]
    body = {"photo": [{"s3_path": k, "photo_type": "damage"} for k in keys]}
    response = client.post(url(chat_id, "photos"), json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    added = response.get_json()
    assert set(added) == {"url", "media_id"} and isinstance(added["media_id"], int)
    listed = client.get(url(chat_id, "photos"), headers=headers).get_json()
    assert [set(p) for p in listed] == [{"url", "media_id"}] * 2
    assert listed[1] == {"url": listed[1]["url"], "media_id": added["media_id"]}  # the last
    assert listed[0]["media_id"] < listed[1]["media_id"]
    for photo, data in zip(listed, (first, second), strict=True):
        query = parse_qs(urlsplit(photo["url"]).query)
        assert set(query) == {"expires", "type", "signature"}  # signed, and it expires
        assert client.get(local(photo["url"])).data == data
    assert client.get(url(chat_id, "videos"), headers=headers).get_json() == []
    again = client.post(url(chat_id, "photos"), json=body, headers=headers)
    assert again.get_json()["media_id"] == added["media_id"]  # adding twice adds nothing
    assert media_rows(app) == 2


@pytest.mark.parametrize("shape", ["video s3_path", "video gcs_path", "seed example photo list"])
def test_a_video_is_added_in_each_shape_the_seed_shows(app, client, chat, shape):
    headers, chat_id = chat
    key = uploaded(client, headers, chat_id, MP4, "videos")
    body = {
        "video s3_path": {"video": {"s3_path": key}},
        "video gcs_path": {"video": {"gcs_path": key}},
        "seed example photo list": {"photo": [{"s3_path": key, "photo_type": "string"}]},
    }[shape]
    response = client.post(url(chat_id, "videos"), json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    added = response.get_json()
    assert set(added) == {"url", "media_id"}
    listed = client.get(url(chat_id, "videos"), headers=headers).get_json()
    assert listed == [{"url": listed[0]["url"], "media_id": added["media_id"]}]
    assert client.get(local(listed[0]["url"])).data == MP4
    assert client.get(url(chat_id, "photos"), headers=headers).get_json() == []


def test_changing_any_field_of_the_form_is_refused_and_nothing_stored(app, client, chat):
    headers, chat_id = chat
    form = upload_form(client, headers, chat_id)
    other = upload_form(client, headers, chat_id)["fields"]
    changes = {name: other[name] for name in ("key", "policy", "x-amz-signature")}
    changes.update(
        {
            "Content-Type": "text/plain",
            "success_action_status": "200",
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "x-amz-credential": "AKIAEXAMPLE/20990101/us-east-1/s3/aws4_request",
            "x-amz-date": "20990101T000000Z",
        }
    )
    assert set(changes) == FORM_FIELDS
    for name, value in changes.items():
        response = post_form(client, form, png(), **{name: value})
        assert response.status_code == 403, (name, response.get_json())
        dropped = post_form(client, form, png(), **{name: None})
        assert dropped.status_code in (400, 403), (name, dropped.get_json())
    assert stored_files(app) == []
    assert post_form(client, form, png()).status_code == 201  # the form itself was good


@pytest.mark.parametrize(
    "case, status",
    [("expired", 403), ("too large", 413), ("text as photo", 415), ("video as photo", 415)],
)
def test_a_refused_upload_stores_nothing(app, client, chat, case, status):
    headers, chat_id = chat
    data = {"text as photo": TEXT, "video as photo": MP4}.get(case, png())
    if case == "expired":
        app.config["UPLOAD_POLICY_TTL_S"] = -1  # forms expire the moment they are made
    if case == "too large":
        app.config["MAX_UPLOAD_MB"] = 50 / 1024
        data = png(200, 200, noisy=True)
    response = post_form(client, upload_form(client, headers, chat_id), data)
    assert response.status_code == status, response.get_json()
    if case == "expired":
        assert response.get_json()["message"] == "the upload policy has expired"
    assert stored_files(app) == []


def test_adding_what_is_not_an_upload_of_the_chat_as_that_kind_is_refused(app, client, chat):
    headers, chat_id = chat
    other_chat = create_chat(client, headers)["id"]
    photo = uploaded(client, headers, chat_id, png())
    video = uploaded(client, headers, chat_id, MP4, "videos")
    elsewhere = uploaded(client, headers, other_chat, png())

    def add(kind, body):
        response = client.post(url(chat_id, kind), json=body, headers=headers)
        return response.status_code, response.get_json()

    status, error = add("photos", {"photo": [{"s3_path": elsewhere}]})
    assert status == 400 and list(error["errors"]) == ["s3_path"]
    status, error = add("photos", {"photo": [{"s3_path": video}]})
    assert status == 400 and list(error["errors"]) == ["s3_path"]
    status, error = add("videos", {"video": {"s3_path": photo}})
    assert status == 400 and list(error["errors"]) == ["s3_path"]
    never = "sessions/%d/never-uploaded" % chat_id
    status, _ = add("photos", {"photo": [{"s3_path": photo}, {"s3_path": never}]})
    assert status == 404  # all or none: the good photo before it was not added either
    for body, field in [({}, "photo"), ({"photo": []}, "photo"), ({"photo": [{}]}, "photo")]:
        status, error = add("photos", body)
        assert status == 400 and field in error["errors"], (body, error)
    status, error = add("videos", {})
    assert status == 400 and "video" in error["errors"]
    assert client.get(url(chat_id, "photos"), headers=headers).get_json() == []
    assert client.get(url(chat_id, "videos"), headers=headers).get_json() == []
    assert media_rows(app) == 0
    assert len(stored_files(app)) == 3  # the uploads; no thumbnail left behind


def test_an_ended_chat_takes_no_media_and_an_unknown_chat_is_404(app, client, chat):
    headers, chat_id = chat
    key = uploaded(client, headers, chat_id, png())
    with app.app_context():
        handling.do_end(chats.get_chat(chat_id), "api")
    for path, body in [
        ("photos/upload", None),
        ("videos/upload", None),
        ("photos", {"photo": [{"s3_path": key}]}),
        ("videos", {"video": {"s3_path": key}}),
    ]:
        response = client.post(url(chat_id, path), json=body, headers=headers)
        assert response.status_code == 400, path
        assert response.get_json()["message"] == "Chat is already ended"
        missing = client.post(url(chat_id + 1000, path), json=body, headers=headers)
        assert missing.status_code == 404, path
    assert client.get(url(chat_id, "photos"), headers=headers).get_json() == []
    assert client.get(url(chat_id + 1000, "photos"), headers=headers).status_code == 404
    assert client.get(url(chat_id + 1000, "videos"), headers=headers).status_code == 404
    assert media_rows(app) == 0


def test_a_listed_link_expires(app, client, chat):
    headers, chat_id = chat
    key = uploaded(client, headers, chat_id, png())
    client.post(url(chat_id, "photos"), json={"photo": [{"s3_path": key}]}, headers=headers)
    app.config["MEDIA_URL_TTL_S"] = -1  # links signed from now on have expired already
    (photo,) = client.get(url(chat_id, "photos"), headers=headers).get_json()
    response = client.get(local(photo["url"]))
    assert response.status_code == 403
    assert "expired" in response.get_json()["message"]


def test_images_the_customer_attached_are_photos_of_the_chat(app, client):
    conversation_id, participant_id = init(app)
    attached = upload(client, conversation_id, participant_id, png())
    assert attached.status_code == 201, attached.get_json()
    with app.app_context():
        chat_id = conversations.get(conversation_id).id
    headers = integrator(app)
    (photo,) = client.get(url(chat_id, "photos"), headers=headers).get_json()
    assert client.get(local(photo["url"])).data == png()
    assert client.get(url(chat_id, "videos"), headers=headers).get_json() == []


def test_added_photos_reach_the_agent_once_as_the_customers_attachments(app, client):
    headers = integrator(app)
    _, agent = online_agent(app, name="Pia", skills=("general",))
    chat_id = create_chat(client, headers)["id"]
    agent.get_received("/agent")
    keys = [uploaded(client, headers, chat_id, data) for data in (png(), jpeg())]
    body = {"photo": [{"s3_path": k} for k in keys]}
    assert client.post(url(chat_id, "photos"), json=body, headers=headers).status_code == 200
    assert client.post(url(chat_id, "photos"), json=body, headers=headers).status_code == 200
    arrived = [m for m in messages_of(agent, "/agent") if m["type"] == "ChatMessage"]
    assert len(arrived) == 1 and arrived[0]["from"]["role"] == "customer"
    assert [a["type"] for a in arrived[0]["attachments"]] == ["image/png", "image/jpeg"]
    listed = client.get(url(chat_id, "messages"), headers=headers).get_json()
    photos = client.get(url(chat_id, "photos"), headers=headers).get_json()
    assert [(m["type"], m["content"]) for m in listed] == [("photo", photos[0]["media_id"])]
    agent.disconnect(namespace="/agent")


def test_the_same_file_added_by_two_requests_at_once_is_added_once(app, client, chat):
    headers, chat_id = chat
    key = uploaded(client, headers, chat_id, png())
    body = {"photo": [{"s3_path": key}]}
    first = {}

    def the_other_request_first(conn, cursor, statement, parameters, context, executemany):
        # Just before this request inserts the media row, another one adds the same key
        # and commits: the race the unique key settles.
        if statement.startswith("INSERT INTO media") and not first:
            first["answer"] = None
            other = threading.Thread(target=lambda: first.update(answer=add()))
            other.start()
            other.join()

    def add():
        return app.test_client().post(url(chat_id, "photos"), json=body, headers=headers)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", the_other_request_first)
    try:
        response = add()
    finally:
        event.remove(engine, "before_cursor_execute", the_other_request_first)
    assert first["answer"].status_code == 200
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["media_id"] == first["answer"].get_json()["media_id"]
    assert media_rows(app) == 1

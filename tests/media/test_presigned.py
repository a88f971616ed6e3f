"""Pre-signed uploads: the S3 POST-policy form and the local store that takes it."""

import base64
import json
import time

import pytest

from chatwidget.core import media, presigned
from chatwidget.core.errors import InvalidInput, NotFound
from chatwidget.extensions import db
from chatwidget.media import signing
from tests.media.helpers import PDF, TEXT, jpeg, local, media_rows, png, post_form, stored_files

SESSION = "4711"  # a chat id, as the chats API's sessionId


def presign(app, content_type="image/png", max_size=None, session=SESSION):
    with app.app_context():
        return presigned.presign_upload(session, content_type, max_size)


def post(app, form, data, name="photo.png", **changes):
    return post_form(app.test_client(), form, data, name, **changes)


def policy_of(form):
    return json.loads(base64.b64decode(form["fields"]["policy"]))


def test_the_form_is_an_s3_post_policy(sqlite_app):
    form = presign(sqlite_app)
    fields = form["fields"]
    assert fields["key"].startswith("sessions/4711/")
    assert fields["Content-Type"] == "image/png"
    assert fields["x-amz-algorithm"] == "HMAC-SHA256"
    assert len(fields["x-amz-signature"]) == 64
    policy = policy_of(form)
    assert policy["expiration"].endswith(".000Z")
    assert {"key": fields["key"]} in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert ["content-length-range", 1, 10 * 1024 * 1024] in policy["conditions"]


def test_round_trip_then_registered_as_media_with_a_thumbnail(sqlite_app):
    form = presign(sqlite_app)
    data = png()
    response = post(sqlite_app, form, data)
    assert response.status_code == 204, response.get_json()
    assert response.data == b""
    key = form["fields"]["key"]
    assert stored_files(sqlite_app) == [key]
    assert media_rows(sqlite_app) == 0  # the chats API registers it (s3_path)
    with sqlite_app.app_context():
        row = presigned.register_upload(key, SESSION, name="photo.png")
        db.session.commit()
        again = presigned.register_upload(key, SESSION)
        assert again.id == row.id
        attachment = media.attachment(row)
        with pytest.raises(InvalidInput):
            presigned.register_upload(key, "another-chat")
        with pytest.raises(NotFound):
            presigned.register_upload("sessions/4711/never-uploaded", SESSION)
    assert attachment["type"] == "image/png"
    client = sqlite_app.test_client()
    assert client.get(local(attachment["contentUrl"])).data == data
    assert client.get(local(attachment["thumbnailUrl"])).mimetype == "image/jpeg"


def test_success_action_status_201_answers_the_key(sqlite_app):
    form = presign(sqlite_app, "image/")
    response = post(
        sqlite_app, form, jpeg(), success_action_status="201", **{"Content-Type": "image/jpeg"}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"key": form["fields"]["key"]}


STORED = ["sessions/4711/as_given.png", "sessions/4711/my_holiday.jpg"]


def test_a_prefix_policy_takes_the_file_name_and_any_type_under_it(sqlite_app):
    with sqlite_app.app_context():
        form = media.store().presign_post("sessions/4711/", "image/", 100_000, 60)
    assert form["fields"]["key"] == "sessions/4711/${filename}"
    assert form["fields"]["Content-Type"] == "image/"  # as given: any image; or narrowed
    response = post(sqlite_app, form, jpeg(), "my holiday.jpg", **{"Content-Type": "image/jpeg"})
    assert response.status_code == 204, response.get_json()
    as_given = post(sqlite_app, form, png(), "as given.png")
    assert as_given.status_code == 204, as_given.get_json()
    assert stored_files(sqlite_app) == STORED
    outside = post(
        sqlite_app, form, jpeg(), key="sessions/other/x.jpg", **{"Content-Type": "image/jpeg"}
    )
    assert outside.status_code == 403
    not_image = post(sqlite_app, form, PDF, "a.pdf", **{"Content-Type": "application/pdf"})
    assert not_image.status_code == 403
    climb = {"key": "sessions/4711/../../../secrets.json", "Content-Type": "image/jpeg"}
    climbing = post(sqlite_app, form, jpeg(), **climb)
    assert climbing.status_code == 403
    assert climbing.get_json()["message"] == "invalid key"
    mislabelled = post(sqlite_app, form, png(), "b.png", **{"Content-Type": "image/jpeg"})
    assert mislabelled.status_code == 415
    assert stored_files(sqlite_app) == STORED


def _expired_form(app):
    """A form whose policy expired a second ago, correctly signed."""
    form = presign(app)
    with app.app_context():
        secret = media.store().secret
    document = policy_of(form)
    policy = signing.encode_policy(time.time() - 1, document["conditions"])
    fields = dict(form["fields"], policy=policy)
    fields["x-amz-signature"] = signing.sign_policy(secret, policy)
    return {"url": form["url"], "fields": fields}


@pytest.mark.parametrize(
    "case, status",
    [
        ("signature", 403),
        ("no signature", 400),
        ("policy edited", 403),
        ("expired", 403),
        ("other key", 403),
        ("traversal key", 403),
        ("other content type", 403),
        ("no content type", 403),
        ("too large", 413),
        ("text as png", 415),
        ("png declared jpeg", 403),
    ],
)
def test_a_refused_upload_stores_nothing(sqlite_app, case, status):
    form = presign(sqlite_app, max_size=50_000)
    data = png()
    changes = {}
    if case == "signature":
        changes["x-amz-signature"] = "0" * 64
    elif case == "no signature":
        changes["x-amz-signature"] = None
    elif case == "policy edited":
        document = policy_of(form)
        document["conditions"][1] = ["content-length-range", 1, 10**9]
        changes["policy"] = base64.b64encode(json.dumps(document).encode()).decode()
    elif case == "expired":
        form = _expired_form(sqlite_app)
    elif case == "other key":
        changes["key"] = "sessions/4711/chosen-by-client"
    elif case == "traversal key":
        changes["key"] = "../../secrets.json"
    elif case == "other content type":
        changes["Content-Type"] = "text/html"
    elif case == "no content type":
        changes["Content-Type"] = None
    elif case == "too large":
        data = png(200, 200, noisy=True)
    elif case == "text as png":
        data = TEXT
    elif case == "png declared jpeg":
        changes["Content-Type"] = "image/jpeg"
    response = post(sqlite_app, form, data, **changes)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["message"]
    assert stored_files(sqlite_app) == []


def test_the_upload_limit_caps_every_policy(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, MAX_UPLOAD_MB=50 / 1024)
    form = presign(app, max_size=10**9)
    assert ["content-length-range", 1, 50 * 1024] in policy_of(form)["conditions"]
    response = post(app, form, png(200, 200, noisy=True))
    assert response.status_code == 413
    assert stored_files(app) == []

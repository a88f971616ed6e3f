"""Helpers for the media tests: sample files, uploads, and what the store holds."""

import io
import os
from urllib.parse import urlsplit

from PIL import Image
from sqlalchemy import func, select

from chatwidget.extensions import db
from chatwidget.models import Media

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
TEXT = "Order 4711: the parcel never arrived. Grüße\n".encode()


def png(width=640, height=480, noisy=False):
    """PNG bytes; noisy ones do not compress, so their size follows width × height."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    if noisy:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg(width=64, height=48):
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def upload(client, conversation_id, participant_id, data, name="photo.png", declared="image/png"):
    """POST /api/customer/attachments; returns the response."""
    form = {
        "conversationId": conversation_id,
        "participantId": participant_id,
        "file": (io.BytesIO(data), name, declared),
    }
    return client.post("/api/customer/attachments", data=form, content_type="multipart/form-data")


def agent_upload(client, token, conversation_id, data, name="photo.png", declared="image/png"):
    """POST /api/agent/attachments with an agent token; returns the response."""
    form = {"conversationId": conversation_id, "file": (io.BytesIO(data), name, declared)}
    headers = {"Authorization": "Bearer " + token} if token else {}
    return client.post(
        "/api/agent/attachments", data=form, headers=headers, content_type="multipart/form-data"
    )


def post_form(client, form, data, name="photo.png", **changes):
    """POST a pre-signed form's fields (with changes; None drops one) and the file, as an
    S3 client does; returns the response."""
    fields = {k: v for k, v in {**form["fields"], **changes}.items() if v is not None}
    fields["file"] = (io.BytesIO(data), name, "application/octet-stream")
    assert form["url"] == "http://chat.example.test/media/upload"
    return client.post(local(form["url"]), data=fields)


def local(url):
    """A PUBLIC_URL link as the test client's path and query."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def media_dir(app):
    return os.path.join(app.instance_path, app.config["MEDIA_DIR"])


def stored_files(app):
    """Every file in MEDIA_DIR (half-written uploads included), relative paths."""
    root = media_dir(app)
    found = []
    for folder, _dirs, files in os.walk(root):
        found += [os.path.relpath(os.path.join(folder, f), root) for f in files]
    return sorted(found)


def media_rows(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Media))

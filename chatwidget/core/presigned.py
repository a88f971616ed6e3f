"""Pre-signed uploads (CONTRACT §3): the chats API hands out an S3 POST-policy form, the
local store takes the multipart POST, and the key then given as s3_path becomes media."""

import os
import re
import uuid
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from chatwidget.core.errors import Forbidden, InvalidInput, NotFound
from chatwidget.core.media import check_content, max_bytes, size_of, store, store_thumbnail
from chatwidget.extensions import db
from chatwidget.media.store import InvalidKey, PresignedPost
from chatwidget.models import Media

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def presign_upload(
    session_id: str,
    content_type: str = "",
    max_size: int | None = None,
    success_action_status: str | None = None,
) -> PresignedPost:
    """An S3 POST-policy form ({"url", "fields"}) for one upload into a session's media.

    content_type: exact, a prefix ending in "/" ("image/"), or "" for any allowed type.
    The form's key is what the chats API is then given as s3_path (register_upload).
    success_action_status "201": the upload answers {"key"} instead of S3's empty 204.
    """
    key = "sessions/%s/%s" % (session_id, uuid.uuid4().hex)
    limit = min(max_size or max_bytes(), max_bytes())
    ttl = current_app.config["UPLOAD_POLICY_TTL_S"]
    return store().presign_post(key, content_type, limit, ttl, success_action_status)


def store_policy_upload(fields: Mapping[str, Any], file: object) -> tuple[str, int]:
    """Store a file posted with a presign_upload form; returns (key, HTTP status).

    The signature, expiry, key, size range and declared Content-Type are checked
    against the policy, then the bytes against the declared type and the allowed ones.
    """
    fields = {str(k).lower(): v for k, v in fields.items() if k != "file"}
    if not isinstance(file, FileStorage):
        raise InvalidInput("the form has no file", errors={"file": ["missing"]})
    if "${filename}" in str(fields.get("key")):
        name = _UNSAFE.sub("_", os.path.basename(file.filename or "")).lstrip("._-")
        fields["key"] = fields["key"].replace("${filename}", name[:100] or "upload")
    st = store()
    try:
        key = st.check_post(fields, size_of(file.stream))
    except InvalidKey:
        raise Forbidden("invalid key") from None
    content_type, _ = check_content(file.stream, fields.get("content-type") or "")
    st.put(key, file.stream, content_type)
    status = str(fields.get("success_action_status"))
    return key, int(status) if status in ("200", "201") else 204


def register_upload(
    key: object,
    session_id: str,
    uploaded_by: str = "api",
    name: str | None = None,
    conversation_pk: int | None = None,
) -> Media:
    """The Media row of an object uploaded with presign_upload for this session.

    For the chats API's photos/videos (s3_path): the key must be under the session's
    folder; the stored bytes are checked again and images get a thumbnail.
    """
    if not (isinstance(key, str) and key.startswith("sessions/%s/" % session_id)):
        raise InvalidInput("not an upload of this chat", errors={"s3_path": [str(key)[:200]]})
    existing = db.session.scalar(select(Media).filter_by(key=key))
    if existing is not None:
        return existing
    st = store()
    try:
        stream = st.open(key)
    except (FileNotFoundError, InvalidKey):
        raise NotFound("nothing was uploaded at %s" % key[:200]) from None
    with stream:
        content_type, size = check_content(stream, "")
        thumbnail_key = store_thumbnail(st, key, stream, content_type)
    row = Media(
        media_id=str(uuid.uuid4()),
        key=key,
        thumbnail_key=thumbnail_key,
        session_id=session_id,
        conversation_pk=conversation_pk,
        name=name or key.rsplit("/", 1)[-1],
        content_type=content_type,
        size=size,
        uploaded_by=uploaded_by,
    )
    db.session.add(row)
    db.session.flush()
    return row

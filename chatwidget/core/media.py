"""Media verbs: check and store uploads, sign links, POST-policy uploads, purge (§3, §4).

Files live in the media store under sessions/<sessionId>/…, where sessionId is the one
the conversation's call gets (CONTRACT §2), so a purge of the call removes the folder.
"""

import os
import uuid
from typing import IO, Any

from flask import current_app
from sqlalchemy import delete, select

from chatwidget.core.errors import (
    InvalidInput,
    NotFound,
    TooLarge,
    UnsupportedMediaType,
)
from chatwidget.core.events import publish, subscribe
from chatwidget.core.purge import on_purge
from chatwidget.extensions import db
from chatwidget.media import sniff
from chatwidget.media.store import InvalidKey, LocalMediaStore, MediaStore, check_key
from chatwidget.models import Call, Media

THUMBNAIL_PX = 320
_STORE = "chatwidget.media_store"


def store() -> LocalMediaStore:
    """The app's media store: local files under MEDIA_DIR (relative to instance/)."""
    extensions = current_app.extensions
    st = extensions.get(_STORE)
    if not isinstance(st, LocalMediaStore):
        cfg = current_app.config
        root = os.path.join(current_app.instance_path, cfg["MEDIA_DIR"])
        st = extensions[_STORE] = LocalMediaStore(root, cfg["SECRET_KEY"], cfg["PUBLIC_URL"])
    return st


def max_bytes() -> int:
    """MAX_UPLOAD_MB in bytes."""
    return int(current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)


def size_of(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check_content(stream: IO[bytes], declared: object) -> tuple[str, int]:
    """(content type, size) of an upload, judged from its bytes; nothing is stored.

    TooLarge over MAX_UPLOAD_MB; UnsupportedMediaType when the bytes are not of an
    allowed type, or not of the declared one (application/octet-stream declares none;
    a family such as "image/", as a pre-signed form's Content-Type, any type in it).
    """
    size = size_of(stream)
    if size > max_bytes():
        limit = current_app.config["MAX_UPLOAD_MB"]
        raise TooLarge("the file is larger than the limit of %s MB" % limit)
    if size == 0:
        raise InvalidInput("the file is empty", errors={"file": ["empty"]})
    named = sniff.normalise(declared)
    found = sniff.detect(stream, named)
    family = named.endswith("/") and (found or "").startswith(named)
    expected = found if named in ("", "application/octet-stream") or family else named
    if found is None or found != expected:
        what = expected or "a type we recognise"
        raise UnsupportedMediaType("the file's content is not %s" % what, errors={"file": [what]})
    allowed = {sniff.normalise(t) for t in current_app.config["ALLOWED_MEDIA_TYPES"]}
    if found not in allowed:
        raise UnsupportedMediaType(
            "%s files are not accepted" % found, errors={"file": ["allowed: " + ", ".join(allowed)]}
        )
    return found, size


def clean_name(name: object, content_type: str) -> str:
    """A display name from a client's file name: no path, no control characters."""
    base = os.path.basename(str(name or "").replace("\\", "/"))
    clean = "".join(c for c in base if c.isprintable()).strip()[:255]
    return clean or "attachment.%s" % sniff.extension(content_type)


def store_thumbnail(st: MediaStore, base: str, stream: IO[bytes], content_type: str) -> str | None:
    """Store a JPEG thumbnail of an image next to it; returns its key (None if not one)."""
    if not content_type.startswith("image/"):
        return None
    data = sniff.thumbnail(stream, THUMBNAIL_PX)
    if data is None:
        return None
    key = base + "-thumb.jpg"
    st.put(key, data, "image/jpeg")
    return key


def save(
    session_id: str,
    stream: IO[bytes],
    content_type: str,
    size: int,
    name: str,
    uploaded_by: str,
    conversation_pk: int | None = None,
) -> Media:
    """Store a checked upload (and a thumbnail) and add its row; the caller commits."""
    media_id = str(uuid.uuid4())
    base = "sessions/%s/%s" % (session_id, media_id)
    key = "%s.%s" % (base, sniff.extension(content_type))
    st = store()
    st.put(key, stream, content_type)
    row = Media(
        media_id=media_id,
        key=key,
        thumbnail_key=store_thumbnail(st, base, stream, content_type),
        session_id=session_id,
        conversation_pk=conversation_pk,
        name=name,
        content_type=content_type,
        size=size,
        uploaded_by=uploaded_by,
    )
    db.session.add(row)
    return row


def do_commit_or_discard(row: Media) -> None:
    """Commit a new row; if that fails, its files go too (no file without a row)."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        st = store()
        for key in (row.key, row.thumbnail_key):
            if key:
                st.delete(key)
        raise


def stored(row: Media) -> dict[str, Any]:
    """How a message keeps an attachment: the media id, and what signing a link needs."""
    item: dict[str, Any] = {
        "mediaId": row.media_id,
        "type": row.content_type,
        "name": row.name,
        "size": row.size,
        "key": row.key,
    }
    if row.thumbnail_key:
        item["thumbnailKey"] = row.thumbnail_key
    return item


def signed_url(key: str, content_type: str) -> str:
    """A link serving a stored file as content_type until MEDIA_URL_TTL_S pass."""
    return store().signed_get_url(key, current_app.config["MEDIA_URL_TTL_S"], content_type)


def wire(item: dict[str, Any]) -> dict[str, Any]:
    """An attachment as clients see it (seed 002's Attachment), its links signed now."""
    if "key" not in item:  # an external link a client sent, kept as sent
        return item
    out = {k: item[k] for k in ("mediaId", "type", "name", "size")}
    out["contentUrl"] = signed_url(item["key"], item["type"])
    if item.get("thumbnailKey"):
        out["thumbnailUrl"] = signed_url(item["thumbnailKey"], "image/jpeg")
    return out


def wire_attachments(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A stored message's attachments as messageArrived carries them."""
    return [wire(item) for item in items]


def attachment(row: Media) -> dict[str, Any]:
    """The attachment object of a Media row."""
    return wire(stored(row))


def check_attachment(conversation_pk: int, media_id: object) -> dict[str, Any]:
    """The stored form of media uploaded to this conversation; InvalidInput otherwise."""
    row = db.session.scalar(
        select(Media).filter_by(media_id=str(media_id)[:64], conversation_pk=conversation_pk)
    )
    if row is None:
        raise InvalidInput(
            "no media %s in this conversation" % str(media_id)[:64],
            errors={"attachments": [str(media_id)[:64]]},
        )
    return stored(row)


def check_download(key: str, expires: object, signature: object, content_type: str | None) -> str:
    """The file a signed link names; Forbidden when tampered or expired, NotFound if gone."""
    try:
        path = store().check_signed_get(key, expires, signature, content_type or "")
    except InvalidKey:
        raise NotFound("no such media") from None
    if not os.path.isfile(path):
        raise NotFound("no such media")
    return path


def _folder(session_id: str) -> str | None:
    try:
        return check_key("sessions/%s" % session_id) + "/"
    except InvalidKey:  # a captured call's free-form sessionId: it has no media folder
        return None


@on_purge
def purge_media(call_pks: list[int]) -> None:
    """Purged calls lose their media: rows in the purge's transaction, files after it."""
    sessions = list(db.session.scalars(select(Call.session_id).where(Call.id.in_(call_pks))))
    rows = db.session.execute(
        select(Media.key, Media.thumbnail_key).where(Media.session_id.in_(sessions))
    ).all()
    db.session.execute(delete(Media).where(Media.session_id.in_(sessions)))
    keys = [key for row in rows for key in row if key]
    folders = [f for f in map(_folder, sessions) if f]
    if keys or folders:
        publish(db.session, "media.deleted", {"keys": keys, "folders": folders})


@subscribe
def _delete_files(name: str, payload: Any) -> None:
    """After a purge commits: its files go (a rolled-back purge keeps them)."""
    if name != "media.deleted":
        return
    st = store()
    for key in payload["keys"]:
        st.delete(key)
    for folder in payload["folders"]:
        st.delete_prefix(folder)

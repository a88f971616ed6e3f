"""A chat's photos and videos (chats API, CONTRACT §3): pre-signed upload forms, media
added by the key they were uploaded at (s3_path), and signed links to them.

A chat's files live in its call's session folder (sessionId = the conversation's
conversation_id; for a chat opened by the API its id as a string), so the call's purge
removes them with its attachments. A photo is any image of the chat, a video any video:
the ones added here and the customer's or agents' attachments of that type alike.
"""

from typing import TypedDict

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from chatwidget.core import media, presigned, sending
from chatwidget.core.chats import check_live
from chatwidget.core.errors import InvalidInput
from chatwidget.extensions import db
from chatwidget.media.store import PresignedPost
from chatwidget.models import Conversation, Media

# The content types of each kind: a form for one accepts only files of that family.
FAMILIES = {"photo": "image/", "video": "video/"}
# The upload answers 201 {"key"}: the integrator sees the s3_path to give back.
UPLOADED_STATUS = "201"


class MediaItem(TypedDict):
    """One file to add: the key of its upload, and for photos the integrator's type."""

    s3_path: str
    photo_type: str | None


class MediaLink(TypedDict):
    """A chat's photo or video as the API lists it: a signed, expiring link and its id."""

    url: str
    media_id: int


def presign(conversation: Conversation, kind: str) -> PresignedPost:
    """An upload form for one photo or video of a live chat; it expires after
    UPLOAD_POLICY_TTL_S. InvalidInput once the chat has ended."""
    check_live(conversation)
    family = FAMILIES[kind]
    return presigned.presign_upload(
        conversation.conversation_id, family, success_action_status=UPLOADED_STATUS
    )


def do_add(conversation: Conversation, kind: str, items: list[MediaItem]) -> MediaLink:
    """Add uploaded files to a live chat as its photos or videos, all or none; returns
    the last one's link. NotFound for a key nothing was uploaded at, InvalidInput for a key of
    another chat or a file not of the kind (naming s3_path), or an ended chat. Files not
    added before are then posted in the chat from its end user (the agent sees them)."""
    check_live(conversation)
    keys = [item["s3_path"] for item in items]
    known = set(db.session.scalars(select(Media.key).where(Media.key.in_(keys))))
    try:
        rows = _register_all(conversation, kind, items)
    except IntegrityError:
        # Another request added one of these keys meanwhile: now it is there, and adding
        # it again answers as for any key added before.
        known = set(db.session.scalars(select(Media.key).where(Media.key.in_(keys))))
        rows = _register_all(conversation, kind, items)
    _show(conversation, [row for row in rows if row.key not in known])
    return link(rows[-1])


def _register_all(conversation: Conversation, kind: str, items: list[MediaItem]) -> list[Media]:
    """Register every item and commit, or nothing (their thumbnails deleted too)."""
    rows: list[Media] = []
    try:
        for item in items:
            rows.append(_register(conversation, kind, item))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _discard_thumbnails(rows)
        raise
    return rows


def _show(conversation: Conversation, added: list[Media]) -> None:
    """The files just added, posted in the chat from its end user as one attachment
    message, so the agent sees them in the console as the widget's uploads are seen."""
    if added:
        attachments = [{"mediaId": row.media_id} for row in added]
        data = {"type": "ChatMessage", "text": "", "attachments": attachments}
        sending.do_send_message(sending.AsEndUser(conversation.id), data)


def _register(conversation: Conversation, kind: str, item: MediaItem) -> Media:
    key = item["s3_path"]
    row = presigned.register_upload(
        key, conversation.conversation_id, "api", conversation_pk=conversation.id
    )
    if not row.content_type.startswith(FAMILIES[kind]):
        raise InvalidInput(
            "%s is not a %s but %s" % (key[:200], kind, row.content_type),
            errors={"s3_path": ["Not a %s: %s" % (kind, row.content_type)]},
        )
    row.kind = kind
    row.photo_type = item.get("photo_type") if kind == "photo" else None
    return row


def _discard_thumbnails(rows: list[Media]) -> None:
    """Thumbnails made for rows that were rolled back go too (no file without a row)."""
    keys = [row.thumbnail_key for row in rows if row.thumbnail_key]
    kept = set(db.session.scalars(select(Media.thumbnail_key).where(Media.thumbnail_key.in_(keys))))
    for key in set(keys) - kept:
        media.store().delete(key)


def media_of(conversation: Conversation, kind: str) -> list[MediaLink]:
    """The chat's photos or videos, oldest first, each with a link signed now."""
    family = FAMILIES[kind]
    attachment = and_(Media.kind.is_(None), Media.content_type.startswith(family))
    rows = db.session.scalars(
        select(Media)
        .where(Media.conversation_pk == conversation.id, or_(Media.kind == kind, attachment))
        .order_by(Media.id)
    )
    return [link(row) for row in rows]


def link(row: Media) -> MediaLink:
    """A photo or video with a link signed now (it expires after MEDIA_URL_TTL_S)."""
    return {"url": media.signed_url(row.key, row.content_type), "media_id": row.id}

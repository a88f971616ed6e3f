"""Uploaded media: attachments of live conversations (and, later, CCAI chats)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from chatwidget.extensions import Model
from chatwidget.models.types import utcnow


class Media(Model):
    """One stored file. The bytes are in the media store under `key`.

    `session_id` is the sessionId the conversation's call has (CONTRACT §2: the
    conversationId, or a chat's id as a string), so purging that call finds its media
    even once the conversation row is gone.
    """

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[str] = mapped_column(String(36), unique=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(512))
    session_id: Mapped[str] = mapped_column(String(255), index=True)
    conversation_pk: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int]
    uploaded_by: Mapped[str] = mapped_column(String(12))
    # A chat's photo or video (chats API), else None (an attachment).
    kind: Mapped[str | None] = mapped_column(String(8))
    photo_type: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

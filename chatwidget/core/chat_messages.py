"""A chat's messages through the chats API (CONTRACT §3): sent and read back.

A message sent here is sent through the one verb every protocol uses
(sending.do_send_message), as the chat's end user or as one of its agents: the widget
and the console get it as messageArrived, checked exactly as one typed there. A photo,
video or file is a media row of the chat, sent as the widget sends an attachment.
"""

from datetime import datetime
from typing import Any, NamedTuple, TypedDict

from sqlalchemy import select

from chatwidget.core import chat_users, chats, sending
from chatwidget.core.chats import ChatRef
from chatwidget.core.client_messages import Sent
from chatwidget.core.errors import Forbidden, InvalidInput
from chatwidget.extensions import db
from chatwidget.models import Conversation, Media, Message, Participant

TEXT = "text"
# Each media type of a message, and the content types its media may have.
MEDIA_TYPES = {"photo": ("image/",), "video": ("video/",), "file": ("",)}
TYPES = (TEXT, *MEDIA_TYPES)


class ChatMessageView(TypedDict):
    """A message as GET …/messages answers it. content: the text, or the media id."""

    id: int
    type: str
    content: str | int | None
    from_user_id: int | None
    created_at: datetime


def _content_error(reason: str, field: str = "content") -> InvalidInput:
    return InvalidInput("message.%s: %s" % (field, reason), errors={"message": {field: [reason]}})


def _media_of(conversation: Conversation | ChatRef, kind: str, media_id: int) -> Media:
    """The chat's media row a media message names, of a content type its type allows."""
    row = db.session.scalar(select(Media).filter_by(id=media_id, conversation_pk=conversation.id))
    if row is None:
        raise _content_error("No media %d in this chat." % media_id)
    if not row.content_type.startswith(MEDIA_TYPES[kind]):
        raise _content_error(
            "Media %d is %s, not a %s." % (media_id, row.content_type, kind), "type"
        )
    return row


def _payload(conversation: Conversation | ChatRef, kind: str, content: str | int) -> dict[str, Any]:
    """The sendMessage fields of a message: its text, or its media as an attachment."""
    if kind == TEXT:
        return {"type": "ChatMessage", "text": content}
    if kind not in MEDIA_TYPES or not isinstance(content, int):
        raise _content_error("A %s message's content is a media_id." % kind)
    row = _media_of(conversation, kind, content)
    return {"type": "ChatMessage", "text": "", "attachments": [{"mediaId": row.media_id}]}


def _sender(conversation: Conversation | ChatRef, user: chat_users.ChatUser) -> sending.Sender:
    if user.role == chat_users.AGENT:
        return sending.AsAgent(user.user_id, conversation.conversation_id)
    return sending.AsEndUser(conversation.id)


def do_post_message(
    conversation: Conversation | ChatRef,
    from_user_id: int | None,
    kind: str,
    content: str | int,
) -> Sent:
    """Send a message into a live chat as its end user (from_user_id its id, or None)
    or as the agent holding it; kind: text (content its text) or photo, video, file
    (content the id of a media row of the chat). InvalidInput naming the field, and
    nothing stored, for anything the widget or the console would refuse."""
    chats.check_live(conversation)
    user = chat_users.check_chat_user(conversation, from_user_id, "from_user_id")
    data = _payload(conversation, kind, content)
    try:
        return sending.do_send_message(_sender(conversation, user), data)
    except Forbidden as error:  # the agent does not hold the chat (sending.AsAgent)
        reason = "Agent %s: %s." % (from_user_id, error.message)
        raise InvalidInput("from_user_id: " + reason, errors={"from_user_id": [reason]}) from None
    except InvalidInput as error:  # the text, as the sockets check it: named as sent here
        reasons = (error.errors or {}).get("text")
        if not reasons:
            raise
        raise _content_error(" ".join(map(str, reasons))) from None


class _Media(NamedTuple):
    id: int
    kind: str


def _kind(content_type: str, kind: str | None) -> str:
    """A media row's message type: the chats API's photo or video, else by its bytes."""
    if kind in MEDIA_TYPES:
        return kind
    return next((t for t, (prefix,) in MEDIA_TYPES.items() if content_type.startswith(prefix)))


def _media_by_id(rows: list[Message]) -> dict[str, _Media]:
    """The media rows the messages' attachments name, by their media ids."""
    ids = {a.get("mediaId") for m in rows for a in m.attachments or [] if a.get("mediaId")}
    if not ids:
        return {}
    found = db.session.execute(
        select(Media.media_id, Media.id, Media.content_type, Media.kind).where(
            Media.media_id.in_(ids)
        )
    )
    return {row.media_id: _Media(row.id, _kind(row.content_type, row.kind)) for row in found}


def _type_and_content(message: Message, media: dict[str, _Media]) -> tuple[str, str | int | None]:
    """(type, content): its text, else its first attachment's media id (an external
    link's URL, or None once the media is purged)."""
    if message.text or not message.attachments:
        return TEXT, message.text or ""
    first = message.attachments[0]
    row = media.get(first.get("mediaId") or "")
    return (row.kind, row.id) if row else ("file", first.get("contentUrl"))


def _from_user_id(
    message: Message, conversation: Conversation, agents: dict[str, int]
) -> int | None:
    """The agent's id, or the end user's; None for the virtual agent and the system."""
    sender = message.sender or {}
    if sender.get("role") == "agent":
        return agents.get(sender.get("id") or "")
    return conversation.end_user_id if sender.get("role") == "customer" else None


def _view(
    message: Message, conversation: Conversation, agents: dict[str, int], media: dict[str, _Media]
) -> ChatMessageView:
    kind, content = _type_and_content(message, media)
    return ChatMessageView(
        id=message.id,
        type=kind,
        content=content,
        from_user_id=_from_user_id(message, conversation, agents),
        created_at=message.created_at,
    )


def messages_of(conversation: Conversation, after_id: int = 0) -> list[ChatMessageView]:
    """The chat's messages after the one with id after_id, in order: chat messages only
    (no activities), whispers left out. from_user_id: the agent's id, or the end user's
    (None when nobody identified them); None for the virtual agent and the system."""
    rows = list(
        db.session.scalars(
            select(Message)
            .where(
                Message.conversation_pk == conversation.id,
                Message.type == "ChatMessage",
                Message.tag != "whisper",
                Message.id > after_id,
            )
            .order_by(Message.seq)
        )
    )
    agents = {
        public_id: agent_id
        for public_id, agent_id in db.session.execute(
            select(Participant.public_id, Participant.agent_id).filter_by(
                conversation_pk=conversation.id, role="agent"
            )
        ).tuples()
        if agent_id is not None
    }
    media = _media_by_id(rows)
    return [_view(message, conversation, agents, media) for message in rows]


def message_view(conversation: Conversation, message_pk: int) -> ChatMessageView | None:
    """One message as messages_of lists it (None for an activity or a whisper)."""
    return next(
        (v for v in messages_of(conversation, message_pk - 1) if v["id"] == message_pk), None
    )

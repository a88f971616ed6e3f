"""Wire formats of the events Socket.IO clients send (CONTRACT §4, §5).

Every client → server payload of both namespaces is loaded through one of these before
its handler acts on it: each string a JSON string no longer than its column and
storable by every database (schemas.common.SafeString), each number a whole number a
column holds, client message ids in canonical UUID form. Unknown extra fields are
ignored. The handlers see plain values; describe() words the errors for an error ack.
"""

from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any, cast

from marshmallow import EXCLUDE, Schema, fields

from chatwidget.schemas.common import HttpUrl, SafeString, WholeNumber
from chatwidget.schemas.socket_fields import BoundedList, Choice, ClientId, Recipient, StorableJson

ID = 255  # ids, refId, names (CONTRACT §4)
MAX_RECIPIENTS = 100
MAX_ATTACHMENTS = 10

# marshmallow's messages: a field's reasons, or those of each field (or index) within it.
Reasons = Mapping[object, "Reasons"] | Sequence[str]


class EventSchema(Schema):
    """An event's payload; unknown extra fields are ignored."""

    class Meta:
        unknown = EXCLUDE


class ConversationSchema(EventSchema):
    """endConversation, acceptConversation: the conversation acted on."""

    conversationId = SafeString(ID, required=True)


class JoinSchema(ConversationSchema):
    """joinConversation: the pair from init, and the name to show."""

    id = SafeString(ID, required=True)
    name = SafeString(ID, allow_none=True)


class InfoRequestSchema(ConversationSchema):
    """conversationInfo: the messages after afterSeq (0: all of them)."""

    afterSeq = WholeNumber(load_default=0)


class TransferSchema(ConversationSchema):
    """transferConversation: to a queue or to an agent."""

    queueId = WholeNumber(allow_none=True)
    agentId = WholeNumber(allow_none=True)


class StatusSchema(EventSchema):
    """setStatus: available, away or offline (checked by the core)."""

    status = SafeString(ID, required=True)


class RegisterConnectorSchema(EventSchema):
    """registerConnector: the channel (id equals channel) and a display name."""

    id = SafeString(ID, allow_none=True)
    name = SafeString(ID, allow_none=True)
    channel = SafeString(ID, allow_none=True)


class AttachmentSchema(EventSchema):
    """An uploaded file of the conversation ({"mediaId"}), or a plain link."""

    mediaId = SafeString(64, allow_none=True)
    type = SafeString(ID, allow_none=True)
    name = SafeString(ID, allow_none=True)
    contentUrl = HttpUrl(allow_none=True)
    thumbnailUrl = HttpUrl(allow_none=True)


class MessageSchema(ConversationSchema):
    """What every sendMessage carries. `from` is never read: the server sets it from the
    socket. A registered connector names its customer by refId instead of conversationId
    (load with partial=("conversationId",))."""

    type = Choice(("ChatMessage", "ActivityMessage", ""), allow_none=True)
    to = BoundedList(Recipient(ID), MAX_RECIPIENTS, allow_none=True)
    refId = SafeString(ID, allow_none=True)


class ChatMessageSchema(MessageSchema):
    """sendMessage of a ChatMessage: on the hot path, so only its own few fields."""

    id = ClientId(allow_none=True)
    text = SafeString(allow_none=True)  # max_length: MAX_MESSAGE_CHARS, see __init__
    attachments = BoundedList(fields.Nested(AttachmentSchema), MAX_ATTACHMENTS, allow_none=True)
    tag = SafeString(12, allow_none=True)

    def __init__(self, max_chars: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cast(
            SafeString, self.fields["text"]
        ).max_length = max_chars  # this instance's own copy of the field


class ActivityMessageSchema(MessageSchema):
    """sendMessage of an ActivityMessage (clients send typing)."""

    activityType = SafeString(24, allow_none=True)
    info = StorableJson(allow_none=True)


@cache
def _chat_message(max_chars: int) -> ChatMessageSchema:
    return ChatMessageSchema(max_chars)


ACTIVITY_MESSAGE = ActivityMessageSchema()


def send_message(data: Mapping[str, object], max_chars: int) -> MessageSchema:
    """The schema of a sendMessage payload (a dict): ChatMessage (texts of at most
    max_chars) unless it says it is an ActivityMessage. Made once: loading with a ready
    instance is what a chat message costs, building one costs far more."""
    if data.get("type") == "ActivityMessage":
        return ACTIVITY_MESSAGE
    return _chat_message(max_chars)


JOIN = JoinSchema()
CONVERSATION = ConversationSchema()
INFO_REQUEST = InfoRequestSchema()
TRANSFER = TransferSchema()
STATUS = StatusSchema()
REGISTER_CONNECTOR = RegisterConnectorSchema()


def _reasons(found: Reasons, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path within the field, reason) for each reason in marshmallow's nested messages."""
    if isinstance(found, Mapping):
        for key, inner in found.items():  # _schema: the item itself (not an object…)
            yield from _reasons(inner, path + ((str(key),) if key != "_schema" else ()))
    else:
        for reason in found:
            yield path, reason


def describe(messages: Mapping[object, Reasons]) -> tuple[str, dict[str, list[str]]]:
    """marshmallow's messages as an error ack words them: (a sentence naming each bad
    field, {field: [reasons]}); a reason within a field starts with its path (`0.id: …`)."""
    errors: dict[str, list[str]] = {}
    for field, found in messages.items():
        name = "payload" if field == "_schema" else str(field)
        errors[name] = [
            "%s: %s" % (".".join(path), reason) if path else reason
            for path, reason in _reasons(found)
        ]
    sentence = "; ".join("%s: %s" % (name, " ".join(reasons)) for name, reasons in errors.items())
    return "Invalid " + sentence, errors

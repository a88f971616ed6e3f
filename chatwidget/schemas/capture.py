"""Wire formats of the chat-capture API (seed 000: PascalCase, read in any case)."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, Final

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from marshmallow.types import StrSequenceOrSet, UnknownOption

from chatwidget.schemas.common import CaseInsensitiveSchema, JsonObject, UtcDateTime, parse_utc

_text = validate.Length(min=1, max=255)


class ChatMessageSchema(CaseInsensitiveSchema):
    """One message of a contact."""

    Content = fields.String(required=True, validate=validate.Length(min=1))
    UtcTimestamp = UtcDateTime(required=True)


class ChatContactSchema(CaseInsensitiveSchema):
    """A participant of the chat and what it wrote."""

    ReferenceId = fields.String(allow_none=True)
    FirstName = fields.String(allow_none=True)
    LastName = fields.String(allow_none=True)
    Email = fields.String(allow_none=True)
    Phone = fields.String(allow_none=True)
    PhoneNumber = fields.String(allow_none=True)
    Type = fields.String(required=True, validate=_text)  # free text (CONTRACT §2)
    Messages = fields.List(fields.Nested(ChatMessageSchema), allow_none=True)


class ChatCallSchema(CaseInsensitiveSchema):
    """A finished chat, as Creovai/Tethr's ChatCall model."""

    SessionId = fields.String(required=True, validate=_text)
    MasterCallId = fields.String(allow_none=True, validate=validate.Length(max=255))
    UtcStart = UtcDateTime(required=True)
    UtcEnd = UtcDateTime(required=True)
    Contacts = fields.List(fields.Nested(ChatContactSchema), allow_none=True)
    Metadata = JsonObject(allow_none=True)

    @validates_schema
    def _start_before_end(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        start, end = data.get("UtcStart"), data.get("UtcEnd")
        if start and end and start > end:
            raise ValidationError("UtcEnd is before UtcStart.", "UtcEnd")

    def load(
        self,
        data: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        many: bool | None = None,
        partial: bool | StrSequenceOrSet | None = None,
        unknown: UnknownOption | None = None,
    ) -> Any:  # as Schema.load's: the loaded dict, or a list of them
        """As Schema.load; a valid chat in the usual shape takes a faster road.

        Ingest loads thousands of chats a second, and marshmallow spends ~1 ms on one
        of 20 messages. quick_chat gives the very same result for the chats it takes
        and declines (None) everything else, so that every error still comes from the
        declared fields above, worded and nested as marshmallow words and nests them.
        """
        plain = (
            type(self) is ChatCallSchema
            and not (many or self.many or partial or self.partial)
            and unknown in (None, EXCLUDE)
            and self.only is None
            and not self.exclude
        )
        if plain:
            chat = quick_chat(data)
            if chat is not None:
                return chat
        return super().load(data, many=many, partial=partial, unknown=unknown)


# --- quick_chat: ChatCallSchema().load for valid chats, without marshmallow ------------
#
# Each helper returns the loaded value, or _NO when marshmallow might answer anything
# else (an error above all); the caller then lets marshmallow do the whole load.
# tests/unit/test_capture_quick_load.py holds the two to the same output.


class _No(Enum):
    """The helpers' "let marshmallow answer": a one-member Enum, which a type checker
    tells apart from any loaded value (a bare object() it cannot)."""

    NO = "no"


_NO: Final = _No.NO
# (lower-case name → declared spelling, the declared spellings)
Names = tuple[dict[str, str], frozenset[str]]


def _names(*declared: str) -> Names:
    """(lower-case name → declared spelling, the declared spellings)."""
    return {name.lower(): name for name in declared}, frozenset(declared)


_CHAT_NAMES = _names("SessionId", "MasterCallId", "UtcStart", "UtcEnd", "Contacts", "Metadata")
_CONTACT_NAMES = _names(
    "ReferenceId", "FirstName", "LastName", "Email", "Phone", "PhoneNumber", "Type", "Messages"
)
_MESSAGE_NAMES = _names("Content", "UtcTimestamp")
_OPTIONAL_TEXT = ("ReferenceId", "FirstName", "LastName", "Email", "Phone", "PhoneNumber")


def _canonical(data: Mapping[Any, object], names: Names) -> Mapping[Any, object]:
    """CaseInsensitiveSchema's key mapping, keeping only declared names (EXCLUDE).

    data itself, to be read only, when every key is already spelled as declared: the
    usual case, and mapping each key of each message cost a third of quick_chat.
    """
    lowered, declared = names
    if data.keys() <= declared:
        return data
    out: dict[str, object] = {}
    for key, value in data.items():
        name = lowered.get(str(key).lower())
        if name is not None:
            out[name] = value  # a later spelling of the same name wins, as in pre_load
    return out


def _timestamp(value: object) -> datetime | _No:
    if not isinstance(value, str):
        return _NO
    try:
        return parse_utc(value)
    except (ValueError, OverflowError):
        return _NO


def _message(raw: object) -> dict[str, object] | _No:
    if type(raw) is not dict:
        return _NO
    data = _canonical(raw, _MESSAGE_NAMES)
    content = data.get("Content")
    if type(content) is not str or not content:
        return _NO
    stamp = _timestamp(data.get("UtcTimestamp"))
    if stamp is _NO:
        return _NO
    return {"Content": content, "UtcTimestamp": stamp}


def _contact(raw: object) -> dict[str, object] | _No:
    if type(raw) is not dict:
        return _NO
    data = _canonical(raw, _CONTACT_NAMES)
    out: dict[str, object] = {}
    for name in _OPTIONAL_TEXT:
        if name in data:
            value = data[name]
            if value is not None and type(value) is not str:
                return _NO
            out[name] = value
    kind = data.get("Type")
    if type(kind) is not str or not 1 <= len(kind) <= 255:
        return _NO
    out["Type"] = kind
    if "Messages" in data:
        messages = data["Messages"]
        if messages is not None:
            if type(messages) is not list:
                return _NO
            loaded = []
            for raw_message in messages:
                message = _message(raw_message)
                if message is _NO:
                    return _NO
                loaded.append(message)
            messages = loaded
        out["Messages"] = messages
    return out


def quick_chat(raw: object) -> dict[str, object] | None:
    """ChatCallSchema().load(raw) when raw is a valid chat of plain JSON types, else None."""
    if type(raw) is not dict:
        return None
    data = _canonical(raw, _CHAT_NAMES)
    session_id = data.get("SessionId")
    if type(session_id) is not str or not 1 <= len(session_id) <= 255:
        return None
    out: dict[str, object] = {"SessionId": session_id}
    if "MasterCallId" in data:
        master = data["MasterCallId"]
        if master is not None and (type(master) is not str or len(master) > 255):
            return None
        out["MasterCallId"] = master
    start = _timestamp(data.get("UtcStart"))
    end = _timestamp(data.get("UtcEnd"))
    if start is _NO or end is _NO or start > end:
        return None
    out["UtcStart"], out["UtcEnd"] = start, end
    if "Contacts" in data:
        contacts = data["Contacts"]
        if contacts is not None:
            if type(contacts) is not list:
                return None
            loaded = []
            for raw_contact in contacts:
                contact = _contact(raw_contact)
                if contact is _NO:
                    return None
                loaded.append(contact)
            contacts = loaded
        out["Contacts"] = contacts
    if "Metadata" in data:
        metadata = data["Metadata"]
        if metadata is not None:
            if type(metadata) is not dict:
                return None
            metadata = dict(metadata)
        out["Metadata"] = metadata
    return out


class CallIdSchema(Schema):
    """The id the server gave the chat."""

    callId = fields.String(required=True)


class StatusRequestSchema(CaseInsensitiveSchema):
    """Session ids to look up."""

    CallSessionIds = fields.List(
        fields.String(validate=_text), required=True, validate=validate.Length(min=1, max=1000)
    )


class CallSessionSchema(Schema):
    """Where one session stands."""

    callId = fields.String(allow_none=True)
    sessionId = fields.String()
    status = fields.String(metadata={"enum": ["Complete", "InProgress", "NotFound"]})
    durationSec = fields.Integer(allow_none=True)


class StatusResponseSchema(Schema):
    """Status of each session asked for, in the order asked."""

    callSessions = fields.List(fields.Nested(CallSessionSchema))


class OutOfBandEventSchema(CaseInsensitiveSchema):
    """Late metadata for one session."""

    SessionId = fields.String(required=True, validate=_text)
    EventTime = UtcDateTime(load_default=None)
    Metadata = JsonObject(required=True)


class MasterCallEventSchema(CaseInsensitiveSchema):
    """Late metadata for every call of a master call."""

    masterCallId = fields.String(required=True, validate=_text)
    eventTime = UtcDateTime(load_default=None)
    metadata = JsonObject(required=True)


class PurgeIdsSchema(CaseInsensitiveSchema):
    """Up to 100 ids to purge."""

    ids = fields.List(
        fields.String(validate=_text), required=True, validate=validate.Length(min=1, max=100)
    )


class PurgeCustomerSchema(CaseInsensitiveSchema):
    """A customer to purge every call of, by phone number or e-mail."""

    phoneNumber = fields.String(validate=_text)
    email = fields.String(validate=_text)

    @validates_schema
    def _one_of(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if not data.get("phoneNumber") and not data.get("email"):
            raise ValidationError("Give phoneNumber or email.", "email")


class WhatIfSchema(CaseInsensitiveSchema):
    """whatIf=true lists what would be purged and deletes nothing."""

    whatIf = fields.Boolean(load_default=False)


class PurgeItemSchema(Schema):
    """What happened to one id."""

    callId = fields.String(allow_none=True)
    sessionId = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["Purging", "NotFound", "Error", "WhatIf"]})
    errorMsg = fields.String(allow_none=True)


class PurgeResponseSchema(Schema):
    """One item per id asked for, or per call found."""

    items = fields.List(fields.Nested(PurgeItemSchema))


class ShareRequestSchema(CaseInsensitiveSchema):
    """Who a read-only link to a call is for."""

    callId = fields.String(required=True, validate=_text)
    email = fields.Email(required=True)


class ShareResponseSchema(Schema):
    """A read-only link and when it stops working."""

    callUrl = fields.String()
    expiration = fields.String(metadata={"description": "ISO 8601 UTC"})

"""ChatCallSchema().load for valid chats, without marshmallow (the capture's hot path).

Each helper returns the loaded value, or _NO when marshmallow might answer anything
else (an error above all); the caller then lets marshmallow do the whole load.
tests/unit/test_capture_quick_load.py holds the two to the same output.
"""

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Final

from chatwidget.schemas.common import parse_utc


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

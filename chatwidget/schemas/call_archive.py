"""The calls archive's file format: ChatCall objects, one per JSON line (or a JSON list
or one object), each with the CallId it had, so an export imports back unchanged."""

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from marshmallow import ValidationError

from chatwidget.schemas.capture import ChatCallSchema
from chatwidget.schemas.common import summarise
from chatwidget.timestamps import format_utc

if TYPE_CHECKING:
    from chatwidget.models import Call

_schema = ChatCallSchema()


def read_records(path: str) -> Iterator[tuple[str, object]]:
    """Yield (where, record) from a JSON file (one object or a list) or JSON lines."""
    with open(path, encoding="utf-8-sig") as fh:
        text = fh.read()
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict):
        yield path, whole
        return
    if isinstance(whole, list):
        for index, item in enumerate(whole):
            yield "%s[%d]" % (path, index), item
        return
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield "%s:%d" % (path, number), json.loads(line)
        except json.JSONDecodeError as exc:
            yield "%s:%d" % (path, number), exc


def load_record(record: object) -> tuple[dict[str, Any] | None, str | None]:
    """(chat, call_id) from one record, or (None, why it is invalid)."""
    if isinstance(record, Exception):
        return None, "not JSON: %s" % record
    fields = cast("Mapping[str, Any]", record)  # anything else fails to load, as it should
    try:
        chat = _schema.load(fields)
    except ValidationError as exc:
        return None, "; ".join(summarise(exc.messages))
    call_id = fields.get("CallId")
    return chat, call_id if isinstance(call_id, str) else None


def dump_record(call: "Call") -> dict[str, object]:
    """A stored call as a ChatCall object (plus its CallId, kept across a round trip)."""
    return {
        "CallId": call.call_id,
        "SessionId": call.session_id,
        "MasterCallId": call.master_call_id,
        "UtcStart": format_utc(call.utc_start),
        "UtcEnd": format_utc(call.utc_end),
        "Contacts": call.contacts,
        "Metadata": call.call_metadata,
    }

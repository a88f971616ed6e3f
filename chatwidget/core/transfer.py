"""Bulk import and export of calls in the ChatCall JSON shape."""

import json

from marshmallow import ValidationError
from sqlalchemy import select

from chatwidget.api.parser import summarise
from chatwidget.core import capture
from chatwidget.core.errors import Conflict
from chatwidget.extensions import db
from chatwidget.models import Call
from chatwidget.schemas.capture import ChatCallSchema
from chatwidget.timestamps import format_utc

_schema = ChatCallSchema()


def read_records(path):
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


def import_record(record):
    """Capture one record; returns ("imported"|"skipped"|"invalid", reason or None)."""
    if isinstance(record, Exception):
        return "invalid", "not JSON: %s" % record
    try:
        chat = _schema.load(record)
    except ValidationError as exc:
        return "invalid", "; ".join(summarise(exc.messages))
    if capture.session_exists(chat["SessionId"]):
        return "skipped", "SessionId %s already stored" % chat["SessionId"]
    call_id = record.get("CallId") if isinstance(record.get("CallId"), str) else None
    try:
        capture.do_capture(chat, call_id=call_id)
    except Conflict as exc:
        return "skipped", exc.message
    return "imported", None


def export_record(call):
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


def iter_calls(batch=500):
    """Every finished call, oldest first, read in batches."""
    last = 0
    while True:
        rows = db.session.scalars(
            select(Call)
            .where(Call.id > last, Call.status == "Complete")
            .order_by(Call.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        db.session.expunge_all()

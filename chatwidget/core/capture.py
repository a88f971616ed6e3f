"""Capturing finished chats as calls: one at a time or in group commits, with the
summary webhook. Looking calls up is call_lookup's; their late metadata, call_metadata's.
"""

import secrets
from functools import partial
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from chatwidget.core import call_keys, webhooks
from chatwidget.core.errors import Conflict
from chatwidget.core.events import dispatch_now, publish
from chatwidget.extensions import db
from chatwidget.groupcommit import GroupCommit
from chatwidget.models import Call
from chatwidget.models.types import utcnow
from chatwidget.timestamps import format_utc

_CONTACT_FIELDS = ("ReferenceId", "FirstName", "LastName", "Email", "Phone", "PhoneNumber", "Type")
_GROUP = "chatwidget_capture_group"
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_FAIR = 256 - 256 % len(_ALPHABET)  # 252: a multiple of 36
# Ingest writes with Core statements (see do_capture): every Call column but the key.
_CALL_COLUMNS = [
    (prop.key, prop.columns[0])
    for prop in Call.__mapper__.column_attrs
    if not prop.columns[0].primary_key
]
# Many rows in one statement; each new key comes back with the (unique) callId it is for.
_INSERT_CALLS = insert(Call.__table__).returning(Call.__table__.c.call_id, Call.__table__.c.id)
# A loaded ChatCall (schemas.capture's CallSchema, or live_calls.chat_call): JSON with
# datetimes for its UtcStart, UtcEnd and messages' UtcTimestamp.
ChatCall = dict[str, Any]
# A call's column values as do_capture writes them (_new_call), by attribute name.
CallAttrs = dict[str, Any]


def new_call_id() -> str:
    """A short random public id, like the vendor's `bbsnbcbe3`.

    Ten characters drawn uniformly from _ALPHABET, as secrets.choice draws them, from
    one read of the system's random source instead of ten.
    """
    chars: list[str] = []
    while len(chars) < 10:
        # bytes from _FAIR on would favour the first letters: drop them
        chars.extend(_ALPHABET[b % len(_ALPHABET)] for b in secrets.token_bytes(16) if b < _FAIR)
    return "".join(chars[:10])


def _contact_document(contact: dict[str, Any]) -> dict[str, Any]:
    doc = {k: contact[k] for k in _CONTACT_FIELDS if contact.get(k) is not None}
    doc["Messages"] = [
        {"Content": m["Content"], "UtcTimestamp": format_utc(m["UtcTimestamp"])}
        for m in contact.get("Messages") or []
    ]
    return doc


def _new_call(chat: ChatCall, source: str, call_id: str | None) -> CallAttrs:
    """The Call attributes of a loaded ChatCall (all but the key)."""
    return {
        "call_id": call_id or new_call_id(),
        "session_id": chat["SessionId"],
        "master_call_id": chat.get("MasterCallId"),
        "source": source,
        "status": "Complete",
        "utc_start": chat["UtcStart"],
        "utc_end": chat["UtcEnd"],
        "contacts": [_contact_document(c) for c in chat.get("Contacts") or []],
        "call_metadata": chat.get("Metadata"),
        "metadata_times": {},
        "created_at": utcnow(),
    }


def _write(connection: Connection, calls: list[CallAttrs]) -> tuple[list[int], int]:
    """Insert the calls and their purge keys and queue their summary webhooks, on connection.

    calls are _new_call() attributes. Core statements: for these inserts the ORM's unit
    of work, and reloading the expired rows after the commit, cost more than the rest
    of a capture; many calls go in one statement per table. Returns the new keys, in
    the order of calls, and how many outbox rows were written.
    """
    rows = [{column.key: attrs[attr] for attr, column in _CALL_COLUMNS} for attrs in calls]
    pk_of: dict[str, int] = dict(connection.execute(_INSERT_CALLS, rows).all())
    pks = [pk_of[attrs["call_id"]] for attrs in calls]
    keys = [
        row
        for pk, attrs in zip(pks, calls, strict=True)
        for row in call_keys.key_rows(pk, attrs["contacts"], attrs["call_metadata"])
    ]
    call_keys.insert_keys(connection, keys)
    summaries = [partial(_summary_of, pk, attrs) for pk, attrs in zip(pks, calls, strict=True)]
    return pks, webhooks.enqueue(connection, "call.summary", summaries)


def _summary_of(pk: int, attrs: CallAttrs) -> dict[str, Any]:
    return summary_payload(Call(id=pk, **attrs))


def _conflict(session_id: str) -> Conflict | None:
    """After an IntegrityError: Conflict when session_id is taken, else None (re-raise)."""
    if session_exists(session_id):
        return Conflict(
            "SessionId %s was already captured" % session_id,
            errors={"SessionId": ["already captured"]},
        )
    return None


def do_capture(chat: ChatCall, source: str = "capture", call_id: str | None = None) -> Call:
    """Store a finished chat (a loaded ChatCall) as a call and queue its summary webhook.

    Written in the session's transaction, which it commits (with whatever the caller
    changed before). Conflict, with nothing changed, when its SessionId was captured
    before. Returns the Call, in the session as a loaded row: the row as written.
    """
    attrs = _new_call(chat, source, call_id)
    try:
        [pk], queued = _write(db.session.connection(), [attrs])
        if queued:
            publish(db.session, "outbox.new", {})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        conflict = _conflict(chat["SessionId"])
        if conflict:
            raise conflict from None
        raise
    call = Call(id=pk, **attrs)
    make_transient_to_detached(call)  # the row as written: no reload when it is read
    db.session.add(call)
    return call


def do_ingest(chat: ChatCall) -> str:
    """do_capture for the capture API, without the ORM session; returns the new callId.

    The same rows in a transaction of its own on a Core connection, committed before
    this returns: thousands of chats a second come this way, and a session (its
    transaction, the ORM objects, the teardown) cost more here than the writes. In a
    served process on SQLite, the chats captured at the same moment share that
    transaction (start_group_commit); each is answered as it would have been alone.
    """
    attrs = _new_call(chat, "capture", None)
    group = current_app.extensions.get(_GROUP)
    if not isinstance(group, GroupCommit):
        return _store_one(attrs)
    call_id: str = group.submit(attrs)
    return call_id


def _store_one(attrs: CallAttrs) -> str:
    try:
        with db.engine.begin() as connection:
            _, queued = _write(connection, [attrs])
    except IntegrityError:
        conflict = _conflict(attrs["session_id"])
        if conflict:
            raise conflict from None
        raise
    if queued:
        dispatch_now("outbox.new", {})  # committed: the delivery worker may start
    call_id: str = attrs["call_id"]
    return call_id


def _store_many(calls: list[CallAttrs]) -> list[str]:
    with db.engine.begin() as connection:
        _, queued = _write(connection, calls)
    if queued:
        dispatch_now("outbox.new", {})
    return [attrs["call_id"] for attrs in calls]


def start_group_commit(app: Flask) -> GroupCommit[CallAttrs, str] | None:
    """Capture API chats arriving together stored in one transaction, on SQLite.

    SQLite takes one writer at a time anyway, and a capture's transaction (connection,
    statements, commit, WAL pages and the checkpoints they bring) costs more than its
    rows: see chatwidget.groupcommit. PostgreSQL runs transactions side by side and
    keeps one per chat. Returns the GroupCommit, or None.
    """
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return None
    group = app.extensions[_GROUP] = GroupCommit(app, "capture", _store_one, _store_many)
    return group.start()


def session_exists(session_id: str) -> bool:
    """True when a call with this SessionId is stored."""
    return db.session.scalar(select(Call.id).filter_by(session_id=session_id)) is not None


def call_uri(call: Call) -> str:
    """The link to the call's page."""
    return "%s/calls/%s" % (current_app.config["PUBLIC_URL"], call.call_id)


def participants(call: Call) -> list[dict[str, Any]]:
    """The contacts without their messages, as the summary webhook lists them."""
    return [{k: v for k, v in c.items() if k != "Messages"} for c in call.contacts]


def summary_payload(call: Call) -> dict[str, Any]:
    """The call-summary webhook body (CONTRACT §2)."""
    return {
        "callId": call.call_id,
        "callUri": call_uri(call),
        "sessionId": call.session_id,
        "masterCallId": call.master_call_id,
        "utcStart": format_utc(call.utc_start),
        "utcEnd": format_utc(call.utc_end),
        "participants": participants(call),
        "metadata": call.call_metadata or {},
    }

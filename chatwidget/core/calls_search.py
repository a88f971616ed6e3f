"""Searching captured calls for the console: by text, session, e-mail, phone and dates.

Filtered, counted and paginated in SQL. A call keeps its messages in one JSON document
(models.Call.contacts), so the text search walks it with each database's JSON table
function (json_each on SQLite, json_array_elements on PostgreSQL) and compares the
lower-cased message contents with LIKE; SQLite's own lower() folds ASCII only, so its
connections get a Unicode one (chatwidget.core.sqltime.install_sqlite_functions).
"""

from datetime import datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import (
    ColumnElement,
    Exists,
    TextClause,
    and_,
    bindparam,
    exists,
    func,
    select,
    text,
)

from chatwidget.core.sqltime import dialect
from chatwidget.extensions import db
from chatwidget.models import Call, CallKey
from chatwidget.timestamps import format_utc, parse_utc

PREVIEW_CHARS = 140


class CallResult(TypedDict):
    """A call as a search result lists it."""

    callId: str
    masterCallId: str | None
    sessionId: str
    startedAt: str
    channel: str
    customer: str | None
    email: str | None
    phone: str | None
    messages: int
    preview: str | None


class CallPage(TypedDict):
    """One page of a search, with the total of matches."""

    items: list[CallResult]
    page: int
    perPage: int
    total: int


_TEXT_IN_SQLITE = text(
    'EXISTS (SELECT 1 FROM json_each("call".contacts) AS c, '
    "json_each(c.value, '$.Messages') AS m "
    "WHERE unicode_lower(json_extract(m.value, '$.Content')) LIKE :pattern ESCAPE '\\')"
)
_TEXT_IN_POSTGRESQL = text(
    'EXISTS (SELECT 1 FROM json_array_elements("call".contacts) AS c, '
    "json_array_elements(c->'Messages') AS m "
    "WHERE lower(m->>'Content') LIKE :pattern ESCAPE '\\')"
)


def _like(value: str) -> str:
    """A LIKE pattern matching value anywhere, its own % _ and \\ taken literally."""
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + escaped + "%"


def _text_clause(q: str) -> TextClause:
    statement = _TEXT_IN_SQLITE if dialect() == "sqlite" else _TEXT_IN_POSTGRESQL
    return statement.bindparams(bindparam("pattern", _like(q)))


def _key(kind: str, value: str) -> Exists:
    return exists().where(CallKey.call_pk == Call.id, CallKey.kind == kind, CallKey.value == value)


def _filters(query: dict[str, Any]) -> ColumnElement[bool] | None:
    """The WHERE clauses of a search's query parameters."""
    where: list[ColumnElement[bool] | TextClause] = []
    if query.get("q"):
        where.append(_text_clause(query["q"]))
    if query.get("sessionId"):
        where.append(Call.session_id == query["sessionId"])
    if query.get("email"):
        where.append(_key("email", query["email"].strip().lower()))
    if query.get("phone"):
        where.append(_key("phone", query["phone"].strip()))
    if query.get("from"):
        where.append(Call.utc_start >= query["from"][0])
    if query.get("to"):
        end, whole_day = query["to"]
        # A date alone means the whole of that day.
        where.append(
            Call.utc_start < end + timedelta(days=1) if whole_day else Call.utc_start <= end
        )
    return and_(*where) if where else None


def search(query: dict[str, Any]) -> CallPage:
    """One page of matching calls, newest first, with the total of matches."""
    page, per_page = query.get("page", 1), query.get("perPage", 25)
    where = _filters(query)
    count = select(func.count(Call.id))
    rows = select(Call).order_by(Call.utc_start.desc(), Call.id.desc())
    if where is not None:
        count, rows = count.where(where), rows.where(where)
    total = db.session.scalar(count) or 0
    calls = db.session.scalars(rows.limit(per_page).offset((page - 1) * per_page))
    return CallPage(
        items=[describe(call) for call in calls], page=page, perPage=per_page, total=total
    )


def _at(stamp: object) -> datetime:
    """A stored message time as a datetime, to order by instant (not by its text)."""
    try:
        return parse_utc(stamp)
    except (TypeError, ValueError):
        return datetime.min


def _customer(call: Call) -> dict[str, Any]:
    for contact in call.contacts or []:
        if (contact.get("Type") or "").lower() == "customer":
            return contact
    return {}


def describe(call: Call) -> CallResult:
    """A call as a search result lists it."""
    customer = _customer(call)
    name = " ".join(p for p in (customer.get("FirstName"), customer.get("LastName")) if p)
    said = sorted(
        (
            (_at(m.get("UtcTimestamp")), m.get("Content") or "")
            for c in call.contacts or []
            if (c.get("Type") or "").lower() != "system"
            for m in c.get("Messages") or []
        ),
    )
    metadata = call.call_metadata or {}
    channel = metadata.get("channel") if call.source == "channel" else None
    return CallResult(
        callId=call.call_id,
        masterCallId=call.master_call_id,
        sessionId=call.session_id,
        startedAt=format_utc(call.utc_start),
        channel=channel if isinstance(channel, str) else call.source,
        customer=name or customer.get("ReferenceId") or None,
        email=customer.get("Email"),
        phone=customer.get("Phone") or customer.get("PhoneNumber"),
        messages=len(said),
        preview=said[0][1][:PREVIEW_CHARS] if said else None,
    )

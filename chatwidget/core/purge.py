"""Purging calls by call id or session id; the purge hooks take along what hangs on a call
(media, live conversations, transcript PDFs). A customer's purge is customer_purge's."""

from collections.abc import Callable, Sequence
from typing import Literal, TypedDict

from sqlalchemy import ColumnElement, Row, delete, or_, select

from chatwidget.extensions import db
from chatwidget.models import Call, CallKey


class PurgeItem(TypedDict):
    """One id's line of a purge answer (CONTRACT §2)."""

    callId: str | None
    sessionId: str | None
    status: str
    errorMsg: str | None


PurgeHook = Callable[[list[int]], None]
_purge_hooks: list[PurgeHook] = []


def on_purge(callback: PurgeHook) -> PurgeHook:
    """Register callback(call_pks) run inside the purge transaction (media, live rows)."""
    _purge_hooks.append(callback)
    return callback


def delete_calls(call_pks: list[int]) -> None:
    """Delete these calls (and, through the purge hooks, what hangs on them) in the
    caller's transaction."""
    if not call_pks:
        return
    for hook in _purge_hooks:
        hook(call_pks)
    db.session.execute(delete(CallKey).where(CallKey.call_pk.in_(call_pks)))
    db.session.execute(delete(Call).where(Call.id.in_(call_pks)))


def item(call: Call | Row[int, str, str], status: str, error: str | None = None) -> PurgeItem:
    """One call's line of a purge answer."""
    return PurgeItem(callId=call.call_id, sessionId=call.session_id, status=status, errorMsg=error)


def do_purge(ids: Sequence[str], by: Literal["callId", "sessionId"]) -> list[PurgeItem]:
    """Purge the calls named by ids (`by` is "callId" or "sessionId"), one item per id.

    Committed before returning: a status look-up right after answers NotFound.
    """
    column = Call.call_id if by == "callId" else Call.session_id
    rows = db.session.execute(
        select(Call.id, Call.call_id, Call.session_id).where(column.in_(set(ids)))
    ).all()
    found = {(row.call_id if by == "callId" else row.session_id): row for row in rows}
    delete_calls([row.id for row in rows])
    db.session.commit()
    items: list[PurgeItem] = []
    for value in ids:
        row = found.get(value)
        if row is None:
            by_call = by == "callId"
            missing = PurgeItem(
                callId=value if by_call else None,
                sessionId=None if by_call else value,
                status="NotFound",
                errorMsg="no call with %s %s" % (by, value),
            )
            items.append(missing)
        else:
            items.append(item(row, "Purging"))
    return items


def customer_calls(email: str | None = None, phone: str | None = None) -> list[Call]:
    """Calls whose contacts or metadata carry this e-mail or phone, oldest first."""
    clauses: list[ColumnElement[bool]] = []
    if email:
        clauses.append((CallKey.kind == "email") & (CallKey.value == email.strip().lower()))
        clauses.append((CallKey.kind == "meta") & CallKey.value.in_({email, email.strip()}))
    if phone:
        clauses.append(CallKey.kind.in_(("phone", "meta")) & (CallKey.value == phone))
    pks = select(CallKey.call_pk).where(or_(*clauses))
    return list(db.session.scalars(select(Call).where(Call.id.in_(pks)).order_by(Call.id)))

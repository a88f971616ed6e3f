"""Captured calls looked up: by id, by master call, and each session's status (a live
conversation is InProgress until it ends, CONTRACT §2)."""

from collections.abc import Sequence
from typing import TypedDict

from sqlalchemy import select

from chatwidget.core.errors import NotFound
from chatwidget.extensions import db
from chatwidget.models import Call, Conversation


class SessionStatus(TypedDict):
    """One session's line of a status answer (CONTRACT §2)."""

    callId: str | None
    sessionId: str
    status: str
    durationSec: int | None


def session_status(session_ids: Sequence[str]) -> list[SessionStatus]:
    """Status of each session id, in the order asked."""
    found = db.session.execute(
        select(Call.call_id, Call.session_id, Call.status, Call.utc_start, Call.utc_end).where(
            Call.session_id.in_(set(session_ids))
        )
    ).all()
    by_session = {row.session_id: row for row in found}
    live = _in_progress([sid for sid in session_ids if sid not in by_session])
    result: list[SessionStatus] = []
    for sid in session_ids:
        row = by_session.get(sid)
        if row is None:
            status = "InProgress" if sid in live else "NotFound"
            result.append({"callId": None, "sessionId": sid, "status": status, "durationSec": None})
            continue
        duration = None
        if row.utc_end is not None and row.status == "Complete":
            duration = int((row.utc_end - row.utc_start).total_seconds())
        result.append(
            {"callId": row.call_id, "sessionId": sid, "status": row.status, "durationSec": duration}
        )
    return result


def _in_progress(session_ids: list[str]) -> set[str]:
    """Which of these ids are live conversations (CONTRACT §2: InProgress until they end)."""
    if not session_ids:
        return set()
    return set(
        db.session.scalars(
            select(Conversation.conversation_id).where(
                Conversation.conversation_id.in_(set(session_ids)), Conversation.state != "ended"
            )
        )
    )


def get_call(call_id: str) -> Call:
    """The call with this public id, or NotFound."""
    call = db.session.scalar(select(Call).filter_by(call_id=call_id))
    if call is None:
        raise NotFound("no call %s" % call_id)
    return call


def master_calls(call: Call) -> list[Call]:
    """Every call sharing call's MasterCallId (call included), oldest first."""
    if not call.master_call_id:
        return [call]
    return list(
        db.session.scalars(
            select(Call).filter_by(master_call_id=call.master_call_id).order_by(Call.utc_start)
        )
    )

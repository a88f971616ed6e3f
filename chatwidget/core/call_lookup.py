"""Captured calls looked up: by id, by master call, and each session's status (a live
conversation is InProgress until it ends, CONTRACT §2)."""

from collections.abc import Sequence
from typing import Any, TypedDict

from sqlalchemy import select

from chatwidget.core.errors import NotFound
from chatwidget.extensions import db
from chatwidget.models import Call, Conversation
from chatwidget.models.types import MAX_ROW_ID


class SessionStatus(TypedDict):
    """One session's line of a status answer (CONTRACT §2)."""

    callId: str | None
    sessionId: str
    status: str
    durationSec: int | None


def session_status(session_ids: Sequence[str]) -> list[SessionStatus]:
    """Status of each session id, in the order asked. A chat id as a string names its
    conversation's call too (CONTRACT §7), whatever sessionId that call has."""
    calls = _calls(session_ids)
    aliases = _chat_sessions([sid for sid in session_ids if sid not in calls])
    by_alias = _calls(list(aliases.values()))
    calls.update({sid: by_alias[cid] for sid, cid in aliases.items() if cid in by_alias})
    live = _in_progress([aliases.get(sid, sid) for sid in session_ids if sid not in calls])
    result: list[SessionStatus] = []
    for sid in session_ids:
        row = calls.get(sid)
        if row is None:
            status = "InProgress" if aliases.get(sid, sid) in live else "NotFound"
            result.append({"callId": None, "sessionId": sid, "status": status, "durationSec": None})
            continue
        duration = None
        if row.utc_end is not None and row.status == "Complete":
            duration = int((row.utc_end - row.utc_start).total_seconds())
        result.append(
            {"callId": row.call_id, "sessionId": sid, "status": row.status, "durationSec": duration}
        )
    return result


def _calls(session_ids: Sequence[str]) -> dict[str, Any]:
    """The calls of these session ids, by session id (rows of the columns status reads)."""
    if not session_ids:
        return {}
    found = db.session.execute(
        select(Call.call_id, Call.session_id, Call.status, Call.utc_start, Call.utc_end).where(
            Call.session_id.in_(set(session_ids))
        )
    ).all()
    return {row.session_id: row for row in found}


def _chat_sessions(session_ids: Sequence[str]) -> dict[str, str]:
    """{chat id as asked: its conversation's sessionId} for those of session_ids that are
    chat ids of conversations whose sessionId differs (a widget's conversationId)."""
    chat_ids = {int(sid) for sid in session_ids if sid.isascii() and sid.isdigit()}
    chat_ids = {pk for pk in chat_ids if pk <= MAX_ROW_ID}
    if not chat_ids:
        return {}
    rows = db.session.execute(
        select(Conversation.id, Conversation.conversation_id).where(Conversation.id.in_(chat_ids))
    ).all()
    return {str(pk): cid for pk, cid in rows if str(pk) != cid}


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

"""Late metadata of captured calls (out-of-band events): merged key by key, the latest
event time winning, and the call's search keys written again."""

from datetime import datetime
from typing import Any

from sqlalchemy import select

from chatwidget.core import call_keys
from chatwidget.core.errors import NotFound
from chatwidget.extensions import db
from chatwidget.models import Call, CallKey
from chatwidget.models.types import utcnow


def _merge(call: Call, metadata: dict[str, Any], event_time: datetime | None) -> None:
    """Merge keys into call's metadata; a key keeps the value of its latest event time."""
    current = dict(call.call_metadata or {})
    times = dict(call.metadata_times or {})
    stamp = (event_time or utcnow()).isoformat()
    for key, value in metadata.items():
        if key in times and times[key] > stamp:
            continue
        current[key] = value
        times[key] = stamp
    call.call_metadata = current
    call.metadata_times = times
    db.session.execute(CallKey.__table__.delete().where(CallKey.call_pk == call.id))
    call_keys.insert_keys(
        db.session.connection(), call_keys.key_rows(call.id, call.contacts, current)
    )


def do_session_metadata(
    session_id: str, event_time: datetime | None, metadata: dict[str, Any]
) -> Call:
    """Merge out-of-band metadata into one session's call."""
    call = db.session.scalar(select(Call).filter_by(session_id=session_id))
    if call is None:
        raise NotFound("no call with SessionId %s" % session_id, errors={"SessionId": [session_id]})
    _merge(call, metadata, event_time)
    db.session.commit()
    return call


def do_master_metadata(
    master_call_id: str, event_time: datetime | None, metadata: dict[str, Any]
) -> list[Call]:
    """Merge out-of-band metadata into every call of a master call."""
    calls = list(db.session.scalars(select(Call).filter_by(master_call_id=master_call_id)))
    if not calls:
        raise NotFound(
            "no call with masterCallId %s" % master_call_id,
            errors={"masterCallId": [master_call_id]},
        )
    for call in calls:
        _merge(call, metadata, event_time)
    db.session.commit()
    return calls

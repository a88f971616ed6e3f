"""Transcript PDFs of captured calls, for agents (GET /calls/<callId>/transcript.pdf).

The same template and renderer as a conversation's transcript (core.transcripts,
core.transcript_pdfs): the chats of the call's MasterCallId together, as its page shows
them, in UTC. A PDF is kept once rendered, named after the call and the calls of its
group (a chat captured later into the group makes a new one); a purge of any call of
the group deletes every kept copy that showed it.
"""

import contextlib
import glob
import hashlib
import os
from datetime import datetime
from typing import Any

from sqlalchemy import select

from chatwidget.core import call_lookup, transcript_pdfs, transcripts
from chatwidget.core.events import publish, subscribe
from chatwidget.core.purge import on_purge
from chatwidget.core.transcripts import Line, Person, Transcript
from chatwidget.extensions import db
from chatwidget.models import Call
from chatwidget.timestamps import parse_utc

_PREFIX = "call-"


def _name(contact: dict[str, Any]) -> str:
    name = " ".join(p for p in (contact.get("FirstName"), contact.get("LastName")) if p)
    shown: str = name or contact.get("ReferenceId") or contact.get("Type") or ""
    return shown


def _lines(call: Call) -> list[Line]:
    """The call's messages in time order (by instant): System ones as notes."""
    rows: list[tuple[datetime, Line]] = []
    for contact in call.contacts or []:
        kind = (contact.get("Type") or "").lower()
        for message in contact.get("Messages") or []:
            at = parse_utc(message["UtcTimestamp"])
            shown, text = at.strftime("%Y-%m-%d %H:%M"), message.get("Content") or ""
            if kind == "system":
                rows.append((at, Line(kind="note", at=shown, text=text)))
                continue
            line = Line(kind="chat", at=shown, who=_name(contact), role=kind, text=text)
            rows.append((at, {**line, "dir": transcripts.direction(text), "attachments": []}))
    rows.sort(key=lambda row: row[0])
    return [line for _, line in rows]


def build(call: Call) -> Transcript:
    """What the transcript shows, in core.transcripts.build's shape."""
    calls = call_lookup.master_calls(call)
    lines: list[Line] = []
    for chat in calls:
        if len(calls) > 1:
            lines.append(Line(kind="note", at="", text="Chat %s" % chat.session_id))
        lines.extend(_lines(chat))
    people = {(_name(c), c.get("Type") or "") for chat in calls for c in chat.contacts or []}
    ends = [c.utc_end for c in calls if c.utc_end]
    return Transcript(
        conversationId=call.call_id,
        customerName="",
        participants=[Person(name=n, role=r) for n, r in sorted(people) if r != "System"],
        started=min(c.utc_start for c in calls).strftime("%Y-%m-%d %H:%M"),
        ended=max(ends).strftime("%Y-%m-%d %H:%M") if ends else "",
        timeZone="UTC",
        lines=lines,
    )


def _key(call: Call) -> str:
    """The kept file's name: the call, and a digest of its group's calls."""
    group = ",".join(sorted(c.call_id for c in call_lookup.master_calls(call)))
    return "%s%s-%s" % (_PREFIX, call.call_id, hashlib.sha256(group.encode()).hexdigest()[:12])


def pdf_path(call: Call) -> str:
    """The file of the call's transcript PDF, rendered off the event loop once and kept;
    Unavailable (503) when every worker is busy."""
    call_pk = call.id

    def still_there() -> bool:
        return db.session.scalar(select(Call.id).filter_by(id=call_pk)) is not None

    return transcript_pdfs.pdf_file(
        _key(call), lambda: transcripts.render_html(build(call), for_pdf=True), still_there
    )


def pdf_name(call: Call) -> str:
    return "transcript-call-%s.pdf" % call.call_id


@on_purge
def _purge_copies(call_pks: list[int]) -> None:
    """Purged calls: the kept PDFs of every call of their groups go, once committed."""
    purged = db.session.execute(
        select(Call.call_id, Call.master_call_id).where(Call.id.in_(call_pks))
    ).all()
    masters = {row.master_call_id for row in purged if row.master_call_id}
    ids = {row.call_id for row in purged}
    if masters:
        ids |= set(db.session.scalars(select(Call.call_id).where(Call.master_call_id.in_(masters))))
    if ids:
        publish(db.session, "call_transcripts.deleted", {"callIds": sorted(ids)})


@subscribe
def _delete_copies(name: str, payload: Any) -> None:
    if name != "call_transcripts.deleted":
        return
    folder = os.path.dirname(transcript_pdfs.path_of(_PREFIX + "x"))
    for call_id in payload["callIds"]:
        for path in glob.glob(os.path.join(folder, glob.escape(_PREFIX + call_id) + "-*.pdf")):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

"""Transcripts of ended conversations: what one shows, its PDF and its e-mail (who may
read one is transcript_access's)."""

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any, NotRequired, TypedDict
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from sqlalchemy import select

from chatwidget.core import customer_view, mailer, transcript_pdfs
from chatwidget.core.errors import InvalidInput
from chatwidget.core.transcript_access import customer_of, link_for
from chatwidget.extensions import db
from chatwidget.models import Conversation, Message, Participant
from chatwidget.pdfrender import FONTS

# Activities a reader of the transcript cares about; the rest (greetings, handOff,
# noAgentAvailable) is routing noise. Typing is never stored.
NOTES: dict[str | None, str] = {
    "participantJoined": "%s joined",
    "participantLeft": "%s left",
    "endOfConversation": "The conversation ended",
}


class Line(TypedDict):
    """One row of a transcript: a chat message, or a note (joined, left, ended)."""

    kind: str  # "chat" or "note"
    at: str
    text: str
    who: NotRequired[str]
    role: NotRequired[str]
    dir: NotRequired[str]
    attachments: NotRequired[list[str]]


class Person(TypedDict):
    name: str
    role: str


class Transcript(TypedDict):
    """What transcript.html shows (times already as text in the reader's zone)."""

    conversationId: str
    customerName: str
    participants: list[Person]
    started: str
    ended: str
    timeZone: str
    lines: list[Line]


def _zone(customer_fields: dict[str, Any] | None) -> tuple[tzinfo, str]:
    """(tzinfo, name): the customer's time zone (init's `timeZone`), else UTC."""
    name = (customer_fields or {}).get("timeZone")
    try:
        return (ZoneInfo(name), name) if name else (UTC, "UTC")
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return UTC, "UTC"


def direction(text: str | None) -> str:
    """HTML's dir="auto" (which xhtml2pdf lacks): the first strong character decides."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _attachment_name(item: dict[str, Any]) -> str:
    url = item.get("contentUrl") or ""
    name: str = item.get("name") or url.rstrip("/").rpartition("/")[2] or item.get("type") or "file"
    return name


def _line(message: Message, local: Callable[[datetime], str]) -> Line | None:
    """One row of the transcript, or None for what a reader need not see."""
    at = local(message.created_at)
    sender = message.sender or {}
    if message.type == "ChatMessage":
        return Line(
            kind="chat",
            at=at,
            who=sender.get("name") or "",
            role=sender.get("role") or "",
            text=message.text or "",
            dir=direction(message.text),
            attachments=[_attachment_name(a) for a in message.attachments or []],
        )
    note = NOTES.get(message.activity_type)
    if note is None:
        return None
    name = ((message.info or {}).get("participant") or {}).get("name") or ""
    return Line(kind="note", at=at, text=note % name if "%s" in note else note)


def build(conversation: Conversation) -> Transcript:
    """What a transcript shows: participants, times in the customer's zone, the messages
    the customer could see (no whispers, nothing addressed only to others), in order."""
    zone, zone_name = _zone(conversation.customer)

    def local(value: datetime) -> str:
        return value.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    customer = customer_of(conversation)
    customer_id = customer.public_id if customer else None  # as stored messages name it
    lines: list[Line] = []
    rows = db.session.scalars(
        select(Message).filter_by(conversation_pk=conversation.id).order_by(Message.seq)
    )
    for message in rows:
        if customer_view.visible_to_customer(message.tag, message.to, message.sender, customer_id):
            line = _line(message, local)
            if line:
                lines.append(line)
    people = db.session.scalars(
        select(Participant).filter_by(conversation_pk=conversation.id).order_by(Participant.id)
    )
    return Transcript(
        conversationId=conversation.conversation_id,
        customerName=customer.name if customer else "",
        participants=[Person(name=p.name, role=p.role) for p in people],
        started=local(conversation.created_at),
        ended=local(conversation.ended_at or conversation.last_message_at),
        timeZone=zone_name,
        lines=lines,
    )


def render_html(transcript: Transcript, for_pdf: bool = False, link: str | None = None) -> str:
    """transcript.html: the PDF's source (with its fonts) or the e-mail's body."""
    fonts = FONTS if for_pdf else ()
    return render_template("transcript.html", t=transcript, for_pdf=for_pdf, fonts=fonts, link=link)


def pdf_path(conversation: Conversation) -> str:
    """The file of the conversation's transcript PDF, rendered off the event loop once
    and kept (core.transcript_pdfs); Unavailable (503) when every worker is busy."""
    return transcript_pdfs.pdf_file(
        conversation.conversation_id, lambda: render_html(build(conversation), for_pdf=True)
    )


def pdf_name(conversation: Conversation) -> str:
    return "transcript-%s.pdf" % conversation.conversation_id


def send_transcript_email(conversation: Conversation) -> None:
    """Mail the transcript PDF to the customer's e-mail address (400 if there is none)."""
    if not conversation.email:
        raise InvalidInput(
            "the customer gave no e-mail address, so the transcript cannot be mailed",
            errors={"email": ["none on file for this conversation"]},
        )
    pdf = transcript_pdfs.read(pdf_path(conversation))
    transcript = build(conversation)
    link = link_for(conversation)
    days = current_app.config["TRANSCRIPT_LINK_TTL_S"] // 86400
    text = (
        "The transcript of your chat of %s is attached as a PDF.\n\n"
        "You can also download it for %d days from:\n%s\n" % (transcript["started"], days, link)
    )
    message = mailer.compose(
        conversation.email,
        "Your chat transcript (%s)" % transcript["started"],
        text,
        html=render_html(transcript, link=link),
        attachments=[(pdf_name(conversation), "application", "pdf", pdf)],
    )
    mailer.send(message)

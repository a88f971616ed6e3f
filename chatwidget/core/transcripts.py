"""Transcripts of ended conversations: who may read one, what it shows, PDF and e-mail."""

import hashlib
import hmac
import unicodedata
from datetime import UTC
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy import select

from chatwidget.core import agents, customer_view, identity, mailer, transcript_pdfs
from chatwidget.core.errors import InvalidInput, NotFound, Unauthorized
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, Message, Participant
from chatwidget.pdfrender import FONTS

# What a link's token signs: always the same, so the token carries nothing but its time
# of issue and a MAC (the conversation is bound through the signer's salt).
_LINK_VALUE = b"pdf"
# Activities a reader of the transcript cares about; the rest (greetings, handOff,
# noAgentAvailable) is routing noise. Typing is never stored.
NOTES = {
    "participantJoined": "%s joined",
    "participantLeft": "%s left",
    "endOfConversation": "The conversation ended",
}


def _signer(conversation_id):
    """The link signer of one conversation: its id is in the salt, not in the token."""
    return TimestampSigner(
        current_app.config["SECRET_KEY"],
        salt="transcript-link:%s" % conversation_id,
        digest_method=hashlib.sha256,
    )


def link_for(conversation):
    """A signed URL of the conversation's PDF, valid TRANSCRIPT_LINK_TTL_S, no id needed.

    itsdangerous payloads are only base64: this token has none (a fixed value, its time
    of issue and an HMAC), so it reveals nothing beyond the conversation id of the path.
    """
    token = _signer(conversation.conversation_id).sign(_LINK_VALUE).decode("ascii")
    return "%s/api/customer/transcript/%s/pdf?token=%s" % (
        current_app.config["PUBLIC_URL"],
        conversation.conversation_id,
        token,
    )


def _link_matches(conversation_id, token):
    ttl = current_app.config["TRANSCRIPT_LINK_TTL_S"]
    try:
        value = _signer(conversation_id).unsign(token, max_age=ttl)
    except BadSignature:  # SignatureExpired included: an old link reveals nothing either
        return False
    return hmac.compare_digest(value, _LINK_VALUE)


def is_staff(bearer=None, session_agent_id=None):
    """True for an agent (console session or agent token) or an `admin` API user.

    A bearer that is neither is 401; an API user without `admin` is 403, decided
    before the conversation is looked at, so neither answer reveals anything about it.
    """
    if session_agent_id and db.session.get(Agent, session_agent_id) is not None:
        return True
    if not bearer:
        return False
    try:
        agents.agent_from_token(bearer)
        return True
    except Unauthorized:
        pass
    try:
        user = identity.user_from_token(bearer)
    except Unauthorized:
        raise Unauthorized(
            "invalid or expired token: send an agent token (POST /api/agent/token) "
            "or the bearer of an admin API user (POST /Token)"
        ) from None
    identity.check_role(user, "admin")
    return True


def check_reader(conversation_id, staff=False, participant_id=None, token=None):
    """The ended conversation this caller may read; NotFound for anything else.

    Ongoing, unknown, a wrong participant id or link: all the same 404.
    """
    missing = NotFound("no ended conversation %s for these credentials" % conversation_id)
    conversation = db.session.scalar(
        select(Conversation).filter_by(conversation_id=str(conversation_id))
    )
    if conversation is None or conversation.state != "ended":
        raise missing
    if staff or (token and _link_matches(conversation.conversation_id, token)):
        return conversation
    customer = _customer(conversation)
    given = str(participant_id or "").encode()
    if customer and given and hmac.compare_digest(customer.participant_id.encode(), given):
        return conversation
    raise missing


def _customer(conversation):
    return db.session.scalar(
        select(Participant).filter_by(conversation_pk=conversation.id, role="customer")
    )


def _zone(customer_fields):
    """(tzinfo, name): the customer's time zone (init's `timeZone`), else UTC."""
    name = (customer_fields or {}).get("timeZone")
    try:
        return (ZoneInfo(name), name) if name else (UTC, "UTC")
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return UTC, "UTC"


def direction(text):
    """HTML's dir="auto" (which xhtml2pdf lacks): the first strong character decides."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _attachment_name(item):
    url = item.get("contentUrl") or ""
    return item.get("name") or url.rstrip("/").rpartition("/")[2] or item.get("type") or "file"


def _line(message, local):
    """One row of the transcript, or None for what a reader need not see."""
    at = local(message.created_at)
    sender = message.sender or {}
    if message.type == "ChatMessage":
        return {
            "kind": "chat",
            "at": at,
            "who": sender.get("name") or "",
            "role": sender.get("role") or "",
            "text": message.text or "",
            "dir": direction(message.text),
            "attachments": [_attachment_name(a) for a in message.attachments or []],
        }
    note = NOTES.get(message.activity_type)
    if note is None:
        return None
    name = ((message.info or {}).get("participant") or {}).get("name") or ""
    return {"kind": "note", "at": at, "text": note % name if "%s" in note else note}


def build(conversation):
    """What a transcript shows: participants, times in the customer's zone, the messages
    the customer could see (no whispers, nothing addressed only to others), in order."""
    zone, zone_name = _zone(conversation.customer)

    def local(value):
        return value.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    customer = _customer(conversation)
    customer_id = customer.public_id if customer else None  # as stored messages name it
    lines = []
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
    return {
        "conversationId": conversation.conversation_id,
        "customerName": customer.name if customer else "",
        "participants": [{"name": p.name, "role": p.role} for p in people],
        "started": local(conversation.created_at),
        "ended": local(conversation.ended_at or conversation.last_message_at),
        "timeZone": zone_name,
        "lines": lines,
    }


def render_html(transcript, for_pdf=False, link=None):
    """transcript.html: the PDF's source (with its fonts) or the e-mail's body."""
    fonts = FONTS if for_pdf else ()
    return render_template("transcript.html", t=transcript, for_pdf=for_pdf, fonts=fonts, link=link)


def pdf_path(conversation):
    """The file of the conversation's transcript PDF, rendered off the event loop once
    and kept (core.transcript_pdfs); Unavailable (503) when every worker is busy."""
    return transcript_pdfs.pdf_file(
        conversation.conversation_id, lambda: render_html(build(conversation), for_pdf=True)
    )


def pdf_name(conversation):
    return "transcript-%s.pdf" % conversation.conversation_id


def do_email(conversation):
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

"""Transcripts of ended conversations: who may read one, what it shows, PDF and e-mail."""

import hmac
import io
import logging
import os
import unicodedata
from datetime import UTC
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from chatwidget.core import agents, identity, mailer, messages
from chatwidget.core.errors import InvalidInput, NotFound, Unauthorized
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, Message, Participant

log = logging.getLogger(__name__)
_SALT = "transcript-link"
# TrueType (glyf) faces reportlab can embed: DejaVu Sans draws Latin, Greek, Cyrillic and
# Arabic (with its presentation forms), Droid Sans Fallback draws CJK. `make run` and
# `make test` install them (fonts-dejavu-core, fonts-droid-fallback) when missing.
FONTS = (
    ("ChatSans", "normal", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    ("ChatSans", "bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("ChatCJK", "normal", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)
# Activities a reader of the transcript cares about; the rest (greetings, handOff,
# noAgentAvailable) is routing noise. Typing is never stored.
NOTES = {
    "participantJoined": "%s joined",
    "participantLeft": "%s left",
    "endOfConversation": "The conversation ended",
}


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def link_for(conversation):
    """A signed URL of the conversation's PDF, valid TRANSCRIPT_LINK_TTL_S, no id needed."""
    token = _serializer().dumps({"c": conversation.conversation_id})
    return "%s/api/customer/transcript/%s/pdf?token=%s" % (
        current_app.config["PUBLIC_URL"],
        conversation.conversation_id,
        token,
    )


def _link_matches(conversation_id, token):
    try:
        data = _serializer().loads(token, max_age=current_app.config["TRANSCRIPT_LINK_TTL_S"])
    except BadSignature:  # SignatureExpired included: an old link reveals nothing either
        return False
    return isinstance(data, dict) and data.get("c") == conversation_id


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


def _line(message, wire, local):
    """One row of the transcript, or None for what a reader need not see."""
    at = local(message.created_at)
    sender = wire.get("from") or {}
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
        wire = messages.to_wire(message, conversation.conversation_id)
        if messages.visible_to_customer(wire, customer_id):
            line = _line(message, wire, local)
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


def render_pdf(transcript):
    """The transcript as PDF bytes (xhtml2pdf; CPU-bound, some tens of ms a page)."""
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    missing = [path for _, _, path in FONTS if not os.path.exists(path)]
    if missing:
        log.warning("transcript fonts missing (run `make run` as root): %s", missing)
    # The document may read the font files and nothing else: no network, no other file.
    root = os.path.commonpath([os.path.dirname(path) for _, _, path in FONTS])
    policy = ResourceAccessPolicy(allow_remote=False, base_dir=root)
    out = io.BytesIO()
    status = pisa.CreatePDF(render_html(transcript, for_pdf=True), dest=out, resource_policy=policy)
    if status.err:
        raise RuntimeError("transcript PDF rendering failed (%s errors)" % status.err)
    return out.getvalue()


def pdf_name(conversation):
    return "transcript-%s.pdf" % conversation.conversation_id


def do_email(conversation):
    """Mail the transcript PDF to the customer's e-mail address (400 if there is none)."""
    if not conversation.email:
        raise InvalidInput(
            "the customer gave no e-mail address, so the transcript cannot be mailed",
            errors={"email": ["none on file for this conversation"]},
        )
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
        attachments=[(pdf_name(conversation), "application", "pdf", render_pdf(transcript))],
    )
    mailer.send(message)

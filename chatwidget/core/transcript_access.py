"""Who may read a transcript: staff, the conversation's customer, or a signed link's holder."""

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy import select

from chatwidget.core import agents, identity
from chatwidget.core.errors import NotFound, Unauthorized
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, Participant

# What a link's token signs: always the same, so the token carries nothing but its time
# of issue and a MAC (the conversation is bound through the signer's salt).
_LINK_VALUE = b"pdf"


def _signer(conversation_id: str) -> TimestampSigner:
    """The link signer of one conversation: its id is in the salt, not in the token."""
    return TimestampSigner(
        current_app.config["SECRET_KEY"],
        salt="transcript-link:%s" % conversation_id,
        digest_method=hashlib.sha256,
    )


def link_for(conversation: Conversation) -> str:
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


def _link_matches(conversation_id: str, token: str) -> bool:
    ttl = current_app.config["TRANSCRIPT_LINK_TTL_S"]
    try:
        value = _signer(conversation_id).unsign(token, max_age=ttl)
    except BadSignature:  # SignatureExpired included: an old link reveals nothing either
        return False
    return hmac.compare_digest(value, _LINK_VALUE)


def is_staff(bearer: str | None = None, session_agent_id: int | None = None) -> bool:
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


def check_reader(
    conversation_id: object,
    staff: bool = False,
    participant_id: object = None,
    token: str | None = None,
) -> Conversation:
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
    customer = customer_of(conversation)
    given = str(participant_id or "").encode()
    if customer and given and hmac.compare_digest(customer.participant_id.encode(), given):
        return conversation
    raise missing


def customer_of(conversation: Conversation) -> Participant | None:
    """The conversation's customer participant (None for none)."""
    return db.session.scalar(
        select(Participant).filter_by(conversation_pk=conversation.id, role="customer")
    )

"""Identified widget visitors: identity proofs (JWT or HMAC) and their end users.

An integrator vouches for a visitor with COMPANY_SECRET, either as a JWT (HS256, `sub`
the integrator's id for the person, `exp` required) or as identifier + hex
HMAC-SHA256(COMPANY_SECRET, identifier). Either makes the visitor's conversations
belong to the end user with that identifier.
"""

import hashlib
import hmac
from typing import Any, TypedDict

import jwt
from flask import current_app
from sqlalchemy import select

from chatwidget.core.customer_view import visible_to_customer
from chatwidget.core.errors import InvalidInput, Unauthorized
from chatwidget.core.queues import insert_or_ignore
from chatwidget.emails import is_email
from chatwidget.extensions import db
from chatwidget.models import Conversation, EndUser, Message, Participant, Queue
from chatwidget.models.types import utcnow
from chatwidget.timestamps import format_utc
from chatwidget.unstorable import bad_text

# How much of a conversation's last message its listing shows.
SNIPPET_CHARS = 200


class UserConversation(TypedDict):
    """One of an end user's conversations, with the pair that lets its holder rejoin it."""

    conversationId: str
    participantId: str
    state: str
    subject: str
    createdAt: str
    endedAt: str | None
    rating: int | None
    lastMessage: str | None


class Identity(TypedDict):
    """Who an identity proof vouches for: the integrator's id, and a name and e-mail a
    JWT may add."""

    identifier: str
    name: str | None
    email: str | None


def _secret() -> bytes:
    secret: str = current_app.config["COMPANY_SECRET"]
    return secret.encode()


def _clean_identifier(value: object, field: str) -> str:
    """An identifier an end_user row can hold: 1-255 storable characters."""
    if not isinstance(value, str) or not value.strip() or len(value) > 255 or bad_text(value):
        reason = "1 to 255 characters, no NUL or unpaired surrogate"
        raise InvalidInput("%s: %s" % (field, reason), errors={field: [reason]})
    return value


def _optional(claims: dict[str, Any], name: str, limit: int) -> str | None:
    """A claim given as a string (cut to the column's size), else None."""
    value = claims.get(name)
    if not isinstance(value, str) or not value.strip() or bad_text(value):
        return None
    return value.strip()[:limit]


def check_company_jwt(
    token: str, required: list[str], what: str, leeway: float = 0
) -> dict[str, Any]:
    """The claims of a JWT signed HS256 with COMPANY_SECRET (no other algorithm, not
    `none`) that has every claim in `required`; `exp` and `iat` are checked, with `leeway`
    seconds of clock skew. Unauthorized, naming `what`, otherwise."""
    if not _secret():
        raise Unauthorized("%s cannot be checked: COMPANY_SECRET is not set" % what)
    try:
        claims: dict[str, Any] = jwt.decode(
            token, _secret(), algorithms=["HS256"], options={"require": required}, leeway=leeway
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("%s expired" % what) from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("invalid %s: %s" % (what, exc)) from None
    return claims


def check_token(token: str) -> Identity:
    """The identity a JWT vouches for: {"identifier", "name", "email"}; Unauthorized if
    its signature is wrong, it has expired, or it lacks `exp` or `sub`."""
    claims = check_company_jwt(token, ["exp", "sub"], "identity token")
    email = _optional(claims, "email", 255)
    if email and not is_email(email):
        email = None
    return Identity(
        identifier=_clean_identifier(claims["sub"], "identityToken"),
        name=_optional(claims, "name", 200),
        email=email,
    )


def check_hash(identifier: object, given_hash: object) -> Identity:
    """identifier, if given_hash is its hex HMAC-SHA256 under COMPANY_SECRET (compared in
    constant time); Unauthorized otherwise."""
    clean = _clean_identifier(identifier, "identifier")
    expected = hmac.new(_secret(), clean.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), str(given_hash or "").lower().encode()):
        raise Unauthorized("identifierHash does not match identifier")
    return Identity(identifier=clean, name=None, email=None)


def check_proof(data: dict[str, Any]) -> Identity | None:
    """The identity init's identityToken or identifier + identifierHash vouch for, or None
    when neither is given."""
    token, identifier = data.get("identityToken"), data.get("identifier")
    given_hash = data.get("identifierHash")
    if token and (identifier or given_hash):
        raise InvalidInput(
            "give identityToken or identifier + identifierHash, not both",
            errors={"identityToken": ["Not with identifier."]},
        )
    if token:
        return check_token(token)
    if identifier or given_hash:
        for name, value in (("identifier", identifier), ("identifierHash", given_hash)):
            if not value:
                raise InvalidInput(
                    "%s is required with the other" % name, errors={name: ["Missing."]}
                )
        return check_hash(identifier, given_hash)
    return None


def end_user_for(identity: Identity) -> EndUser:
    """The end user with this identity's identifier, created on first use (in the
    caller's transaction); its name and e-mail follow the latest token that gives them."""
    user = db.session.scalar(select(EndUser).filter_by(identifier=identity["identifier"]))
    if user is None:
        values = {"identifier": identity["identifier"], "created_at": utcnow()}
        insert_or_ignore(EndUser, values, ["identifier"])
        user = db.session.scalars(
            select(EndUser).filter_by(identifier=identity["identifier"])
        ).one()
    user.name = identity["name"] or user.name
    user.email = identity["email"] or user.email
    return user


def with_identity(data: dict[str, Any], identity: Identity) -> dict[str, Any]:
    """init's fields completed from a vouched identity: the token's name and e-mail where
    the visitor gave none, and the identifier as refId when nothing else identifies them."""
    data = dict(data)
    if identity["name"] and not (data.get("firstName") or data.get("lastName")):
        data["firstName"] = identity["name"][:100]
    if identity["email"] and not data.get("email"):
        data["email"] = identity["email"]
    if not any(data.get(k) for k in ("refId", "phone", "email")):
        data["refId"] = identity["identifier"]
    return data


def _last_text(conversation_pk: int) -> str | None:
    """The text of the latest message the customer could see, or None."""
    rows = db.session.execute(
        select(Message.text, Message.tag, Message.to, Message.sender)
        .where(Message.conversation_pk == conversation_pk, Message.type == "ChatMessage")
        .order_by(Message.seq.desc())
        .limit(20)
    ).all()
    customer = db.session.scalar(
        select(Participant.public_id).filter_by(conversation_pk=conversation_pk, role="customer")
    )
    for row in rows:
        if visible_to_customer(row.tag, row.to, row.sender, customer) and row.text:
            snippet: str = row.text[:SNIPPET_CHARS]
            return snippet
    return None


def conversations_of(token: str, limit: int) -> list[UserConversation]:
    """The conversations of the end user a JWT identifies, newest first: each with its
    participant pair (the token's holder is that customer), state and times."""
    identity = check_token(token)
    rows = db.session.execute(
        select(Conversation, Participant.participant_id, Queue.name)
        .join(EndUser, EndUser.id == Conversation.end_user_id)
        .join(Queue, Queue.id == Conversation.queue_id)
        .join(
            Participant,
            (Participant.conversation_pk == Conversation.id) & (Participant.role == "customer"),
        )
        .where(EndUser.identifier == identity["identifier"])
        .order_by(Conversation.created_at.desc(), Conversation.id.desc())
        .limit(limit)
    ).all()
    return [
        UserConversation(
            conversationId=conversation.conversation_id,
            participantId=participant_id,
            state=conversation.state,
            subject=subject,
            createdAt=format_utc(conversation.created_at),
            endedAt=format_utc(conversation.ended_at),
            rating=conversation.rating,
            lastMessage=_last_text(conversation.id),
        )
        for conversation, participant_id, subject in rows
    ]

"""Helpers for the widget's REST routes: ended conversations, identity proofs."""

import hashlib
import hmac
import time
import warnings

import jwt
from sqlalchemy import func, select

from chatwidget.core import conversations, handling
from chatwidget.extensions import db
from chatwidget.models import Conversation
from tests.sockets.helpers import init


def ended(app, **body):
    """An init'ed conversation ended by the customer: (conversationId, participant id)."""
    conversation_id, participant_id = init(app, **body)
    with app.app_context():
        handling.do_end(conversations.get(conversation_id), "customer")
    return conversation_id, participant_id


def conversation_row(app, conversation_id):
    """The conversation's row, detached (read its columns)."""
    with app.app_context():
        row = db.session.scalar(select(Conversation).filter_by(conversation_id=conversation_id))
        db.session.expunge(row)
        return row


def conversation_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Conversation.id)))


def identity_token(app, sub="user-42", secret=None, lifetime=300, algorithm="HS256", **claims):
    """A JWT as an integrator signs it; lifetime None leaves out exp, sub None leaves out sub."""
    payload = {"iat": int(time.time()), **claims}
    if sub is not None:
        payload["sub"] = sub
    if lifetime is not None:
        payload["exp"] = int(time.time()) + lifetime
    key = secret or app.config["COMPANY_SECRET"]
    with warnings.catch_warnings():  # a test key shorter than HS512 would like is fine
        warnings.simplefilter("ignore")
        return jwt.encode(payload, key, algorithm=algorithm)


def identifier_hash(app, identifier):
    """hex HMAC-SHA256(COMPANY_SECRET, identifier), as the integrator's server computes it."""
    secret = app.config["COMPANY_SECRET"].encode()
    return hmac.new(secret, identifier.encode(), hashlib.sha256).hexdigest()

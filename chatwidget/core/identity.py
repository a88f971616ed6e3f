"""API users, their secrets and bearer tokens."""

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import Row, Text, bindparam, cast, select

from chatwidget import tokens
from chatwidget.core.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from chatwidget.extensions import db
from chatwidget.models import ApiUser
from chatwidget.models.api_user import holds
from chatwidget.models.types import utcnow
from chatwidget.patches.prepared import Prepared

ROLES = ("chat_capture", "purge", "async_metadata", "call_share", "apps_api", "connector", "admin")
_DUMMY_HASH = hashlib.sha256(b"no such client").hexdigest()
# What a request needs of its API user, read without the ORM (see _api_user).
ApiUserRow = Row[int, str, str, list[str], datetime | None]
_USERS = ApiUser.__table__


def hash_secret(secret: str) -> str:
    """SHA-256 of a client secret.

    Client secrets are 256 random bits, so a fast hash is as safe as a slow one here
    and keeps per-request Basic auth (chats API) cheap; agent passwords use scrypt.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def do_create_api_user(name: str, roles: Sequence[str]) -> tuple[ApiUser, str]:
    """Create an API user; returns (user, secret). The secret is shown only this once."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise InvalidInput("roles must be among %s" % ", ".join(ROLES), errors={"role": unknown})
    secret = secrets.token_urlsafe(32)
    user = ApiUser(
        name=name,
        client_id=secrets.token_hex(12),
        secret_hash=hash_secret(secret),
        roles=sorted(set(roles)),
    )
    db.session.add(user)
    db.session.commit()
    return user, secret


def do_revoke_api_user(client_id: str) -> ApiUser:
    """Revoke an API user: its tokens and Basic credentials stop working at once."""
    user = db.session.scalar(select(ApiUser).filter_by(client_id=client_id))
    if user is None:
        raise NotFound("no API user with client_id %s" % client_id)
    user.revoked_at = user.revoked_at or utcnow()
    db.session.commit()
    return user


# Basic auth (the chats API) reads this on every request: a Prepared statement, no ORM
# object. Its columns need no conversion: the roles as their JSON text, and whether revoked.
_BY_CLIENT = Prepared(
    select(
        _USERS.c.id,
        _USERS.c.name,
        _USERS.c.client_id,
        cast(_USERS.c.roles, Text),
        _USERS.c.revoked_at.is_not(None),
        _USERS.c.secret_hash,
    ).where(_USERS.c.client_id == bindparam("client_id"))
)


class Client(NamedTuple):
    """An authenticated API user, as a request needs it."""

    id: int
    name: str
    client_id: str
    roles: list[str]
    revoked_at: datetime | None


def authenticate_client(client_id: str | None, secret: str | None) -> Client | None:
    """The active API user with these credentials, or None. Compared in constant time."""
    row = _BY_CLIENT.first(client_id=client_id or "")
    expected = row[5] if row else _DUMMY_HASH
    ok = hmac.compare_digest(expected, hash_secret(secret or ""))
    if not ok or row is None or row[4]:
        return None
    user_id, name, client, roles, _, _ = row
    return Client(user_id, name, client, json.loads(roles or "[]"), None)


def issue_token(user: ApiUser | Client) -> tuple[str, int]:
    """A signed bearer token for user; returns (token, seconds it lives)."""
    token = tokens.serializer(current_app.config["SECRET_KEY"]).dumps({"u": user.id})
    return token, current_app.config["TOKEN_TTL_S"]


def user_from_token(token: str) -> ApiUser | ApiUserRow:
    """The API user a bearer token stands for; Unauthorized if forged, expired or revoked.

    A row of it (id, name, client_id, roles, revoked_at), see _api_user.
    """
    try:
        config = current_app.config
        data = tokens.load(config["SECRET_KEY"], token, max_age=config["TOKEN_TTL_S"])
    except SignatureExpired:
        raise Unauthorized("token expired: request a new one from /Token") from None
    except BadSignature:
        raise Unauthorized("invalid token") from None
    user = _api_user(data.get("u")) if isinstance(data, dict) else None
    if user is None or user.revoked_at is not None:
        raise Unauthorized("invalid token")
    return user


# What a request needs of its API user: who it is, its roles, whether it was revoked.
_USER_BY_ID = select(
    _USERS.c.id, _USERS.c.name, _USERS.c.client_id, _USERS.c.roles, _USERS.c.revoked_at
).where(_USERS.c.id == bindparam("id"))


def _api_user(user_id: object) -> ApiUser | ApiUserRow | None:
    """The API user with this id as stored right now, or None: this runs on every API call.

    One Core query on a pooled connection, no ORM session: the user comes back as a
    row (id, name, client_id, roles, revoked_at), read fresh every time so that a
    revocation counts from the very next request, in every process.
    """
    if type(user_id) is not int:
        return db.session.get(ApiUser, user_id)  # not a token this server issues
    with db.engine.connect() as connection:
        return connection.execute(_USER_BY_ID, {"id": user_id}).first()


def check_role(user: ApiUser | ApiUserRow | Client, role: str) -> None:
    """Forbidden unless user (an ApiUser or its row) holds role."""
    if not holds(user.roles, role):
        raise Forbidden("this API user lacks the role %s" % role)

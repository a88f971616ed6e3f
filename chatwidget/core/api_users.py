"""API users as the admin pages list, create and revoke them (core.identity does the work)."""

from collections.abc import Sequence
from typing import TypedDict

from sqlalchemy import select

from chatwidget.core import identity
from chatwidget.core.errors import InvalidInput, NotFound
from chatwidget.extensions import db
from chatwidget.models import ApiUser
from chatwidget.timestamps import format_utc


class ApiUserView(TypedDict):
    """An API user without its secret (only its hash is kept)."""

    id: int
    name: str
    clientId: str
    roles: list[str]
    createdAt: str
    revokedAt: str | None


class NewApiUser(ApiUserView):
    """A new API user with its secret: in the answer this once, never again."""

    clientSecret: str


def describe(user: ApiUser) -> ApiUserView:
    """An API user without its secret (only its hash is kept)."""
    return ApiUserView(
        id=user.id,
        name=user.name,
        clientId=user.client_id,
        roles=list(user.roles or []),
        createdAt=format_utc(user.created_at),
        revokedAt=format_utc(user.revoked_at),
    )


def list_users() -> list[ApiUserView]:
    """Every API user, active ones first, newest first."""
    rows = db.session.scalars(
        select(ApiUser).order_by(ApiUser.revoked_at.is_not(None), ApiUser.id.desc())
    )
    return [describe(user) for user in rows]


def do_create(name: str, roles: Sequence[str]) -> NewApiUser:
    """A new API user; its secret is in the answer this once, never again."""
    if not name.strip():
        raise InvalidInput("name: may not be blank", errors={"name": ["may not be blank"]})
    user, secret = identity.do_create_api_user(name.strip(), roles)
    return NewApiUser(**describe(user), clientSecret=secret)


def do_revoke(user_id: int) -> ApiUserView:
    """Revoke an API user by id (idempotent: a revoked one keeps its first revokedAt)."""
    user = db.session.get(ApiUser, user_id)
    if user is None:
        raise NotFound("no API user %s" % user_id)
    return describe(identity.do_revoke_api_user(user.client_id))

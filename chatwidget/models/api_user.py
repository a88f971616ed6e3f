"""API users: integrators' credentials for the REST APIs."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from chatwidget.extensions import db
from chatwidget.models.types import utcnow


def holds(roles, role):
    """Whether roles include role, or admin, which stands for every role."""
    return role in roles or "admin" in roles


class ApiUser(db.Model):
    """A client_id / hashed client_secret pair with the roles it holds."""

    __tablename__ = "api_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

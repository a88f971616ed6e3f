"""API users: integrators' credentials for the REST APIs."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from chatwidget.extensions import Model
from chatwidget.models.types import utcnow


def holds(roles: Iterable[str], role: str) -> bool:
    """Whether roles include role, or admin, which stands for every role."""
    return role in roles or "admin" in roles


class ApiUser(Model):
    """A client_id / hashed client_secret pair with the roles it holds."""

    __tablename__ = "api_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

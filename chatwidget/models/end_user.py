"""End users: the people an integrator identifies (widget identity, chats API)."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from chatwidget.extensions import Model
from chatwidget.models.types import utcnow


class EndUser(Model):
    """A person known by the integrator's own id for them (`identifier`, a JWT's `sub`)."""

    __tablename__ = "end_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty for an end user the chats API created from a phone or an e-mail, until the
    # integrator names them (POST …/end-user).
    identifier: Mapped[str | None] = mapped_column(String(255), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(255), index=True)
    phone: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Canned responses: replies the whole team keeps ready, typed in the console as `/shortcut`."""

import re
from typing import TypedDict

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from chatwidget.core.errors import Conflict, InvalidInput, NotFound
from chatwidget.extensions import db
from chatwidget.models import Agent, CannedResponse
from chatwidget.models.types import MAX_ROW_ID, utcnow

SHORTCUT = re.compile(r"[a-z0-9_-]{1,40}")


class Canned(TypedDict):
    """A canned response as the console shows it."""

    id: int
    shortcut: str
    text: str


def describe(item: CannedResponse) -> Canned:
    """A canned response as the console shows it."""
    return Canned(id=item.id, shortcut=item.shortcut, text=item.text)


def listing() -> list[Canned]:
    """Every canned response, by shortcut."""
    rows = db.session.scalars(select(CannedResponse).order_by(CannedResponse.shortcut))
    return [describe(item) for item in rows]


def check_shortcut(value: str) -> str:
    """The shortcut lower-cased: 1-40 characters of a-z, 0-9, _ and -."""
    shortcut = value.strip().lower()
    if not SHORTCUT.fullmatch(shortcut):
        reason = "1 to 40 characters of a-z, 0-9, _ and -."
        raise InvalidInput("shortcut: " + reason, errors={"shortcut": [reason]})
    return shortcut


def check_text(value: str) -> str:
    """The text as given, if not blank and within MAX_MESSAGE_CHARS (it becomes a message)."""
    limit = current_app.config["MAX_MESSAGE_CHARS"]
    if not value.strip() or len(value) > limit:
        reason = "1 to %d characters, not only spaces." % limit
        raise InvalidInput("text: " + reason, errors={"text": [reason]})
    return value


def _commit(shortcut: str) -> None:
    """Commit; Conflict (nothing written) when another response has the shortcut."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("the shortcut /%s is taken" % shortcut) from None


def do_create(agent: Agent, shortcut: str, text: str) -> Canned:
    """A new canned response by agent."""
    shortcut, text = check_shortcut(shortcut), check_text(text)
    item = CannedResponse(shortcut=shortcut, text=text, created_by=agent.id)
    db.session.add(item)
    _commit(shortcut)
    return describe(item)


def get(item_id: int) -> CannedResponse:
    """The canned response with this id, or NotFound (also for an id no INTEGER holds,
    which PostgreSQL would refuse with an error)."""
    item = db.session.get(CannedResponse, item_id) if 0 < item_id <= MAX_ROW_ID else None
    if item is None:
        raise NotFound("no canned response %s" % item_id)
    return item


def do_update(item_id: int, shortcut: str | None = None, text: str | None = None) -> Canned:
    """Change the shortcut, the text or both (at least one)."""
    if shortcut is None and text is None:
        raise InvalidInput("give shortcut or text", errors={"shortcut": ["missing"]})
    shortcut = check_shortcut(shortcut) if shortcut is not None else None
    text = check_text(text) if text is not None else None
    item = get(item_id)
    item.shortcut = shortcut or item.shortcut
    item.text = text if text is not None else item.text
    item.updated_at = utcnow()
    _commit(item.shortcut)
    return describe(item)


def do_delete(item_id: int) -> None:
    """Remove a canned response."""
    db.session.delete(get(item_id))
    db.session.commit()

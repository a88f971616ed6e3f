"""The calls archive: bulk import and export of captured calls (the CLI's import-calls
and export-calls; the file format is chatwidget.schemas.call_archive's)."""

from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy import select

from chatwidget.core import capture
from chatwidget.core.errors import Conflict
from chatwidget.extensions import db
from chatwidget.models import Call


def do_import_call(
    chat: dict[str, Any], call_id: str | None = None
) -> tuple[Literal["imported", "skipped"], str | None]:
    """Capture one loaded ChatCall; returns ("imported"|"skipped", reason or None).
    Idempotent on SessionId: a call already stored is skipped."""
    if capture.session_exists(chat["SessionId"]):
        return "skipped", "SessionId %s already stored" % chat["SessionId"]
    try:
        capture.do_capture(chat, call_id=call_id)
    except Conflict as exc:
        return "skipped", exc.message
    return "imported", None


def iter_calls(batch: int = 500) -> Iterator[Call]:
    """Every finished call, oldest first, read in batches."""
    last = 0
    while True:
        rows = db.session.scalars(
            select(Call)
            .where(Call.id > last, Call.status == "Complete")
            .order_by(Call.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        db.session.expunge_all()

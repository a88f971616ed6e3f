"""Compare-and-set on one row: the primitive every state change of a live chat uses.

The condition is in the UPDATE's WHERE clause, so it holds under concurrent processes
on PostgreSQL (the row lock re-checks it) and on SQLite (one writer at a time).
"""

from typing import Any, cast

from sqlalchemy import CursorResult, Update

from chatwidget.extensions import db


def compare_and_set(statement: Update) -> bool:
    """Run a conditional UPDATE; True when it changed exactly one row (the condition
    held), False when another writer changed the row first."""
    # An UPDATE's result is a CursorResult (Session.execute is typed for SELECTs).
    result = cast(
        CursorResult[Any],
        db.session.execute(statement.execution_options(synchronize_session=False)),
    )
    return result.rowcount == 1

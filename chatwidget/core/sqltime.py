"""Time arithmetic in SQL that reads the same on SQLite and PostgreSQL.

Both keep naive UTC datetimes (models.types.utcnow), SQLite as ISO text: julianday()
reads it there, EXTRACT(EPOCH …) an interval on PostgreSQL.
"""

import sqlite3
from datetime import datetime

from sqlalchemy import ColumnElement, Float, SQLColumnExpression, cast, func

from chatwidget.extensions import db

# julianday() counts days as a double: ~10 µs of rounding noise per difference.
_DAY_S = 86400.0
_SQLiteValue = str | bytes | int | float | None  # what SQLite hands a function
HOUR_FORMAT = "%Y-%m-%d %H:00:00"  # what hour_of() gives, as Python's strptime reads it


def dialect() -> str:
    """The name of the database's dialect: "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name


def seconds_between(
    later: SQLColumnExpression[datetime | None], earlier: SQLColumnExpression[datetime | None]
) -> ColumnElement[float]:
    """SQL: later − earlier in seconds (a float; NULL when either is NULL)."""
    if dialect() == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * _DAY_S
    return cast(func.extract("epoch", later - earlier), Float)


def hour_of(column: SQLColumnExpression[datetime | None]) -> ColumnElement[str]:
    """SQL: the UTC hour a datetime falls in, as text in HOUR_FORMAT."""
    if dialect() == "sqlite":
        return func.strftime(HOUR_FORMAT, column)
    return func.to_char(func.date_trunc("hour", column), "YYYY-MM-DD HH24:00:00")


def _lower(value: _SQLiteValue) -> _SQLiteValue:
    return value.lower() if isinstance(value, str) else value


def install_sqlite_functions(dbapi_connection: sqlite3.Connection) -> None:
    """On each SQLite connection: unicode_lower(), lower() for every script (SQLite's
    own folds only A-Z), so case-insensitive searches match "É" with "é" as on
    PostgreSQL."""
    dbapi_connection.create_function("unicode_lower", 1, _lower, deterministic=True)

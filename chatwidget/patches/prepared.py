"""SQLAlchemy 2.1.9: statements compiled once and run on the session's DBAPI connection.

Written for SQLAlchemy 2.1.9 (requirements.txt): reads the compiler's `bind_names` and
`positiontup`, a bind's `required` and `effective_value`, the dialect's `loaded_dbapi` and
`is_disconnect`, and raises through `DBAPIError.instance`, none of them documented for
callers. Measured gain on bench/relay.py (1,000 msg/s; a chat message runs three of these):
19 % of the server's CPU per message, 0.274 ms in against 0.337 out (docs/performance.md,
"Library patches"). Out (CHATWIDGET_PATCHES_OFF=prepared): the same statements run through
`db.session.execute`, and `pinned()` does nothing.

Through the Session, one small Core statement costs tens of microseconds of Python
(execution context, parameter and result objects, events) around the few the driver
needs; a chat message runs three. A Prepared statement is compiled by SQLAlchemy once
per dialect (the same SQL text and the same bind processing: JSON, datetimes, casts),
then run with the driver's cursor on the DBAPI connection of the session's current
transaction, so it commits or rolls back with everything else the session did. Driver
errors are raised as SQLAlchemy's (IntegrityError, OperationalError …), as the Session
would raise them.

The parameters are laid out by a plan made at compile time (which bound name goes where,
through which of the dialect's processors; the statement's own literals processed once)
rather than by SQLAlchemy's general construct_params on every run. Within `pinned()`,
statements run on the connection looked up when the block began, instead of asking the
session for it each time (a batch of messages runs a dozen statements in one transaction).

Only for statements whose result columns need no conversion (integers, strings).
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar, cast

from flask import Flask, g
from sqlalchemy import Connection, Delete, Dialect, Insert, Result, Select, Update, exc, types
from sqlalchemy.engine.interfaces import DBAPIConnection

from chatwidget import patches
from chatwidget.extensions import db

ENABLED = patches.enabled("prepared")

_READING = "chatwidget_reading_connection"  # reading()'s connection, on flask.g
_pinned: ContextVar[Connection | None] = ContextVar("chatwidget_pinned_connection", default=None)

# A Core statement a Prepared runs (an insert or update may return rows).
Statement = Select[*tuple[Any, ...]] | Insert | Update | Delete
# A row as a DBAPI cursor gives it: the values of a database row, whatever their types.
Row = tuple[Any, ...]
Processor = Callable[[Any], Any]  # a dialect's conversion of a bound value
T = TypeVar("T")


class _Cursor(Protocol):
    """What a Prepared reads its rows from: a DBAPI cursor, or _Rows."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Sequence[Any]: ...


_SAMPLE = datetime(2001, 2, 3, 4, 5, 6, 7)


def _bind_processor(bind_type: types.TypeEngine[Any], dialect: Dialect) -> Processor | None:
    """The dialect's processor for a bound value of bind_type; for a datetime stored as
    the text datetime.isoformat gives (SQLite's default format), that text from C
    instead of the dialect's %-format of a dict of its fields (each message binds one)."""
    process = bind_type.dialect_impl(dialect).bind_processor(dialect)
    if (
        process is not None
        and isinstance(bind_type, types.DateTime)
        and process(_SAMPLE) == _SAMPLE.isoformat(" ", "microseconds")
    ):
        return partial(_iso_datetime, process)
    return process


def _iso_datetime(general: Processor, value: Any) -> Any:
    if type(value) is datetime and value.tzinfo is None:
        return value.isoformat(" ", "microseconds")
    return general(value)  # None, dates, aware datetimes: as the dialect does


class _Compiled:
    def __init__(self, statement: Statement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        processors: dict[str, Processor | None] = {}
        literals: dict[str, Any] = {}
        for bind, name in compiled.bind_names.items():
            process = _bind_processor(bind.type, dialect)
            if bind.required:
                processors[name] = process
            else:  # a literal of the statement itself: processed once, here
                value = bind.effective_value
                literals[name] = process(value) if process is not None else value
        self.literals = literals
        # (name, processor or None) for each bound value the caller gives, in order
        self.given = list(processors.items())
        self.positions = list(compiled.positiontup or ()) if dialect.positional else None

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        params = dict(self.literals)
        try:
            for name, process in self.given:
                value = values[name]
                params[name] = process(value) if process is not None else value
        except KeyError as missing:
            raise exc.InvalidRequestError(
                "A value is required for bind parameter %s" % missing
            ) from None
        if self.positions is not None:
            return tuple([params[name] for name in self.positions])
        return params


@contextmanager
def pinned() -> Iterator[None]:
    """Run the Prepared statements of the block on the session's current connection,
    looked up once. The block must not commit or roll back the session."""
    if not ENABLED:
        yield
        return
    token = _pinned.set(db.session.connection())
    try:
        yield
    finally:
        _pinned.reset(token)


@contextmanager
def reading() -> Iterator[None]:
    """Run the Prepared statements of the block on a pooled connection of their own,
    outside the session: one per app context (a request's reads share it), returned to
    the pool when the context ends (init_app). For the reads that open a request which may
    never need the session (the chats API's credentials, and the chat a message is for:
    the message is stored by the group commit's session), so that it is not begun, nor
    closed, for them. The block must only read (a write would be rolled back), and sees
    what is committed; within a session already under way, the session's connection."""
    if not ENABLED or db.session.registry.has():
        yield
        return
    connection = g.get(_READING)
    if connection is None:
        connection = db.engine.connect()
        setattr(g, _READING, connection)
    token = _pinned.set(connection)
    try:
        yield
    finally:
        _pinned.reset(token)


def init_app(app: Flask) -> None:
    """Give reading()'s connection back to the pool when its app context ends."""

    @app.teardown_appcontext
    def _close_reading(_error: BaseException | None) -> None:
        connection = g.pop(_READING, None)
        if connection is not None:
            connection.close()


def _connection() -> Connection:
    connection = _pinned.get()
    if connection is None or connection.closed:
        return db.session.connection()
    return connection


def dialect_name() -> str:
    """The name of the dialect the session's current transaction runs on ("sqlite",
    "postgresql"), for statements only one of them has; within pinned(), looked up once."""
    return _connection().dialect.name


class _Rows:
    """A Session's result read as a DBAPI cursor is: plain tuples."""

    def __init__(self, result: Result[*tuple[Any, ...]]) -> None:
        self.result = result

    def fetchone(self) -> Row | None:
        row = self.result.first()
        return tuple(row) if row is not None else None

    def fetchall(self) -> list[Row]:
        return [tuple(row) for row in self.result]


class Prepared:
    """A Core statement to run many times with different bound values."""

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def _run(self, values: Mapping[str, Any], fetch: Callable[[_Cursor], T]) -> T:
        if not ENABLED:  # SQLAlchemy's own path
            return fetch(_Rows(db.session.execute(self.statement, values)))

        def run(cursor: Any, sql: str, params: list[Any]) -> T:
            cursor.execute(sql, params[0])
            return fetch(cursor)

        return self._on_cursor([values], run)

    def _on_cursor(
        self, rows: Sequence[Mapping[str, Any]], run: Callable[[Any, str, list[Any]], T]
    ) -> T:
        """run(cursor, sql, [parameters of each of rows]) on a cursor of the connection."""
        connection = _connection()
        dialect = connection.dialect
        compiled = self._compiled(dialect)
        params = [compiled.parameters(values) for values in rows]
        # Connection.connection revalidates the connection, so its DBAPI one is there
        dbapi_connection = cast(DBAPIConnection, connection.connection.dbapi_connection)
        cursor = dbapi_connection.cursor()
        try:
            return run(cursor, compiled.sql, params)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, cursor):
                connection.invalidate(error)
            raise exc.DBAPIError.instance(
                compiled.sql,
                params[0] if len(params) == 1 else params,
                error,
                dialect.loaded_dbapi.Error,
                dialect=dialect,
            ) from error
        finally:
            cursor.close()

    def first(self, **values: Any) -> Row | None:
        """The first row (a tuple), or None."""
        return self._run(values, lambda cursor: cursor.fetchone())

    def scalar(self, **values: Any) -> Any:
        """The first column of the first row, or None."""
        row = self.first(**values)
        return row[0] if row is not None else None

    def all(self, **values: Any) -> Sequence[Row]:
        """Every row (tuples)."""
        return self._run(values, lambda cursor: cursor.fetchall())

    def many(self, rows: Sequence[Mapping[str, Any]]) -> list[Row | None]:
        """Run the statement once for each of rows, in order: each run's first row (or
        None). On psycopg in one pipeline (executemany with returning): the statements
        are sent together and the results read back together, one round trip for all."""
        if not ENABLED or len(rows) < 2 or _connection().dialect.driver != "psycopg":
            return [self.first(**values) for values in rows]
        return self._on_cursor(rows, _pipelined)

    def scalars(self, **values: Any) -> list[Any]:
        """The first column of every row."""
        return self._run(values, lambda cursor: [row[0] for row in cursor.fetchall()])


def _pipelined(cursor: Any, sql: str, params: list[Any]) -> list[Row | None]:
    """psycopg's executemany(returning=True): the statements in one pipeline; each one's
    first row."""
    cursor.executemany(sql, params, returning=True)
    first = [cursor.fetchone()]
    while cursor.nextset():
        first.append(cursor.fetchone())
    return first

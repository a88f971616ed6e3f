"""Statements compiled once and run on the session's own DBAPI connection (the hot path).

Through the Session, one small Core statement costs tens of microseconds of Python
(execution context, parameter and result objects, events) around the few the driver
needs; a chat message runs four. A Prepared statement is compiled by SQLAlchemy once per
dialect (the same SQL text and the same bind processing: JSON, datetimes, casts), then
run with the driver's cursor on the DBAPI connection of the session's current
transaction, so it commits or rolls back with everything else the session did. Driver
errors are raised as SQLAlchemy's (IntegrityError, OperationalError …), as the Session
would raise them.

Only for statements whose result columns need no conversion (integers, strings).
"""

from sqlalchemy import exc

from chatwidget.extensions import db


class _Compiled:
    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.compiled = compiled
        self.positions = compiled.positiontup if dialect.positional else None
        self.processors = {}
        for bind, name in compiled.bind_names.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.processors[name] = process

    def parameters(self, values):
        params = self.compiled.construct_params(values)
        for name, process in self.processors.items():
            params[name] = process(params[name])
        if self.positions is not None:
            return tuple(params[name] for name in self.positions)
        return params


class Prepared:
    """A Core statement to run many times with different bound values."""

    def __init__(self, statement):
        self.statement = statement
        self._by_dialect = {}

    def _compiled(self, dialect):
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def _run(self, values, fetch):
        connection = db.session.connection()
        dialect = connection.dialect
        compiled = self._compiled(dialect)
        params = compiled.parameters(values)
        dbapi_connection = connection.connection.dbapi_connection
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, params)
            return fetch(cursor)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, cursor):
                connection.invalidate(error)
            raise exc.DBAPIError.instance(
                compiled.sql, params, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        finally:
            cursor.close()

    def first(self, **values):
        """The first row (a tuple), or None."""
        return self._run(values, lambda cursor: cursor.fetchone())

    def scalar(self, **values):
        """The first column of the first row, or None."""
        row = self.first(**values)
        return row[0] if row is not None else None

    def scalars(self, **values):
        """The first column of every row."""
        return self._run(values, lambda cursor: [row[0] for row in cursor.fetchall()])

"""The prepared patch runs a statement as the Session itself runs it: same rows returned,
same rows stored, same errors, on SQLite and on PostgreSQL.

Each case runs once through the patch (its own compiled SQL on the DBAPI cursor) and once
through SQLAlchemy's own path (the module's `ENABLED` off: `db.session.execute`), each in a
transaction rolled back afterwards, and the two outcomes must be equal.
"""

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    exc,
    insert,
    select,
    update,
)

from chatwidget.extensions import db
from chatwidget.patches import prepared
from chatwidget.patches.prepared import Prepared, pinned

PROBE = Table(
    "patch_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("text", String(200)),
    Column("kind", String(20)),
    Column("n", Integer),
    Column("at", DateTime),
    Column("data", JSON),
)
INSERT = Prepared(
    insert(PROBE)
    .values(text=bindparam("text"), kind="agent", n=bindparam("n"), at=bindparam("at"))
    .values(data=bindparam("data"))
    .returning(PROBE.c.id)
)
BUMP = Prepared(
    update(PROBE)
    .where(PROBE.c.id == bindparam("pk"))
    .values(n=PROBE.c.n + 1, at=bindparam("at"))
    .returning(PROBE.c.n, PROBE.c.text)
)
TOUCH = Prepared(
    update(PROBE)
    .where(PROBE.c.id == bindparam("pk"))
    .values(at=bindparam("at"))
    .returning(PROBE.c.n, PROBE.c.text)
)
AGENTS = Prepared(
    select(PROBE.c.id, PROBE.c.text).where(PROBE.c.kind == "agent", PROBE.c.n >= bindparam("n"))
)
STORED = select(PROBE.c.text, PROBE.c.kind, PROBE.c.n, PROBE.c.at, PROBE.c.data)


def both(app, monkeypatch, case):
    """case() through the patch, then through the Session; each outcome and rolled back."""
    outcomes = []
    for enabled in (True, False):
        monkeypatch.setattr(prepared, "ENABLED", enabled)
        with app.app_context():
            PROBE.create(db.session.connection(), checkfirst=True)
            try:
                with pinned():
                    outcomes.append(case())
            finally:
                db.session.rollback()
    return outcomes


TEXTS = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\0"), max_size=60)
NAIVE = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 1, 1))
JSONS = st.none() | st.dictionaries(st.text(max_size=5), st.integers(-(2**53), 2**53) | TEXTS)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(TEXTS, st.integers(-(2**31), 2**31 - 2), NAIVE, JSONS), max_size=4))
def test_rows_returned_and_stored_as_through_the_session(app, monkeypatch, rows):
    def case():
        ids = [INSERT.scalar(text=t, n=n, at=at, data=d) for t, n, at, d in rows]
        bumped = [BUMP.first(pk=pk, at=datetime(2026, 12, 6, 9, 0, 0, 1)) for pk in ids]
        missing = BUMP.first(pk=-1, at=None)
        # many(): each run's first row in order (one pipeline on psycopg), None for none
        at = datetime(2026, 12, 6, 9, 0, 0, 2)
        touched = TOUCH.many([{"pk": pk, "at": at} for pk in [*ids, -1, *ids]])
        found = AGENTS.all(n=0)
        counted = AGENTS.scalars(n=-(2**31))
        stored = [tuple(row) for row in db.session.execute(STORED.order_by(PROBE.c.id))]
        found_texts = [t for _, t in found]
        return len(ids), bumped, missing, touched, found_texts, len(counted), stored

    through_patch, through_session = both(app, monkeypatch, case)
    assert through_patch == through_session


def test_errors_as_through_the_session(app, monkeypatch):
    def duplicate():
        pk = INSERT.scalar(text="a", n=1, at=datetime(2026, 1, 1), data=None)
        with pytest.raises(exc.IntegrityError) as raised:
            Prepared(insert(PROBE).values(id=bindparam("pk"))).first(pk=pk)
        return type(raised.value.orig).__name__

    assert both(app, monkeypatch, duplicate)[0] == both(app, monkeypatch, duplicate)[1]

    def duplicate_in_many():
        pk = INSERT.scalar(text="a", n=1, at=datetime(2026, 1, 1), data=None)
        with pytest.raises(exc.IntegrityError) as raised:
            Prepared(insert(PROBE).values(id=bindparam("pk")).returning(PROBE.c.id)).many(
                [{"pk": pk + 1}, {"pk": pk}]
            )
        return type(raised.value.orig).__name__

    outcomes = both(app, monkeypatch, duplicate_in_many)
    assert outcomes[0] == outcomes[1]

    def missing_value():
        with pytest.raises(exc.SQLAlchemyError, match="A value is required for bind parameter"):
            AGENTS.all()

    both(app, monkeypatch, missing_value)


def test_an_aware_datetime_is_bound_as_the_dialect_binds_it(app, monkeypatch):
    def case():
        pk = INSERT.scalar(text="tz", n=0, at=datetime(2026, 3, 4, 5, 6, 7, 8, tzinfo=UTC), data=1)
        return db.session.execute(select(PROBE.c.at, PROBE.c.data).where(PROBE.c.id == pk)).all()

    through_patch, through_session = both(app, monkeypatch, case)
    assert through_patch == through_session

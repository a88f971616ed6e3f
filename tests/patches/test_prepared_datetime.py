"""Prepared statements bind datetimes on SQLite as the dialect itself would: the same
text, so that stored rows compare and sort as the ORM's own do."""

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite

from chatwidget.patches.prepared import _bind_processor

SQLITE = sqlite.dialect()


def _dialects_own(value):
    return DateTime().dialect_impl(SQLITE).bind_processor(SQLITE)(value)


@settings(max_examples=500, deadline=None)
@given(st.datetimes() | st.datetimes(timezones=st.just(UTC)) | st.dates() | st.none())
def test_the_text_bound_is_the_dialects_own(value):
    assert _bind_processor(DateTime(), SQLITE)(value) == _dialects_own(value)


def test_the_edges_of_the_text():
    process = _bind_processor(DateTime(), SQLITE)
    for value in (datetime(999, 1, 1), datetime(2026, 12, 3, 0, 0, 0, 0), date(2026, 1, 2)):
        assert process(value) == _dialects_own(value)
    assert process(datetime(2026, 12, 3, 1, 2, 3)) == "2026-12-03 01:02:03.000000"


def test_postgresql_binds_datetimes_itself():
    dialect = postgresql.dialect()
    assert _bind_processor(DateTime(), dialect) is None

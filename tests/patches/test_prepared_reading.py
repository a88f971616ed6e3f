"""prepared.reading(): a request's first reads without beginning the session."""

from chatwidget.extensions import db
from chatwidget.patches.prepared import reading
from tests.patches.test_prepared import AGENTS, INSERT, PROBE


def _probe_with_a_row(app):
    with app.app_context():
        PROBE.create(db.session.connection(), checkfirst=True)
        INSERT.first(text="committed", n=1, at=None, data=None)
        db.session.commit()


def test_reads_see_what_is_committed_and_begin_no_session(app):
    _probe_with_a_row(app)
    with app.app_context():
        with reading():
            rows = AGENTS.all(n=0)
        assert [tuple(row)[1:] for row in rows] == [("committed",)]
        assert not db.session.registry.has()  # nothing to close at the request's end


def test_within_a_session_under_way_reads_see_its_own_writes(app):
    _probe_with_a_row(app)
    with app.app_context():
        INSERT.first(text="not yet committed", n=2, at=None, data=None)
        with reading():
            texts = sorted(row[1] for row in AGENTS.all(n=0))
        assert texts == ["committed", "not yet committed"]
        db.session.rollback()


def test_a_requests_reads_share_one_connection_back_in_the_pool_at_its_end(app):
    _probe_with_a_row(app)
    with app.app_context():
        pool = db.engine.pool
        with reading():
            AGENTS.all(n=0)
        with reading():
            AGENTS.all(n=0)
            assert pool.checkedout() == 1
    assert pool.checkedout() == 0

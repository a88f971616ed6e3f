"""The connection pool keeps what a burst of concurrent requests opened (DATABASE_POOL_SIZE):
the next burst reuses those connections instead of opening and closing new ones."""

from contextlib import ExitStack

from sqlalchemy import event, text

from chatwidget.extensions import db
from tests.conftest import make_app

BURST = 16  # the chats benchmark's clients, each holding a connection for its request


def _opened_by_burst(app, size):
    """How many new database connections `size` concurrent checkouts open."""
    opened = []
    with app.app_context():
        engine = db.engine
        listener = lambda *_: opened.append(1)  # noqa: E731
        event.listen(engine, "connect", listener)
        try:
            with ExitStack() as stack:
                for _ in range(size):
                    stack.enter_context(engine.connect()).execute(text("SELECT 1"))
        finally:
            event.remove(engine, "connect", listener)
    return len(opened)


def test_a_second_burst_of_requests_opens_no_connection(app):
    _opened_by_burst(app, BURST)
    assert _opened_by_burst(app, BURST) == 0


def test_past_the_pool_size_connections_are_opened_and_closed_again(tmp_path):
    app = make_app(tmp_path, DATABASE_POOL_SIZE=2, DATABASE_MAX_OVERFLOW=20)
    _opened_by_burst(app, 4)
    assert _opened_by_burst(app, 4) == 2  # two kept, two opened again
    with app.app_context():
        db.engine.dispose()


def test_an_in_memory_database_keeps_its_one_shared_connection(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        db.session.remove()
        assert db.session.execute(text("SELECT x FROM t")).scalar() == 1

"""Events of commits made inside events.held() reach subscribers only on leaving it."""

import pytest
from sqlalchemy import text

from chatwidget.core import events
from chatwidget.extensions import db


@pytest.fixture
def seen():
    got = []

    def subscriber(name, payload):
        got.append((name, payload))

    events.subscribe(subscriber)
    yield got
    events._subscribers.remove(subscriber)


def _commit_one(payload):
    db.session.execute(text("SELECT 1"))
    events.publish(db.session, "test.event", payload)
    db.session.commit()


def test_held_events_arrive_after_the_block_in_commit_order(sqlite_app, seen):
    with sqlite_app.app_context():
        with events.held():
            _commit_one(1)
            _commit_one(2)
            assert seen == []
        assert seen == [("test.event", 1), ("test.event", 2)]
        _commit_one(3)  # outside: at once, as before
        assert seen[-1] == ("test.event", 3)


def test_held_events_of_a_rolled_back_transaction_never_arrive(sqlite_app, seen):
    with sqlite_app.app_context():
        with pytest.raises(RuntimeError), events.held():
            _commit_one("kept")
            events.publish(db.session, "test.event", "dropped")
            db.session.rollback()
            raise RuntimeError("the batch failed after one commit")
        assert seen == [("test.event", "kept")]

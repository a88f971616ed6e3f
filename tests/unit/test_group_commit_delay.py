"""GroupCommit's delay: items queued with submit_later wait it for others to join their
batch; a submitter that waits for its answer (an HTTP request) ends it."""

import gevent
import pytest

from chatwidget.groupcommit import GroupCommit

LONG = 60.0  # a delay no test could sit out: whatever is stored, the delay did not hold


@pytest.fixture
def batches(sqlite_app):
    """A started GroupCommit with a LONG delay, and the batches it stored."""
    stored = []

    def many(items):
        stored.append(list(items))
        return items

    def one(item):
        stored.append([item])
        return item

    group = GroupCommit(sqlite_app, "test", one, many, delay=LONG).start()
    yield group, stored
    group.stop()


def _settle():
    """Let every greenlet that can run, run."""
    for _ in range(5):
        gevent.idle()


def test_items_queued_without_waiting_wait_the_delay(batches):
    group, stored = batches
    first = group.submit_later("a")
    _settle()
    group.submit_later("b")
    _settle()
    assert stored == [] and not first.ready()


def test_a_waiting_submitter_ends_the_delay_and_shares_the_batch(batches):
    group, stored = batches
    queued = group.submit_later("a")
    _settle()
    with gevent.Timeout(5):
        assert group.submit("b") == "b"
    assert queued.get(timeout=0) == "a"
    assert stored == [["a", "b"]]


def test_after_a_hurried_batch_the_next_queued_items_wait_again(batches):
    group, stored = batches
    with gevent.Timeout(5):
        group.submit("a")
    later = group.submit_later("b")
    _settle()
    assert stored == [["a"]] and not later.ready()

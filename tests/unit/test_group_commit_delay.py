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


def test_a_waiting_submitters_batch_takes_what_requests_under_way_submit(batches):
    group, stored = batches

    def request(number):
        for _ in range(number):  # a request some turns of the loop from submitting
            gevent.sleep(0)
        return group.submit(number)

    with gevent.Timeout(5):
        answers = [g.get() for g in [gevent.spawn(request, n) for n in range(5)]]
    assert answers == [0, 1, 2, 3, 4]
    assert stored == [[0, 1, 2, 3, 4]]


def test_a_loop_that_is_never_idle_holds_a_batch_no_longer_than_the_delay(sqlite_app):
    stored = []
    group = GroupCommit(sqlite_app, "test", stored.append, stored.extend, delay=0.05).start()
    spinning = True

    def busy():
        while spinning:
            gevent.sleep(0)

    spinner = gevent.spawn(busy)
    try:
        with gevent.Timeout(5):
            assert group.submit("a") is None
    finally:
        spinning = False
        spinner.join()
        group.stop()
    assert stored == ["a"]

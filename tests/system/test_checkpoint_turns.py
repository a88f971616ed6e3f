"""The checkpoint and the group commit take turns (chatwidget.checkpoint.Turns): no batch
is stored while a checkpoint's thread runs, and the next one starts once that thread is
done, whether or not the checkpoint succeeded. in_thread (how the WAL syncs are waited for)
hands a greenlet its thread's outcome while the loop runs on."""

import gevent
import gevent.event
import pytest
from gevent import monkey

from chatwidget.checkpoint import Turns, in_thread


def _held_checkpoint(outcome):
    """A checkpoint body for a pool thread, and the two native events it uses: it says it
    started, blocks its thread until released, then returns or raises outcome."""
    native_event = monkey.get_original("threading", "Event")
    started, release = native_event(), native_event()

    def run():
        started.set()
        release.wait(10)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return run, started, release


@pytest.mark.parametrize("outcome", ["copied", RuntimeError("disk trouble")])
def test_a_batch_waits_for_the_checkpoint_thread_and_goes_on_once_it_is_done(outcome):
    turns, pool = Turns(), gevent.get_hub().threadpool
    run, started, release = _held_checkpoint(outcome)

    def checkpointing():
        try:
            return turns.checkpoint(pool, run)
        except RuntimeError as error:
            return error

    checkpoint = gevent.spawn(checkpointing)
    pool.apply(started.wait, (10,))  # its thread is running
    stored = []

    def batch():
        with turns.writer():
            stored.append("batch")

    writer = gevent.spawn(batch)
    gevent.idle()
    assert stored == [] and not writer.dead  # kept out while the thread runs
    release.set()
    writer.join(timeout=10)
    assert len(stored) == 1
    assert checkpoint.get(timeout=10) is outcome
    assert turns.checkpointing is False


def test_a_checkpoint_waits_for_the_batch_being_stored():
    turns, pool = Turns(), gevent.get_hub().threadpool
    ran = []
    storing = gevent.event.Event()
    done = gevent.event.Event()

    def batch():
        with turns.writer():
            storing.set()
            done.wait()

    writer = gevent.spawn(batch)
    storing.wait()
    checkpoint = gevent.spawn(turns.checkpoint, pool, lambda: ran.append(len(ran)) or "ok")
    gevent.idle()
    assert ran == [] and turns.checkpointing is False
    done.set()
    assert checkpoint.get(timeout=10) == "ok" and ran == [0]
    writer.join(timeout=10)


@pytest.mark.parametrize("outcome", ["synced", OSError(5, "Input/output error")])
def test_in_thread_gives_the_waiting_greenlet_the_threads_outcome_while_the_loop_runs(outcome):
    # How the group commit waits for a WAL sync: its outcome (an ack, or the process
    # giving up) must be exactly the thread's, and other greenlets run meanwhile.
    pool = gevent.get_hub().threadpool
    run, started, release = _held_checkpoint(outcome)
    waiting = gevent.spawn(in_thread, pool, run)
    pool.apply(started.wait, (10,))
    ticks = [gevent.spawn(lambda: "tick").get(timeout=10) for _ in range(3)]
    assert ticks == ["tick"] * 3 and not waiting.dead
    release.set()
    waiting.join(timeout=10)
    if isinstance(outcome, Exception):
        assert waiting.exception is outcome
    else:
        assert waiting.value == "synced"

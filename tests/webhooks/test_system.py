"""Call-summary webhooks end to end: real server processes, SIGKILL, two live processes.

Each test starts `python app.py` on a migrated database, sets it up with the admin
CLI, captures chats over HTTP and watches a real receiver. Waits poll a condition
under a deadline; every process is killed at teardown (see the deployment fixture).
"""

import copy
import uuid
from collections import Counter, defaultdict

import pytest

from chatwidget.outbox.claims import ABANDONED
from tests.webhooks.receiver import Receiver
from tests.webhooks.servers import Capturer, wait_for

pytestmark = pytest.mark.slow


def chats(sample_chat, count):
    """count copies of the seed's sample chat, each with its own SessionId."""
    made = []
    for _ in range(count):
        chat = copy.deepcopy(sample_chat)
        chat["SessionId"] = str(uuid.uuid4())
        made.append(chat)
    return made


def all_delivered(deployment, count):
    """A condition: count outbox rows, every one delivered."""

    def check():
        rows = deployment.rows("SELECT status FROM outbox_event")
        return len(rows) == count and all(status == "delivered" for (status,) in rows)

    return check


def requests_by_session(receiver):
    """sessionId → the receiver's records of its summary, in arrival order."""
    by_session = defaultdict(list)
    for record in receiver.snapshot():
        by_session[Receiver.payload(record)["sessionId"]].append(record)
    return by_session


def assert_each_acked_once(receiver, sessions, call_ids):
    """Every session's summary reached the receiver, acked once, always under one event id."""
    by_session = requests_by_session(receiver)
    assert set(by_session) == set(sessions)
    for session, call_id in zip(sessions, call_ids, strict=True):
        records = by_session[session]
        assert len({Receiver.event_id(r) for r in records}) == 1, session
        assert [r["status"] for r in records].count(200) == 1, session
        assert Receiver.payload(records[-1])["callId"] == call_id
    acked = Counter(Receiver.event_id(r) for r in receiver.acked())
    assert len(acked) == len(sessions) and set(acked.values()) == {1}


def test_sigkill_mid_delivery_loses_no_summary(deployment, sample_chat):
    """Receiver down for 3 requests, then the 4th is held open and the server SIGKILLed."""
    receiver = Receiver(fail_first=3, hold_at=4).start()
    try:
        deployment.command("add-webhook", receiver.url)
        capturer = Capturer(deployment)
        [first] = deployment.start("first")
        sent = chats(sample_chat, 5)
        call_ids = [capturer.capture(first, chat) for chat in sent]
        wait_for(receiver.held.is_set, 15, "a delivery to reach the held request")
        first.kill()  # the POST is in flight: its row is leased and unanswered
        receiver.release()
        held = next(r for r in receiver.snapshot() if r["status"] == "held")

        deployment.start("second")  # same database; the dead process's lease runs out
        wait_for(all_delivered(deployment, 5), 30, "every summary to be delivered")
        assert_each_acked_once(receiver, [c["SessionId"] for c in sent], call_ids)
        # The held event came again under the same id, and its lost attempt is logged.
        assert Receiver.event_id(held) in {Receiver.event_id(r) for r in receiver.acked()}
        abandoned = deployment.rows(
            "SELECT count(*) FROM delivery_attempt WHERE error = '%s'" % ABANDONED
        )
        assert abandoned == [(1,)]
    finally:
        receiver.stop()


def test_two_live_servers_deliver_each_summary_once(deployment, sample_chat):
    """Two processes drain one outbox: every event posted, none posted twice."""
    # Slow enough that the two claim side by side, and that twenty answers outlast a lease.
    receiver = Receiver(delay=0.25).start()
    try:
        deployment.command("add-webhook", receiver.url)
        capturer = Capturer(deployment)
        servers = deployment.start("left", "right")
        sent = chats(sample_chat, 20)
        call_ids = [capturer.capture(servers[n % 2], chat) for n, chat in enumerate(sent)]
        wait_for(all_delivered(deployment, 20), 30, "every summary to be delivered")
        assert_each_acked_once(receiver, [c["SessionId"] for c in sent], call_ids)
        assert len(receiver.snapshot()) == 20  # nothing was posted twice, not even a failure
        posted = [server.log().count("webhook event ") for server in servers]
        assert sum(posted) == 20 and min(posted) > 0, posted  # both processes took part
    finally:
        receiver.stop()

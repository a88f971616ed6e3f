"""Group commit (chatwidget.core.posting): concurrent senders' messages in one transaction.

A served process runs it, on SQLite and on PostgreSQL; here it is started on the test
app and the senders are greenlets, so that their messages wait for it together. Each
sender must get exactly what it would have got alone.
"""

import threading
import uuid

import gevent
import gevent.event
import gevent.queue
import pytest
from sqlalchemy import select

from chatwidget.core import client_messages, posting, senders
from chatwidget.extensions import db
from chatwidget.models import Conversation, Message
from tests.sockets.helpers import (
    AGENT_NS,
    messages_of,
    online_agent,
    public_id,
    received,
    send,
    start,
)


def _recording(app):
    """The group commit on app; the batches it stored together (their sizes) and how many
    messages it stored alone recorded. A WAL sync that fails fails the test rather than
    ending pytest (the served process's give_up)."""
    group = posting.start(app)
    group.sizes, group.alone, group.sync_errors = [], [], []
    group.sync_failed = group.sync_errors.append
    store_many, store_one = group.store_many, group.store_one

    group.done = gevent.queue.Queue()  # how many items each store call stored

    def many(items):
        group.sizes.append(len(items))
        stored = store_many(items)
        group.done.put(len(items))
        return stored

    def one(item):
        group.alone.append(item)
        stored = store_one(item)
        group.done.put(1)
        return stored

    group.store_many, group.store_one = many, one
    yield group
    app.extensions.pop(posting._KEY, None)
    group.stop()
    with app.app_context():
        db.session.remove()  # the group's own connection, back before the engine goes
    assert group.sync_errors == [], "a WAL sync failed"


@pytest.fixture
def group(app):
    """The group commit on the test app, on SQLite and on PostgreSQL."""
    yield from _recording(app)


@pytest.fixture
def sqlite_group(sqlite_app):
    """The group commit on SQLite, where it syncs the WAL itself."""
    yield from _recording(sqlite_app)


def _conversations(app, count):
    """`count` conversations, each with its customer socket, all with one agent."""
    agent_id, agent = online_agent(app, max_chats=count)
    started = [start(app) for _ in range(count)]
    received(agent, AGENT_NS)
    return agent, started


def _all_at_once(calls):
    """Run each call in its own greenlet, all started before any is answered."""
    greenlets = [gevent.spawn(call) for call in calls]
    gevent.joinall(greenlets, raise_error=True)
    return [g.value for g in greenlets]


def _stored(app, conversation_id):
    with app.app_context():
        return db.session.execute(
            select(Message.seq, Message.text)
            .join(Conversation, Conversation.id == Message.conversation_pk)
            .where(Conversation.conversation_id == conversation_id, Message.text.is_not(None))
            .order_by(Message.seq)
        ).all()


def test_messages_sent_together_are_stored_together_and_each_acked(app, group):
    agent, started = _conversations(app, 4)
    calls = []
    for n, (cid, _, client) in enumerate(started):
        calls.append(lambda cid=cid, client=client, n=n: send(client, cid, "c%d" % n))
        calls.append(lambda cid=cid, n=n: send(agent, cid, "a%d" % n, namespace=AGENT_NS))
    acks = _all_at_once(calls)
    assert group.sizes and max(group.sizes) == len(calls)  # one transaction for all
    assert all(a["status"] == "ok" for a in acks), acks
    for n, (cid, _, client) in enumerate(started):
        customer_ack, agent_ack = acks[2 * n], acks[2 * n + 1]
        assert agent_ack["seq"] == customer_ack["seq"] + 1  # in the order they were sent
        assert [tuple(r) for r in _stored(app, cid)] == [
            (customer_ack["seq"], "c%d" % n),
            (agent_ack["seq"], "a%d" % n),
        ]
        assert [w["id"] for w in messages_of(client)] == [customer_ack["id"], agent_ack["id"]]
    to_agent = messages_of(agent, AGENT_NS)
    assert sorted(w["id"] for w in to_agent) == sorted(a["id"] for a in acks)


def test_a_refused_message_does_not_hold_back_the_others(app, group):
    agent, [(cid, _, client), (other_cid, _, other)] = _conversations(app, 2)
    acks = _all_at_once(
        [
            lambda: send(client, cid, "fine"),
            lambda: send(client, cid, "   "),  # no text: refused
            lambda: send(client, cid, "whisper", tag="whisper"),  # customers may not
            lambda: send(other, other_cid, "also fine"),
        ]
    )
    assert max(group.sizes) == 4
    assert [a["status"] for a in acks] == ["ok", "error", "error", "ok"]
    assert acks[1]["errors"] == {"text": ["empty"]}
    assert acks[2]["message"] == "only agents may whisper"
    assert [r.text for r in _stored(app, cid)] == ["fine"]
    assert [r.text for r in _stored(app, other_cid)] == ["also fine"]


def test_a_batch_that_fails_in_the_database_is_posted_again_one_by_one(app, group, monkeypatch):
    agent, [(cid, _, client), (other_cid, _, other)] = _conversations(app, 2)
    real_store_all = client_messages.store_all

    def failing_store_all(drafts):
        stored = real_store_all(drafts)
        if any(d.row.values["text"] == "breaks the batch" for d in drafts):
            raise RuntimeError("database trouble")
        return stored

    monkeypatch.setattr(client_messages, "store_all", failing_store_all)
    acks = _all_at_once(
        [
            lambda: send(client, cid, "first"),
            lambda: send(other, other_cid, "breaks the batch"),
            lambda: send(client, cid, "second"),
        ]
    )
    assert group.sizes == [3] and len(group.alone) == 3  # then each alone: one fails
    assert [a["status"] for a in acks] == ["ok", "error", "ok"]
    assert acks[1]["message"] == "internal error"
    assert _stored(app, other_cid) == []
    assert [r.text for r in _stored(app, cid)] == ["first", "second"]
    seqs = [r.seq for r in _stored(app, cid)]
    assert seqs == [acks[0]["seq"], acks[2]["seq"]] and seqs[1] == seqs[0] + 1
    # What was rolled back was never announced: each message arrived once.
    assert [w["text"] for w in messages_of(client)] == ["first", "second"]


def test_a_client_id_sent_twice_in_one_batch_is_stored_once(app, group):
    agent, [(cid, pid, client)] = _conversations(app, 1)
    message_id = str(uuid.uuid4())
    acks = _all_at_once(
        [
            lambda: send(client, cid, "once", id=message_id),
            lambda: send(client, cid, "once (retry)", id=message_id),
        ]
    )
    assert max(group.sizes) == 2 and group.alone == []  # in the batch's one transaction
    assert acks[0] == acks[1] == {"status": "ok", "id": message_id, "seq": acks[0]["seq"]}
    assert [r.text for r in _stored(app, cid)] == ["once"]


def test_typing_and_a_lone_message_go_straight_through(app, group):
    agent, [(cid, _, client)] = _conversations(app, 1)
    typing = {"type": "ActivityMessage", "conversationId": cid, "activityType": "typing"}
    assert client.emit("sendMessage", typing, callback=True)["status"] == "ok"
    assert group.sizes == [] and group.alone == []  # relayed, never stored
    assert send(client, cid, "alone")["status"] == "ok"
    assert group.sizes == [] and len(group.alone) == 1


@pytest.mark.postgres
def test_two_processes_batching_the_same_conversations_in_opposite_orders_never_deadlock(
    pg_schema_database, tmp_path, monkeypatch
):
    # Two served processes share the database; each batch takes its conversations' seqs
    # (row locks held to its commit) in id order, whatever order its messages came in.
    # Here two batches run side by side in threads, each pausing after its first message
    # for the other to store its own: in arrival order (A, B and B, A) each would then
    # wait for the other's row, and PostgreSQL would break that by failing one batch.
    from tests.conftest import make_app

    apps = [make_app(tmp_path / name, pg_schema_database) for name in ("one", "two")]
    try:
        online_agent(apps[0], max_chats=2)
        started = [start(apps[0])[:2] for _ in range(2)]
        real_store_all, both_stored_one = client_messages.store_all, threading.Barrier(2)

        def store_then_pause(drafts):
            stored = []
            for draft in drafts:
                stored += real_store_all([draft])
                if draft.row.values["text"].endswith(" 0"):
                    try:  # in id order the other batch waits on our row: it never comes
                        both_stored_one.wait(timeout=2)
                    except threading.BrokenBarrierError:
                        pass
            return stored

        monkeypatch.setattr(client_messages, "store_all", store_then_pause)
        batches = [list(enumerate(started)), list(enumerate(reversed(started)))]
        outcomes = [None, None]

        def store(k):
            items = [(_lookup(*pair), _chat(pair[0], "p%d %d" % (k, n))) for n, pair in batches[k]]
            with apps[k].app_context():
                group = posting.start(apps[k])
                try:
                    outcomes[k] = group.store_many(items)
                except Exception as error:
                    outcomes[k] = error
                finally:
                    group.stop()
                    apps[k].extensions.pop(posting._KEY, None)
                    db.session.remove()

        threads = [threading.Thread(target=store, args=(k,)) for k in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        answers = [answer for outcome in outcomes for answer in outcome]
        for cid, _ in started:
            seqs = [r.seq for r in _stored(apps[0], cid)]
            assert seqs == list(range(seqs[0], seqs[0] + 2))  # no gap, each once
        acked = sorted(sent.seq for sent in answers)
        assert acked == sorted(r.seq for cid, _ in started for r in _stored(apps[0], cid))
    finally:
        for app in apps:
            with app.app_context():
                db.engine.dispose()


def _lookup(conversation_id, participant_id):
    return senders.AsCustomer(conversation_id, participant_id)


def _chat(conversation_id, text):
    return {"type": "ChatMessage", "conversationId": conversation_id, "text": text}


class HeldSync:
    """Stands for the group commit's WAL sync: each call waits until released and
    records what was stored and acked when it began."""

    def __init__(self, app, group, conversation_ids, acked):
        self.app, self.real = app, group.sync
        self.conversation_ids, self.acked = conversation_ids, acked
        self.began, self.released, self.fail = [], gevent.event.Event(), None
        self.calls = gevent.queue.Queue()
        group.sync = self

    def __call__(self):
        stored = sum(len(_stored(self.app, c)) for c in self.conversation_ids)
        self.began.append({"stored": stored, "acked": len(self.acked)})
        self.calls.put(len(self.began))
        self.released.wait()
        if self.fail is not None:
            raise self.fail
        self.real()


def _sending(acked, client, cid, text, **fields):
    def call():
        acked.append(send(client, cid, text, **fields))
        return acked[-1]

    return gevent.spawn(call)


def test_a_message_is_acked_after_the_disk_sync_and_delivered_without_waiting_for_it(
    sqlite_app, sqlite_group
):
    # At synchronous=FULL the group commit commits without waiting for the disk and syncs
    # the WAL itself, off the loop: the sender's ack (its "saved") waits for that sync;
    # the others in the conversation get the committed message at once.
    app, group = sqlite_app, sqlite_group
    agent, [(cid, _, client), (other_cid, _, other)] = _conversations(app, 2)
    assert group.sync is not None
    acked = []
    sync = HeldSync(app, group, [cid, other_cid], acked)
    senders = [_sending(acked, client, cid, "one"), _sending(acked, other, other_cid, "two")]
    assert sync.calls.get(timeout=5) == 1
    assert sync.began == [{"stored": 2, "acked": 0}]  # committed first, synced after
    assert sorted(w["text"] for w in messages_of(agent, AGENT_NS)) == ["one", "two"]
    assert acked == []  # delivered, but nobody told "saved" before the disk has it
    sync.released.set()
    gevent.joinall(senders, raise_error=True)
    assert [a["status"] for a in acked] == ["ok", "ok"]


def test_messages_committed_during_a_slow_sync_are_delivered_and_share_the_next_sync(
    sqlite_app, sqlite_group
):
    app, group = sqlite_app, sqlite_group
    agent, [(cid, _, client), (other_cid, _, other)] = _conversations(app, 2)
    acked = []
    sync = HeldSync(app, group, [cid, other_cid], acked)
    first = _sending(acked, client, cid, "before")
    assert sync.calls.get(timeout=5) == 1  # the disk is slow: this sync hangs
    assert group.done.get(timeout=5) == 1
    later = [_sending(acked, other, other_cid, "during %d" % n) for n in range(3)]
    stored = 0
    while stored < 3:  # the group commit stores them meanwhile
        stored += group.done.get(timeout=5)
    texts = [w["text"] for w in messages_of(agent, AGENT_NS)]
    assert texts == ["before", "during 0", "during 1", "during 2"]
    assert len(_stored(app, other_cid)) == 3 and acked == []
    sync.released.set()
    gevent.joinall([first, *later], raise_error=True)
    assert sync.calls.get(timeout=5) == 2  # one more sync for all three
    assert sync.began[1]["stored"] == 4 and sync.calls.empty()
    assert [a["status"] for a in acked] == ["ok"] * 4
    assert [a["seq"] for a in acked[1:]] == [r.seq for r in _stored(app, other_cid)]


def test_a_failed_sync_acks_nothing_and_hands_the_process_over_to_give_up(sqlite_app, sqlite_group):
    # The message is committed and perhaps on disk: neither "ok" (saved) nor an error
    # ack (nothing changed) would be true, so its sender hears nothing and the process
    # ends (checkpoint.give_up); test_failed_sync.py runs that for real.
    app, group = sqlite_app, sqlite_group
    agent, [(cid, _, client)] = _conversations(app, 1)
    acked = []
    sync = HeldSync(app, group, [cid], acked)
    sync.fail = OSError(5, "Input/output error")
    failed = gevent.queue.Queue()
    group.sync_failed = failed.put
    sender = _sending(acked, client, cid, "maybe saved")
    sync.released.set()
    assert failed.get(timeout=5) is sync.fail
    gevent.idle()
    assert acked == [] and not sender.dead and group.greenlets[1].dead
    sender.kill()


def test_a_batch_stores_whispers_replies_and_first_response_as_alone(app, group):
    # One statement takes the seq and writes the row on PostgreSQL: the whisper takes its
    # seq like any message but is no response; the agent's reply sets first_response_at.
    agent, [(cid, _, client)] = _conversations(app, 1)
    customer = {"id": public_id(app, cid)}
    acks = _all_at_once(
        [
            lambda: send(agent, cid, "psst", namespace=AGENT_NS, tag="whisper"),
            lambda: send(agent, cid, "hello", namespace=AGENT_NS, to=[customer]),
            lambda: send(client, cid, "hi"),
        ]
    )
    assert max(group.sizes) == 3 and [a["status"] for a in acks] == ["ok"] * 3
    assert [a["seq"] for a in acks] == [acks[0]["seq"] + n for n in range(3)]
    assert [tuple(r) for r in _stored(app, cid)] == [
        (acks[0]["seq"], "psst"),
        (acks[1]["seq"], "hello"),
        (acks[2]["seq"], "hi"),
    ]
    with app.app_context():
        first, last_seq = db.session.execute(
            select(Conversation.first_response_at, Conversation.last_seq).filter_by(
                conversation_id=cid
            )
        ).one()
        reply = db.session.scalar(select(Message).filter_by(message_id=acks[1]["id"]))
        assert first == reply.created_at and last_seq == acks[2]["seq"]
        assert (
            [p["id"] for p in reply.to] == [customer["id"]]
            and reply.sender["role"] == "agent"
            and reply.tag == ""
        )
    assert [w["text"] for w in messages_of(client)] == ["hello", "hi"]  # never the whisper

"""Group commit (chatwidget.core.posting): concurrent senders' messages in one transaction.

A served process on SQLite runs it; here it is started on the test app and the
senders are greenlets, so that their messages wait for it together. Each sender
must get exactly what it would have got alone.
"""

import uuid

import gevent
import pytest
from sqlalchemy import select

from chatwidget.core import conversations, posting
from chatwidget.extensions import db
from chatwidget.models import Conversation, Message
from tests.sockets.helpers import AGENT_NS, messages_of, online_agent, received, send, start


@pytest.fixture
def group(sqlite_app):
    """The group commit on the test app; the batches it stored together (their sizes)
    and how many messages it stored alone recorded."""
    group = posting.start(sqlite_app)
    group.sizes, group.alone = [], []
    store_many, store_one = group.store_many, group.store_one

    def many(items):
        group.sizes.append(len(items))
        return store_many(items)

    def one(item):
        group.alone.append(item)
        return store_one(item)

    group.store_many, group.store_one = many, one
    yield group
    sqlite_app.extensions.pop(posting._KEY, None)
    group.greenlet.kill()


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


def test_messages_sent_together_are_stored_together_and_each_acked(sqlite_app, group):
    app = sqlite_app
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


def test_a_refused_message_does_not_hold_back_the_others(sqlite_app, group):
    app = sqlite_app
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


def test_a_batch_that_fails_in_the_database_is_posted_again_one_by_one(
    sqlite_app, group, monkeypatch
):
    app = sqlite_app
    agent, [(cid, _, client), (other_cid, _, other)] = _conversations(app, 2)
    real_post = conversations.post

    def failing_post(conversation, sender, data):
        posted = real_post(conversation, sender, data)
        if data.get("text") == "breaks the batch":
            raise RuntimeError("database trouble")
        return posted

    monkeypatch.setattr(conversations, "post", failing_post)
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


def test_a_client_id_sent_twice_in_one_batch_is_stored_once(sqlite_app, group):
    app = sqlite_app
    agent, [(cid, pid, client)] = _conversations(app, 1)
    message_id = str(uuid.uuid4())
    acks = _all_at_once(
        [
            lambda: send(client, cid, "once", id=message_id),
            lambda: send(client, cid, "once (retry)", id=message_id),
        ]
    )
    assert max(group.sizes) == 2
    assert acks[0] == acks[1] == {"status": "ok", "id": message_id, "seq": acks[0]["seq"]}
    assert [r.text for r in _stored(app, cid)] == ["once"]


def test_typing_and_a_lone_message_go_straight_through(sqlite_app, group):
    app = sqlite_app
    agent, [(cid, _, client)] = _conversations(app, 1)
    typing = {"type": "ActivityMessage", "conversationId": cid, "activityType": "typing"}
    assert client.emit("sendMessage", typing, callback=True)["status"] == "ok"
    assert group.sizes == [] and group.alone == []  # relayed, never stored
    assert send(client, cid, "alone")["status"] == "ok"
    assert group.sizes == [] and len(group.alone) == 1


@pytest.mark.postgres
def test_no_group_commit_on_postgresql(pg_database, tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, pg_database)
    try:
        assert posting.start(app) is None
        assert posting._KEY not in app.extensions
    finally:
        with app.app_context():
            db.engine.dispose()


def test_messages_are_synced_to_disk_after_their_commit_and_before_any_ack_or_delivery(
    sqlite_app, group
):
    # At synchronous=FULL the group commit writes the WAL without waiting for the disk and
    # syncs it itself, off the loop: nobody may learn of a message before that sync.
    app = sqlite_app
    agent, [(cid, _, client), (other_cid, _, other)] = _conversations(app, 2)
    assert group.sync is not None
    sync, acked, at_sync = group.sync, [], []

    def recording_sync():
        at_sync.append(
            {
                "stored": len(_stored(app, cid)) + len(_stored(app, other_cid)),
                "acked": len(acked),
                "delivered": len(messages_of(agent, AGENT_NS)),
            }
        )
        sync()

    group.sync = recording_sync

    def sending(client, cid, text):
        acked.append(send(client, cid, text))
        return acked[-1]

    acks = _all_at_once(
        [lambda: sending(client, cid, "one"), lambda: sending(other, other_cid, "two")]
    )
    assert all(a["status"] == "ok" for a in acks), acks
    assert at_sync == [{"stored": 2, "acked": 0, "delivered": 0}]
    assert sorted(w["text"] for w in messages_of(agent, AGENT_NS)) == ["one", "two"]

"""Concurrent senders and concurrent routing, on SQLite and PostgreSQL.

Each thread has its own app context, hence its own session and connection: as far as
the database is concerned they are separate server processes.
"""

import threading
import uuid
from collections import Counter

from sqlalchemy import select, update

from chatwidget.core import agents, client_messages, conversations, handling, presence, routing
from chatwidget.core.queues import find_queue
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, Message, Participant


def _in_threads(app, target, args_list):
    """Run target(*args) in one thread per args, all released at once; re-raise failures."""
    barrier = threading.Barrier(len(args_list))
    results, errors = [None] * len(args_list), []

    def run(index, args):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results[index] = target(*args)
        except Exception as exc:  # reported below, with every other thread's
            errors.append(repr(exc))
        finally:
            with app.app_context():
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args_list)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    assert errors == [], errors
    return results


def _open_conversation(app):
    with app.app_context():
        conversation, customer = conversations.do_init({"channel": "web", "refId": "r1"})
        return conversation.conversation_id, customer.participant_id


def _post_many(conversation_id, participant_id, count, tag):
    customer = db.session.scalar(select(Participant).filter_by(participant_id=participant_id))
    acks = []
    for n in range(count):
        conversation = conversations.get(conversation_id)
        sent = client_messages.do_post(conversation, customer, {"text": "%s-%d" % (tag, n)})
        acks.append((sent.message_id, sent.seq))
    return acks


def _stored_seqs(app, conversation_id):
    with app.app_context():
        conversation = conversations.get(conversation_id)
        seqs = list(
            db.session.scalars(
                select(Message.seq).filter_by(conversation_pk=conversation.id).order_by(Message.seq)
            )
        )
        return seqs, conversation.last_seq


def test_seq_has_no_gaps_or_duplicates_under_concurrent_senders(app):
    cid, pid = _open_conversation(app)
    senders, each = 6, 15
    results = _in_threads(app, _post_many, [(cid, pid, each, "t%d" % i) for i in range(senders)])
    acked = [seq for acks in results for _, seq in acks]
    total = senders * each
    assert sorted(acked) == list(range(1, total + 1))
    for acks in results:  # each sender's own messages in the order it sent them
        assert [seq for _, seq in acks] == sorted(seq for _, seq in acks)
    assert _stored_seqs(app, cid) == (list(range(1, total + 1)), total)


def test_one_client_id_sent_at_once_from_many_sockets_is_stored_once(app):
    cid, pid = _open_conversation(app)
    message_id = str(uuid.uuid4())

    def post():
        customer = db.session.scalar(select(Participant).filter_by(participant_id=pid))
        conversation = conversations.get(cid)
        sent = client_messages.do_post(conversation, customer, {"text": "x", "id": message_id})
        return sent.message_id, sent.seq

    results = _in_threads(app, post, [()] * 6)
    assert set(results) == {(message_id, 1)}
    assert _stored_seqs(app, cid) == ([1], 1)


def _routing_setup(app, agent_count=3, max_chats=2, waiting=12):
    """Agents online but away, conversations waiting; then the agents become available
    without draining, so that only the threads of the test assign anything."""
    with app.app_context():
        agent_ids = []
        for n in range(agent_count):
            agent = agents.do_create_agent(
                "a%d@example.com" % n, "Agent %d" % n, "password %d" % n, ["general"], max_chats
            )
            presence.do_agent_connected(agent, "sid-%d" % n)
            presence.do_set_status(agent, "away")
            agent_ids.append(agent.id)
        conversation_ids = []
        for n in range(waiting):
            conversation, _ = conversations.do_init({"channel": "web", "refId": "c%d" % n})
            routing.do_enqueue(conversation)
            conversation_ids.append(conversation.conversation_id)
        db.session.execute(update(Agent).values(status="available"))
        db.session.commit()
        queue_id = find_queue("general").id
    return agent_ids, conversation_ids, queue_id


def _check_invariants(app):
    """Capacity, assignment and participants agree, whatever ran concurrently."""
    with app.app_context():
        rows = db.session.scalars(select(Conversation)).all()
        per_agent = Counter(c.agent_id for c in rows if c.state == "assigned")
        for agent in db.session.scalars(select(Agent)):
            assert agent.active_chats == per_agent.get(agent.id, 0), agent.name
            assert agent.active_chats <= agent.max_chats, agent.name
        for conversation in rows:
            present = db.session.scalars(
                select(Participant.agent_id).filter_by(
                    conversation_pk=conversation.id, role="agent", left_at=None
                )
            ).all()
            if conversation.state == "assigned":
                assert present == [conversation.agent_id], conversation.conversation_id
            elif conversation.state == "waiting":
                assert present == [] and conversation.agent_id is None
            seqs = db.session.scalars(
                select(Message.seq).filter_by(conversation_pk=conversation.id).order_by(Message.seq)
            ).all()
            assert seqs == list(range(1, conversation.last_seq + 1))
        return Counter(c.state for c in rows), per_agent


def test_concurrent_drains_and_assigns_never_overfill_an_agent_or_share_a_conversation(app):
    agent_ids, conversation_ids, queue_id = _routing_setup(app)

    def drain():
        routing.do_drain([queue_id])

    def assign(conversation_id, agent_id):
        conversation = conversations.get(conversation_id)
        if conversation.state == "waiting":
            routing.do_assign(conversation, db.session.get(Agent, agent_id))

    # Single assigns (an agent accepting) race the drains for the oldest conversations.
    # Each drain keeps going after losing a race, so the capacity ends up used in full.
    jobs = [(drain, ())] * 6
    jobs += [(assign, (conversation_ids[n], agent_ids[n])) for n in range(2)]
    _in_threads(app, lambda f, a: f(*a), jobs)
    states, per_agent = _check_invariants(app)
    assert states == {"assigned": 6, "waiting": 6}
    assert sorted(per_agent.values()) == [2, 2, 2]


def test_concurrent_ends_free_capacity_without_overfilling(app):
    agent_ids, conversation_ids, queue_id = _routing_setup(app)
    with app.app_context():
        routing.do_drain([queue_id])
    states, _ = _check_invariants(app)
    assert states == {"assigned": 6, "waiting": 6}
    with app.app_context():
        assigned = list(
            db.session.scalars(select(Conversation.conversation_id).filter_by(state="assigned"))
        )

    def finish(conversation_id):
        handling.do_end(conversations.get(conversation_id), "agent")

    def drain():
        routing.do_drain([queue_id])

    jobs = [(finish, (c,)) for c in assigned] + [(drain, ())] * 4
    _in_threads(app, lambda f, a: f(*a), jobs)
    states, per_agent = _check_invariants(app)
    # Six ended, and the six that waited took the capacity they freed.
    assert states == {"ended": 6, "assigned": 6}
    assert sorted(per_agent.values()) == [2, 2, 2]


def test_a_drain_that_loses_the_oldest_conversation_goes_on_with_the_next(app):
    """Deterministic interleaving: while a drain is about to assign the oldest waiting
    conversation, another process (a thread with its own connection) takes it. The drain
    must go on to the next waiting one instead of stopping with capacity left."""
    from sqlalchemy import event

    agent_ids, conversation_ids, queue_id = _routing_setup(app, agent_count=2, waiting=3)
    oldest, fired = conversation_ids[0], []

    def steal():
        with app.app_context():
            conversation = conversations.get(oldest)
            assert routing.do_assign(conversation, db.session.get(Agent, agent_ids[1]))
            db.session.remove()

    def before(conn, cursor, statement, parameters, context, executemany):
        if not fired and statement.lstrip().upper().startswith("UPDATE AGENT"):
            fired.append(True)
            thief = threading.Thread(target=steal)
            thief.start()
            thief.join(timeout=30)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            routing.do_drain([queue_id])
        finally:
            event.remove(engine, "before_cursor_execute", before)
    assert fired
    states, per_agent = _check_invariants(app)
    assert states == {"assigned": 3}
    assert per_agent[agent_ids[1]] >= 1

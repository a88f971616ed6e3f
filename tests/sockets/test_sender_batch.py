"""A batch's senders read together (core.sender_batch, one query on PostgreSQL) are
exactly what each reads alone: the same conversation and sender, or the same refusal."""

import uuid

from sqlalchemy import select, update

from chatwidget.core import sender_batch
from chatwidget.core.senders import AsAgent, AsCustomer, AsEndUser
from chatwidget.core.virtual_agents import AsVirtualAgent
from chatwidget.extensions import db
from chatwidget.models import Conversation, Participant
from tests.sockets.helpers import AGENT_NS, online_agent, received, start


def _alone(who):
    try:
        return who.lookup()
    except Exception as error:
        return error


def _same(together, alone):
    if isinstance(alone, Exception):
        return type(together) is type(alone) and str(together) == str(alone)
    return together == alone


def _set(app, model, values, **where):
    with app.app_context():
        db.session.execute(update(model).filter_by(**where).values(**values))
        db.session.commit()


def test_a_batch_reads_each_sender_or_refusal_as_it_would_alone(app):
    alice, alice_socket = online_agent(app, max_chats=4)
    bob, _ = online_agent(app, name="Bob", max_chats=0)
    started = [start(app) for _ in range(4)]
    received(alice_socket, AGENT_NS)
    (cid, pid, _), (left_cid, _, _), (ended_cid, ended_pid, _), (other_cid, other_pid, _) = started
    with app.app_context():
        left_pk = db.session.scalar(select(Conversation.id).filter_by(conversation_id=left_cid))
    _set(app, Participant, {"left_at": db.func.now()}, conversation_pk=left_pk, agent_id=alice)
    _set(app, Conversation, {"state": "ended"}, conversation_id=ended_cid)
    whos = [
        AsCustomer(cid, pid),
        AsAgent(alice, cid),
        AsCustomer(other_cid, other_pid),
        AsCustomer(cid, other_pid),  # another conversation's participant id
        AsCustomer(cid, None),
        AsCustomer(str(uuid.uuid4()), pid),  # no such conversation
        AsCustomer(ended_cid, ended_pid),  # ended: refused later, when posting
        AsAgent(bob, cid),  # not assigned to Bob
        AsAgent(alice, left_cid),  # Alice left it
        AsAgent(alice, ended_cid),
        AsAgent(alice, str(uuid.uuid4())),
        AsAgent(None, cid),  # not signed in
        AsAgent(alice + bob + 1000, cid),  # no such agent
        AsAgent(alice, other_cid),
    ]
    with app.app_context():
        together = sender_batch.look_up_all(whos)
        alone = [_alone(who) for who in whos]
        db.session.rollback()
    assert not isinstance(together[0], Exception) and not isinstance(together[1], Exception)
    assert sum(not isinstance(a, Exception) for a in alone) == 5
    for who, got, expected in zip(whos, together, alone, strict=True):
        assert _same(got, expected), (who, got, expected)


def test_the_chats_apis_end_user_and_a_bot_share_a_batch_with_sockets(app):
    result = app.test_cli_runner().invoke(
        args=["create-queue", "bots", "--virtual-agent-url", "http://127.0.0.1:9/bot"]
    )
    assert result.exit_code == 0, result.output
    cid, pid, _ = start(app)
    bot_cid, _, _ = start(app, subject="bots")
    with app.app_context():
        rows = db.session.execute(select(Conversation.conversation_id, Conversation.id)).all()
        pks = {conversation_id: pk for conversation_id, pk in rows}
    whos = [
        AsCustomer(cid, pid),
        AsEndUser(pks[cid]),
        AsVirtualAgent(pks[bot_cid]),
        AsCustomer(bot_cid, "wrong"),
        AsEndUser(2**31 - 1),  # no such chat
        AsVirtualAgent(pks[cid]),  # no bot in that chat
    ]
    with app.app_context():
        together = sender_batch.look_up_all(whos)
        alone = [_alone(who) for who in whos]
        db.session.rollback()
    assert [isinstance(a, Exception) for a in alone] == [False, False, False, True, True, True]
    for who, got, expected in zip(whos, together, alone, strict=True):
        assert _same(got, expected), (who, got, expected)

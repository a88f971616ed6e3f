"""A batch of messages' senders read in one round trip on PostgreSQL (look_up_all).

The group commit (chatwidget.core.posting) stores a batch's messages one after the
other in one transaction, each of its round trips waiting for a loop busy with the
sockets: one query for all the batch's senders rather than one a message. Whoever it
does not find as a sender is looked up alone (who.lookup()), for the exact refusal.
"""

import hmac
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, String, and_, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from chatwidget.core.errors import CoreError
from chatwidget.core.senders import (
    CONVERSATION_COLUMNS,
    CONVERSATION_END,
    SENDER_COLUMNS,
    SENDER_END,
    AsAgent,
    AsCustomer,
    LiveConversation,
    Pair,
    Sender,
    Who,
)
from chatwidget.models import Agent, Conversation, Participant
from chatwidget.patches.prepared import Prepared, dialect_name

_agent = Agent.__table__
_conversation = Conversation.__table__
_participant = Participant.__table__
# A batch's conversations with every participant a sender may be or a message goes to
# (the customer, and whoever has not left), and which of the batch's agents exist (an
# uncorrelated subquery: computed once). any() of an array: PostgreSQL only.
_EXISTING = select(func.array_agg(_agent.c.id)).where(
    _agent.c.id == any_(bindparam("agents", type_=ARRAY(Integer)))
)
_BATCH = Prepared(
    select(
        *CONVERSATION_COLUMNS,
        *SENDER_COLUMNS,
        _participant.c.left_at.is_(None).label("present"),
        _EXISTING.scalar_subquery().label("existing"),
    )
    .select_from(
        _conversation.join(
            _participant,
            and_(
                _participant.c.conversation_pk == _conversation.c.id,
                or_(_participant.c.role == "customer", _participant.c.left_at.is_(None)),
            ),
        )
    )
    .where(_conversation.c.conversation_id == any_(bindparam("cids", type_=ARRAY(String))))
    .order_by(_participant.c.id)
)
_CID = LiveConversation._fields.index("conversation_id")


def _one(who: Who) -> Pair | CoreError:
    """who.lookup(), or the CoreError it refused with."""
    try:
        return who.lookup()
    except CoreError as error:
        return error


class _Batch:
    """What _BATCH read: the conversations by conversation id, their customers, their
    present participants by (conversation id, agent id), and the agents that exist."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self.existing: set[int] = set(rows[0][-1] or ()) if rows else set()
        self.customers: dict[str, Sender] = {}
        self.present: dict[tuple[str, int | None], Sender] = {}
        agents: dict[str, list[int]] = {}
        columns: dict[str, Sequence[Any]] = {}
        for row in rows:
            cid, sender = row[_CID], Sender(*row[CONVERSATION_END:SENDER_END])
            columns[cid] = row[:CONVERSATION_END]
            if sender.role == "customer":
                self.customers.setdefault(cid, sender)
            if row[SENDER_END]:  # present: has not left
                self.present[cid, sender.agent_id] = sender
                if sender.role == "agent" and sender.agent_id is not None:
                    agents.setdefault(cid, []).append(sender.agent_id)
        self.conversations = {
            cid: LiveConversation._make((*values, agents.get(cid, [])))
            for cid, values in columns.items()
        }

    def pair(self, who: AsCustomer | AsAgent) -> Pair | None:
        """What who.lookup() returns when it returns (the same checks), else None."""
        conversation = self.conversations.get(str(who.conversation_id or ""))
        if conversation is None:
            return None
        cid = conversation.conversation_id
        if isinstance(who, AsCustomer):
            customer = self.customers.get(cid)
            if customer is None or not hmac.compare_digest(
                customer.participant_id.encode(), str(who.participant_id or "").encode()
            ):
                return None
            return conversation, customer
        agent = who.agent_id
        assigned = conversation.state == "assigned" and conversation.agent_id == agent
        participant = self.present.get((cid, agent))
        if agent not in self.existing or not assigned or participant is None:
            return None
        return conversation, participant


def look_up_all(whos: Sequence[Who]) -> list[Pair | CoreError]:
    """[who.lookup() for who in whos] in the caller's transaction: each (conversation,
    sender), or the CoreError refusing it. On PostgreSQL one round trip for all the
    sockets' senders (and one more for each refused, and each other kind of sender); on
    SQLite, which pays no round trip, one query each."""
    sockets = [w for w in whos if isinstance(w, AsCustomer | AsAgent)]
    if len(sockets) < 2 or dialect_name() != "postgresql":
        return [_one(who) for who in whos]
    cids = sorted({str(who.conversation_id or "") for who in sockets})
    agents = sorted({w.agent_id for w in sockets if isinstance(w, AsAgent) and w.agent_id})
    batch = _Batch(_BATCH.all(cids=cids, agents=agents))
    return [
        (batch.pair(who) if isinstance(who, AsCustomer | AsAgent) else None) or _one(who)
        for who in whos
    ]

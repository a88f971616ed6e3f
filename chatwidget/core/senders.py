"""Who is posting: a socket's message reads its conversation and its sender in one query
(a batch of them on PostgreSQL: chatwidget.core.sender_batch).

Read-only rows (no ORM objects) for the relay's hot path: the conversation, the sender
and the agents present, whom the message goes to, with the refusals of the socket's
other events.
"""

import hmac
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, NamedTuple, Protocol

from sqlalchemy import and_, bindparam, select

from chatwidget.core import handling
from chatwidget.core.errors import Forbidden, NotFound
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, Participant
from chatwidget.patches.prepared import Prepared


class Sender(NamedTuple):
    """A participant as a sender: what posting a message reads of it."""

    id: int
    participant_id: str
    public_id: str
    conversation_pk: int
    role: str
    name: str
    agent_id: int | None


class LiveConversation(NamedTuple):
    """A conversation as posting a message reads it (read-only, no ORM object)."""

    id: int
    conversation_id: str
    state: str
    channel: str
    ref_id: str | None
    queue_id: int
    agent_id: int | None
    agents: list[int]  # ids of the agents in it, read with it (messages.agents_in)


_conversation = Conversation.__table__
_participant = Participant.__table__
_present = _participant.alias("present")
CONVERSATION_COLUMNS = [_conversation.c[name] for name in LiveConversation._fields[:-1]]
SENDER_COLUMNS = [_participant.c[name].label("p_" + name) for name in Sender._fields]
# Each query below also reads the agents in the conversation, whom the message goes to:
# one row per agent present (one row with none when there is no agent).
_WITH_AGENTS = and_(
    _present.c.conversation_pk == _conversation.c.id,
    _present.c.role == "agent",
    _present.c.left_at.is_(None),
)
# The conversation and its customer: found by conversationId for a customer socket's
# message, by chat id for the chats API's end user.
_WITH_CUSTOMER = select(*CONVERSATION_COLUMNS, *SENDER_COLUMNS, _present.c.agent_id).select_from(
    _conversation.outerjoin(
        _participant,
        and_(
            _participant.c.conversation_pk == _conversation.c.id,
            _participant.c.role == "customer",
        ),
    ).outerjoin(_present, _WITH_AGENTS)
)
_CUSTOMER_SENDER = Prepared(
    _WITH_CUSTOMER.where(_conversation.c.conversation_id == bindparam("cid"))
)
_END_USER_SENDER = Prepared(_WITH_CUSTOMER.where(_conversation.c.id == bindparam("pk")))
# One query for an agent socket's message: the conversation, the agent's participant in
# it, and whether the agent still exists.
_AGENT_EXISTS = select(Agent.__table__.c.id).where(Agent.__table__.c.id == bindparam("agent"))
_AGENT_SENDER = Prepared(
    select(
        *CONVERSATION_COLUMNS,
        *SENDER_COLUMNS,
        _present.c.agent_id,
        _AGENT_EXISTS.scalar_subquery().label("agent_exists"),
    )
    .select_from(
        _conversation.outerjoin(
            _participant,
            and_(
                _participant.c.conversation_pk == _conversation.c.id,
                _participant.c.agent_id == bindparam("agent"),
                _participant.c.left_at.is_(None),
            ),
        ).outerjoin(_present, _WITH_AGENTS)
    )
    .where(_conversation.c.conversation_id == bindparam("cid"))
)
CONVERSATION_END = len(CONVERSATION_COLUMNS)
SENDER_END = CONVERSATION_END + len(SENDER_COLUMNS)


def _split(rows: Sequence[Any]) -> tuple[LiveConversation, Sender | None]:
    """(LiveConversation, Sender or None) from the rows of a sender query."""
    row = rows[0]
    agents = [r[SENDER_END] for r in rows if r[SENDER_END] is not None]
    columns = (*row[:CONVERSATION_END], agents)
    conversation = LiveConversation(*columns)
    sender = row[CONVERSATION_END:SENDER_END]
    return conversation, (Sender(*sender) if sender[0] is not None else None)


def customer_sender(conversation_id: Any, participant_id: Any) -> tuple[LiveConversation, Sender]:
    """conversations.check_customer() in one query, for posting: (LiveConversation, Sender)."""
    rows = _CUSTOMER_SENDER.all(cid=str(conversation_id or ""))
    customer = None
    if rows:
        conversation, customer = _split(rows)
    if customer is None or not hmac.compare_digest(
        customer.participant_id.encode(), str(participant_id or "").encode()
    ):
        raise Forbidden("unknown conversation or participant")
    return conversation, customer


def end_user_sender(chat_id: int) -> tuple[LiveConversation, Sender]:
    """The customer of a chat, for the chats API posting as its end user: trusted for
    that chat by its credentials, so no participant secret is asked. NotFound when there
    is no such chat or it has no customer."""
    rows = _END_USER_SENDER.all(pk=chat_id)
    if rows:
        conversation, customer = _split(rows)
        if customer is not None:
            return conversation, customer
    raise NotFound("no chat %s with a customer" % chat_id)


def agent_sender(agent_id: int | None, conversation_id: Any) -> tuple[LiveConversation, Sender]:
    """The agent's participant in a conversation assigned to it, for posting, in one query:
    (LiveConversation, Sender); the same refusals, in the same order, as the agent socket's
    other events (not signed in, no such conversation, not assigned to you, not in it)."""
    rows = _AGENT_SENDER.all(cid=str(conversation_id or ""), agent=agent_id)
    if not rows:
        if db.session.execute(_AGENT_EXISTS, {"agent": agent_id}).first() is None:
            raise Forbidden("not signed in")
        raise NotFound("no conversation %s" % conversation_id)
    if rows[0][-1] is None:  # agent_exists
        raise Forbidden("not signed in")
    conversation, participant = _split(rows)
    handling.check_handler(SimpleNamespace(id=agent_id), conversation)
    if participant is None:
        raise Forbidden("you are not in this conversation")
    return conversation, participant


class AsCustomer(NamedTuple):
    """The customer of a conversation, proven by its participant id (its secret)."""

    conversation_id: str
    participant_id: str

    def lookup(self) -> tuple[LiveConversation, Sender]:
        """The conversation and the sender, or Forbidden (customer_sender)."""
        return customer_sender(self.conversation_id, self.participant_id)


class AsAgent(NamedTuple):
    """A signed-in agent, in a conversation assigned to it."""

    agent_id: int | None  # the socket's, None when not signed in (refused)
    conversation_id: str

    def lookup(self) -> tuple[LiveConversation, Sender]:
        """The conversation and the sender, or Forbidden/NotFound (agent_sender)."""
        return agent_sender(self.agent_id, self.conversation_id)


class AsEndUser(NamedTuple):
    """The customer of a chat, as the chats API speaks for it: its credentials make it
    trusted for every chat, so the customer is found without its participant secret."""

    chat_id: int

    def lookup(self) -> tuple[LiveConversation, Sender]:
        """The conversation and its customer, or NotFound (end_user_sender)."""
        return end_user_sender(self.chat_id)


Pair = tuple[LiveConversation, Sender]


class LooksUp(Protocol):
    """Any other sender (a queue's virtual agent): its own lookup() names it."""

    def lookup(self) -> Pair:
        """The conversation and the sender, or the CoreError refusing them."""
        ...


Who = AsCustomer | AsAgent | AsEndUser | LooksUp

"""Who a chats API call speaks for (CONTRACT §3): `from_user_id`, `finished_by_user_id`.

A user id names the chat's end user or an agent in the chat; omitted, the end user.
Agent and end-user ids are counted apart, so an id that is both names the end user:
the chats API mostly speaks for end users, and an agent answers from the console.
"""

from typing import Any, NamedTuple

from sqlalchemy import select

from chatwidget.core.chats import ChatRef
from chatwidget.core.errors import InvalidInput
from chatwidget.extensions import db
from chatwidget.models import Conversation, Participant

END_USER = "end_user"
AGENT = "agent"


class ChatUser(NamedTuple):
    """A user of a chat: role END_USER (user_id the end user's id, None when the
    conversation has no identified end user) or AGENT (user_id the agent's id)."""

    role: str
    user_id: int | None

    def finished_by(self) -> dict[str, Any]:
        """The conversation's finished_by record: {"user_id", "role"}."""
        return {"user_id": self.user_id, "role": self.role}


def check_chat_user(
    conversation: Conversation | ChatRef, user_id: int | None, field: str
) -> ChatUser:
    """The user a call names by user_id (the body's `field`): the chat's end user, or an
    agent who is in the chat now; InvalidInput naming the field otherwise."""
    if user_id is None or user_id == conversation.end_user_id:
        return ChatUser(END_USER, conversation.end_user_id)
    agent_in = db.session.scalar(
        select(Participant.id).filter_by(
            conversation_pk=conversation.id, agent_id=user_id, role="agent", left_at=None
        )
    )
    if agent_in is None:
        reason = "Neither the chat's end user nor an agent in the chat."
        raise InvalidInput("%s: %s" % (field, reason), errors={field: [reason]})
    return ChatUser(AGENT, user_id)


def participant_of(conversation: Conversation, user: ChatUser) -> Participant | None:
    """The user's participant in the conversation (the customer for the end user)."""
    if user.role == AGENT:
        where = {"agent_id": user.user_id, "role": "agent", "left_at": None}
    else:
        where = {"role": "customer"}
    return db.session.scalar(
        select(Participant).filter_by(conversation_pk=conversation.id, **where).limit(1)
    )

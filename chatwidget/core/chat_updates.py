"""Changing a chat through the chats API (PATCH, CONTRACT §3): finishing it, and the
deflection channel its end user chose while waiting.

Finishing a chat ends the live conversation everywhere, as an end in the widget or the
console does (handling.do_end: endOfConversation to all, the call captured), and
records who finished it.
"""

from typing import Any

from chatwidget.core import chat_users, chats, escalations, handling, messages
from chatwidget.core.chat_view import STATUSES
from chatwidget.core.errors import InvalidInput, NotFound
from chatwidget.models import Conversation, Escalation

FINISHED = "finished"


def _chat_error(field: str, reason: str) -> InvalidInput:
    return InvalidInput("chat.%s: %s" % (field, reason), errors={"chat": {field: [reason]}})


def check_status(status: str | None) -> None:
    """InvalidInput naming chat.status unless it is one a PATCH sets (finished) or None:
    the others follow from what happens in the chat."""
    if status is None or status == FINISHED:
        return
    if status in STATUSES:
        raise _chat_error(
            "status", "%s follows from the chat and cannot be set; only finished can." % status
        )
    raise _chat_error("status", "Must be one of: %s." % ", ".join(STATUSES))


def _escalation(conversation: Conversation, chat: dict[str, Any]) -> Escalation | None:
    """The escalation a PATCH names (escalation_id), else the chat's latest when it
    records a deflection channel; InvalidInput naming the field when there is none."""
    escalation_id = chat.get("escalation_id")
    if escalation_id is not None:
        try:
            return escalations.find(conversation, escalation_id)
        except NotFound:
            reason = "No escalation %d in this chat." % escalation_id
            raise _chat_error("escalation_id", reason) from None
    if chat.get("deflection_channel") is None:
        return None
    latest = escalations.latest(conversation)
    if latest is None:
        raise _chat_error("deflection_channel", "The chat has no escalation to record it on.")
    return latest


def do_finish(conversation: Conversation, user: chat_users.ChatUser) -> None:
    """End a live chat everywhere on behalf of user (commits)."""
    chats.check_live(conversation)
    participant = chat_users.participant_of(conversation, user)
    by = messages.who(participant) if participant is not None else None
    handling.do_end(conversation, "api", by=by, finished_by=user.finished_by())


def do_update_chat(
    conversation: Conversation, finished_by_user_id: int | None, chat: dict[str, Any]
) -> None:
    """Apply a PATCH: chat.deflection_channel recorded on chat.escalation_id (else the
    latest escalation); chat.status finished ends the chat, finished by
    finished_by_user_id (the end user when None). Everything is checked before anything
    changes: a bad field is an InvalidInput naming it and nothing is changed."""
    status = chat.get("status")
    check_status(status)
    user = None
    if status == FINISHED:
        chats.check_live(conversation)
        user = chat_users.check_chat_user(conversation, finished_by_user_id, "finished_by_user_id")
    escalation = _escalation(conversation, chat)
    if escalation is not None and chat.get("deflection_channel") is not None:
        escalations.do_deflect(conversation, escalation, chat["deflection_channel"])
    if user is not None:
        do_finish(conversation, user)

"""Attaching files to live conversations: a customer or the assigned agent uploads one,
then a sendMessage names it by mediaId (client_messages.check_attachments)."""

from typing import Any

from werkzeug.datastructures import FileStorage

from chatwidget.core import conversations, handling, media, messages
from chatwidget.core.errors import InvalidInput
from chatwidget.models import Agent, Conversation


def do_upload(conversation: Conversation, file: object, role: str) -> dict[str, Any]:
    """Check and store a file for an open conversation; returns its attachment object."""
    messages.check_open(conversation)
    if not isinstance(file, FileStorage):
        raise InvalidInput("the form has no file", errors={"file": ["missing"]})
    content_type, size = media.check_content(file.stream, file.mimetype)
    name = media.clean_name(file.filename, content_type)
    row = media.save(
        conversation.conversation_id, file.stream, content_type, size, name, role, conversation.id
    )
    media.do_commit_or_discard(row)
    return media.attachment(row)


def do_customer_upload(conversation_id: str, participant_id: str, file: object) -> dict[str, Any]:
    """A customer attaches a file; the pair from init proves who it is."""
    conversation, _ = conversations.check_customer(conversation_id, participant_id)
    return do_upload(conversation, file, "customer")


def do_agent_upload(agent: Agent, conversation_id: str, file: object) -> dict[str, Any]:
    """An agent attaches a file to a conversation assigned to it."""
    conversation = conversations.get(conversation_id)
    handling.check_handler(agent, conversation)
    return do_upload(conversation, file, "agent")

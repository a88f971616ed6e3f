"""A participant's own message to a live conversation (a ChatMessage, or typing):
checked, stored and published, and forwarded through the connector when an agent
answers an SMS, FB or Twitter customer."""

from collections.abc import Sequence
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy.exc import IntegrityError

from chatwidget.core import conversation_view, media, messages
from chatwidget.core.errors import Forbidden, InvalidInput
from chatwidget.extensions import db
from chatwidget.patches.prepared import pinned


def _payload_to(conversation: Any, to: Any, sender: Any) -> list[dict[str, Any]]:
    """Validate `to`: a list of participants of this conversation, named by their public
    ids (a customer may also name itself by its own participant id)."""
    if not to:
        return []
    if not isinstance(to, list):
        raise InvalidInput("to must be a list of participants", errors={"to": ["not a list"]})
    known = {
        p.public_id: {"id": p.public_id, "name": p.name, "role": p.role}
        for p in conversation_view.people(conversation)
    }
    if sender.role == "customer" and sender.public_id in known:
        known[sender.participant_id] = known[sender.public_id]
    out = []
    for item in to:
        pid = item.get("id") if isinstance(item, dict) else item
        if not isinstance(pid, str) or pid not in known:
            raise InvalidInput(
                "to names someone not in this conversation", errors={"to": [str(pid)[:64]]}
            )
        out.append(dict(known[pid]))
    return out


class Sent(NamedTuple):
    """A posted message: its id and seq (None for typing, which is never stored), and
    whether it is stored (False for typing)."""

    message_id: str
    seq: int | None
    conversation_id: str
    stored: bool


def _stored(message: Any, conversation_id: str) -> Sent:
    return Sent(message.message_id, message.seq, conversation_id, True)


def do_post(conversation: Any, sender: Any, data: dict[str, Any]) -> Sent:
    """Post a client's ChatMessage or typing activity and commit; returns its Sent.

    conversation and sender: the ORM objects, or the LiveConversation and Sender that
    senders.customer_sender() and senders.agent_sender() read for a socket's message.
    """
    try:
        with pinned():
            posted = post(conversation, sender, data)
        db.session.commit()
    except IntegrityError:  # the same id sent twice at once: the first one won
        db.session.rollback()
        message_id = messages.check_client_id(data.get("id"))
        stored = messages.find_by_id(conversation, message_id) if message_id else None
        if stored is None:
            raise
        posted = _stored(stored, conversation.conversation_id)
    return posted


def post(conversation: Any, sender: Any, data: dict[str, Any]) -> Sent:
    """do_post() in the caller's transaction, which commits (chatwidget.core.posting
    commits several at once). Raises CoreError only before it has written anything."""
    prepared = prepare(conversation, sender, data)
    if isinstance(prepared, Sent):
        return prepared
    return store_all([prepared])[0]


def prepare(conversation: Any, sender: Any, data: dict[str, Any]) -> Sent | messages.Draft:
    """post() up to the write: a resend's Sent (its ack was lost: acked again, even once
    the chat ended), typing relayed at once and its Sent, or the checked message's Draft
    for messages.store_all() (chatwidget.core.posting stores a batch's together).
    Raises CoreError, having written nothing."""
    kind = data.get("type") or "ChatMessage"
    message_id = messages.check_client_id(data.get("id")) if kind == "ChatMessage" else None
    if message_id:
        stored = messages.find_by_id(conversation, message_id)
        if stored is not None:
            return _stored(stored, conversation.conversation_id)
    messages.check_open(conversation)
    to = _payload_to(conversation, data.get("to"), sender)
    if kind == "ActivityMessage":
        if data.get("activityType") != "typing":
            raise InvalidInput(
                "clients may only send the typing activity", errors={"activityType": []}
            )
        typing = messages.relay_typing(conversation, sender, to)
        return Sent(typing.id, None, conversation.conversation_id, False)
    if kind != "ChatMessage":
        raise InvalidInput("type must be ChatMessage or ActivityMessage", errors={"type": [kind]})
    fields = check_chat_fields(sender, data)
    customer = sender if sender.role == "customer" else None
    return messages.draft(
        conversation, messages.who(sender), "ChatMessage", message_id, customer, to=to, **fields
    )


def store_all(drafts: Sequence[messages.Draft]) -> list[Sent]:
    """Store what prepare() drafted, in the caller's transaction and in this order (one
    round trip on PostgreSQL: messages.store_all): each one's Sent."""
    stored = messages.store_all(drafts)
    return [_stored(m, d.conversation.conversation_id) for d, m in zip(drafts, stored, strict=True)]


def check_chat_fields(sender: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The stored fields of a ChatMessage, validated."""
    text = data.get("text")
    attachments = data.get("attachments") or []
    if text is not None and not isinstance(text, str):
        raise InvalidInput("text must be a string", errors={"text": ["not a string"]})
    if not (text or "").strip() and not attachments:
        raise InvalidInput("a message needs text or attachments", errors={"text": ["empty"]})
    limit = current_app.config["MAX_MESSAGE_CHARS"]
    if len(text or "") > limit:
        reason = "Longer than %d characters." % limit
        raise InvalidInput("text: " + reason, errors={"text": [reason]})
    tag = data.get("tag") or ""
    if tag not in ("", "whisper"):
        raise InvalidInput("tag must be empty or whisper", errors={"tag": [str(tag)]})
    if tag == "whisper" and sender.role != "agent":
        raise Forbidden("only agents may whisper")
    return {
        "text": text or "",
        "tag": tag,
        "ref_id": data.get("refId") if isinstance(data.get("refId"), str) else None,
        "attachments": check_attachments(attachments, sender.conversation_pk),
    }


def check_attachments(attachments: Any, conversation_pk: int) -> list[dict[str, Any]]:
    """Attachments as the seed describes them (string fields only), or {"mediaId"} of a
    file uploaded to this conversation (POST /api/…/attachments)."""
    if not isinstance(attachments, list) or len(attachments) > 10:
        raise InvalidInput("attachments must be a list of at most 10", errors={"attachments": []})
    out = []
    for item in attachments:
        if not isinstance(item, dict):
            raise InvalidInput("each attachment is an object", errors={"attachments": []})
        if item.get("mediaId") is not None:
            out.append(media.check_attachment(conversation_pk, item["mediaId"]))
            continue
        keys = ("type", "name", "contentUrl", "thumbnailUrl")
        out.append({k: str(item[k])[:2000] for k in keys if item.get(k) is not None})
    return out

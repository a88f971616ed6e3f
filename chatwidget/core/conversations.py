"""Live conversations: open, join, post, end, and what a participant may read."""

import hmac
import secrets
import uuid
from types import SimpleNamespace
from typing import NamedTuple

from flask import current_app
from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError

from chatwidget.core import customer_view, end_users, handling, media, messages, routing
from chatwidget.core.errors import Forbidden, InvalidInput, NotFound
from chatwidget.core.queues import queue_for_subject
from chatwidget.extensions import db
from chatwidget.models import Agent, Conversation, Participant, Queue
from chatwidget.models.types import utcnow
from chatwidget.patches.prepared import Prepared, pinned
from chatwidget.schemas.common import format_utc

CHANNELS = ("web", "fb", "sms", "twitter")
CUSTOMER_FIELDS = (
    "firstName",
    "lastName",
    "email",
    "phone",
    "language",
    "url",
    "comment",
    "timeZone",
)


def customer_name(data):
    """What to call the customer: their name, else an identifier, else "Customer"."""
    name = " ".join(p for p in (data.get("firstName"), data.get("lastName")) if p).strip()
    return name or data.get("email") or data.get("phone") or data.get("refId") or "Customer"


def do_init(data):
    """Open a conversation for a customer (not yet routed: that waits for the first join).

    With an identity proof (identityToken, or identifier + identifierHash) it belongs to
    that end user; a proof that fails is Unauthorized, before anything is written.
    """
    identity = end_users.check_proof(data)
    if identity:
        data = end_users.with_identity(data, identity)
    queue = queue_for_subject(data.get("subject"))
    conversation = Conversation(
        conversation_id=str(uuid.uuid4()),
        channel=data["channel"],
        state="new",
        queue_id=queue.id,
        customer={k: data[k] for k in CUSTOMER_FIELDS if data.get(k)},
        ref_id=data.get("refId"),
        email=(data.get("email") or "").strip().lower() or None,
        phone=data.get("phone"),
        request_id=data.get("requestId"),
        end_user_id=end_users.end_user_for(identity).id if identity else None,
    )
    db.session.add(conversation)
    db.session.flush()
    customer = Participant(
        participant_id=secrets.token_urlsafe(24),
        public_id="cus_" + secrets.token_urlsafe(12),  # how everyone else names it
        conversation_pk=conversation.id,
        role="customer",
        name=customer_name(data)[:200],
    )
    db.session.add(customer)
    db.session.commit()
    return conversation, customer


def get(conversation_id):
    """The conversation with this public id, or NotFound."""
    conversation = db.session.scalar(
        select(Conversation).filter_by(conversation_id=str(conversation_id or ""))
    )
    if conversation is None:
        raise NotFound("no conversation %s" % conversation_id)
    return conversation


def check_customer(conversation_id, participant_id):
    """The customer participant for this pair; a wrong pair reveals nothing."""
    refused = Forbidden("unknown conversation or participant")
    conversation = db.session.scalar(
        select(Conversation).filter_by(conversation_id=str(conversation_id or ""))
    )
    if conversation is None:
        raise refused
    customer = db.session.scalar(
        select(Participant).filter_by(conversation_pk=conversation.id, role="customer")
    )
    if customer is None or not hmac.compare_digest(
        customer.participant_id.encode(), str(participant_id or "").encode()
    ):
        raise refused
    return conversation, customer


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
    agents: list  # ids of the agents in it, read with it (messages.agents_in)


_conversation = Conversation.__table__
_participant = Participant.__table__
_present = _participant.alias("present")
_CONVERSATION_COLUMNS = [_conversation.c[name] for name in LiveConversation._fields[:-1]]
_SENDER_COLUMNS = [_participant.c[name].label("p_" + name) for name in Sender._fields]
# Each query below also reads the agents in the conversation, whom the message goes to:
# one row per agent present (one row with none when there is no agent).
_WITH_AGENTS = and_(
    _present.c.conversation_pk == _conversation.c.id,
    _present.c.role == "agent",
    _present.c.left_at.is_(None),
)
# One query for a customer socket's message: the conversation and its customer.
_CUSTOMER_SENDER = Prepared(
    select(*_CONVERSATION_COLUMNS, *_SENDER_COLUMNS, _present.c.agent_id)
    .select_from(
        _conversation.outerjoin(
            _participant,
            and_(
                _participant.c.conversation_pk == _conversation.c.id,
                _participant.c.role == "customer",
            ),
        ).outerjoin(_present, _WITH_AGENTS)
    )
    .where(_conversation.c.conversation_id == bindparam("cid"))
)
# One query for an agent socket's message: the conversation, the agent's participant in
# it, and whether the agent still exists.
_AGENT_EXISTS = select(Agent.__table__.c.id).where(Agent.__table__.c.id == bindparam("agent"))
_AGENT_SENDER = Prepared(
    select(
        *_CONVERSATION_COLUMNS,
        *_SENDER_COLUMNS,
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
_CONVERSATION_END = len(_CONVERSATION_COLUMNS)
_SENDER_END = _CONVERSATION_END + len(_SENDER_COLUMNS)


def _split(rows):
    """(LiveConversation, Sender or None) from the rows of a sender query."""
    row = rows[0]
    agents = [r[_SENDER_END] for r in rows if r[_SENDER_END] is not None]
    conversation = LiveConversation(*row[:_CONVERSATION_END], agents)
    sender = row[_CONVERSATION_END:_SENDER_END]
    return conversation, (Sender(*sender) if sender[0] is not None else None)


def customer_sender(conversation_id, participant_id):
    """check_customer() in one query, for posting: (LiveConversation, Sender)."""
    rows = _CUSTOMER_SENDER.all(cid=str(conversation_id or ""))
    customer = None
    if rows:
        conversation, customer = _split(rows)
    if customer is None or not hmac.compare_digest(
        customer.participant_id.encode(), str(participant_id or "").encode()
    ):
        raise Forbidden("unknown conversation or participant")
    return conversation, customer


def agent_sender(agent_id, conversation_id):
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


def do_customer_join(conversation, customer, name=None):
    """A customer socket joins: the greeting is stored once and handed back on every join."""
    if name and name.strip() and name.strip() != customer.name:
        customer.name = name.strip()[:200]
    greeting = messages.find_greeting(conversation, customer)
    if greeting is None and conversation.state != "ended":
        greeting = messages.activity(
            conversation,
            "greetings",
            info={"participant": messages.who(customer)},
            to=[messages.who(customer)],
        )
    db.session.commit()
    return greeting


def do_start_routing(conversation):
    """The customer's first join queues the conversation (handOff) and tries an agent."""
    if conversation.state != "new":
        return
    routing.enqueue(conversation)


def participants(conversation):
    """Everyone in the conversation, as conversationInfo lists them."""
    rows = db.session.scalars(
        select(Participant)
        .where(Participant.conversation_pk == conversation.id)
        .order_by(Participant.id)
    )
    out = []
    for p in rows:
        entry = messages.who(p)
        entry["joinedAt"] = format_utc(p.joined_at)
        entry["leftAt"] = format_utc(p.left_at)
        out.append(entry)
    return out


def describe(conversation):
    """The conversation object of conversationInfo and conversationAssigned."""
    queue = db.session.get(Queue, conversation.queue_id)
    return {
        "conversationId": conversation.conversation_id,
        "channel": conversation.channel,
        "state": conversation.state,
        "queue": {"id": queue.id, "name": queue.name} if queue else None,
        "customer": dict(conversation.customer or {}, refId=conversation.ref_id),
        "requestId": conversation.request_id,
        "createdAt": format_utc(conversation.created_at),
        "endedAt": format_utc(conversation.ended_at),
        "endReason": conversation.end_reason,
    }


def info(conversation, role, customer=None, after_seq=0):
    """conversationInfo: the conversation, the messages this viewer may see, participants.
    role "customer": for that customer's own socket (customer: its participant)."""
    history = messages.history(conversation, after_seq)
    if role == "customer":
        history = [m for m in history if messages.visible_to_customer(m, customer.public_id)]
    out = {
        "conversation": describe(conversation),
        "messages": history,
        "participant": participants(conversation),
        "role": role,
    }
    return customer_view.own_info(out, customer) if role == "customer" else out


def _payload_to(conversation, to, sender):
    """Validate `to`: a list of participants of this conversation, named by their public
    ids (a customer may also name itself by its own participant id)."""
    if not to:
        return []
    if not isinstance(to, list):
        raise InvalidInput("to must be a list of participants", errors={"to": ["not a list"]})
    known = {p["id"]: p for p in participants(conversation)}
    if sender.role == "customer" and sender.public_id in known:
        known[sender.participant_id] = known[sender.public_id]
    out = []
    for item in to:
        pid = item.get("id") if isinstance(item, dict) else item
        if not isinstance(pid, str) or pid not in known:
            raise InvalidInput(
                "to names someone not in this conversation", errors={"to": [str(pid)[:64]]}
            )
        out.append({k: known[pid][k] for k in ("id", "name", "role")})
    return out


def do_post(conversation, sender, data):
    """Post a client's ChatMessage or typing activity and commit; returns (wire, stored?).

    conversation and sender: the ORM objects, or the LiveConversation and Sender that
    customer_sender() and agent_sender() read for a socket's message.
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
        posted = messages.to_wire(stored, conversation.conversation_id), True
    return posted


def post(conversation, sender, data):
    """do_post() in the caller's transaction, which commits (chatwidget.core.posting
    commits several at once). Raises CoreError only before it has written anything."""
    kind = data.get("type") or "ChatMessage"
    message_id = messages.check_client_id(data.get("id")) if kind == "ChatMessage" else None
    if message_id:  # a resend (its ack was lost) is acked again, even once the chat ended
        stored = messages.find_by_id(conversation, message_id)
        if stored is not None:
            return messages.to_wire(stored, conversation.conversation_id), True
    messages.check_open(conversation)
    to = _payload_to(conversation, data.get("to"), sender)
    if kind == "ActivityMessage":
        if data.get("activityType") != "typing":
            raise InvalidInput(
                "clients may only send the typing activity", errors={"activityType": []}
            )
        return messages.relay_typing(conversation, sender, to), False
    if kind != "ChatMessage":
        raise InvalidInput("type must be ChatMessage or ActivityMessage", errors={"type": [kind]})
    fields = check_chat_fields(sender, data)
    customer = sender if sender.role == "customer" else None
    stored = messages.store(
        conversation, messages.who(sender), "ChatMessage", message_id, customer, to=to, **fields
    )
    _forward(conversation, sender, stored)
    return messages.to_wire(stored, conversation.conversation_id), True


def _forward(conversation, sender, stored):
    """Agent replies in SMS/FB/Twitter conversations also go out through the connector."""
    if sender.role == "agent" and conversation.channel != "web":
        from chatwidget.core import connectors

        wire = messages.to_wire(stored, conversation.conversation_id)
        connectors.forward_reply(conversation, sender, wire)


def customer_of(conversation):
    """The conversation's customer participant."""
    return db.session.scalar(
        select(Participant).filter_by(conversation_pk=conversation.id, role="customer")
    )


def check_chat_fields(sender, data):
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


def check_attachments(attachments, conversation_pk=None):
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


def now_iso():
    """The current time as the customer channel writes it."""
    return format_utc(utcnow())

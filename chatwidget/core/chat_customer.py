"""What an integrator tells about a chat's customer (chats API, CONTRACT §3): customer
flags, custom data (plain or signed with COMPANY_SECRET) and who the end user is.

Custom data is kept on the conversation as {name: {"label", "value"}} in the order
first given; a later call's field of the same name replaces it. The three `reserved_*`
fields are not custom data: their `value` sets the customer flag of the same name.
"""

from typing import Any, TypedDict

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from chatwidget.core import chats, end_users
from chatwidget.core.atomic import compare_and_set
from chatwidget.core.errors import InvalidInput, InvalidState
from chatwidget.extensions import db
from chatwidget.models import Conversation, EndUser, Participant

FLAGS = ("verified_customer", "bad_actor", "repeat_customer")
RESERVED = {"reserved_" + flag: flag for flag in FLAGS}
MAX_FIELDS = 100  # custom data fields a chat keeps at most
# Clock skew allowed on a signed custom data token's exp and iat, in seconds.
LEEWAY_S = 30
IDENTIFIER_MISSING = "param is missing or the value is empty: identifier"  # the vendor's


class CustomerFlags(TypedDict):
    """The customer flags of a chat (unset ones are false)."""

    verified_customer: bool
    bad_actor: bool
    repeat_customer: bool


class Contact(TypedDict):
    """POST …/end-user: the integrator's id for the person, and optional contact details."""

    identifier: str | None
    name: str | None
    email: str | None
    phone: str | None


def flags_of(conversation: Conversation) -> CustomerFlags:
    """The chat's customer flags, false where never set."""
    stored = conversation.customer_flags or {}
    return CustomerFlags(
        verified_customer=bool(stored.get("verified_customer")),
        bad_actor=bool(stored.get("bad_actor")),
        repeat_customer=bool(stored.get("repeat_customer")),
    )


def _merge_flags(conversation: Conversation, flags: dict[str, bool]) -> None:
    """Set the given flags (names of FLAGS), keeping the others; a new dict, so the JSON
    column is seen as changed."""
    given = {name: bool(value) for name, value in flags.items() if name in FLAGS}
    conversation.customer_flags = {**(conversation.customer_flags or {}), **given}


def do_set_flags(conversation: Conversation, flags: dict[str, bool]) -> CustomerFlags:
    """Set some customer flags of a chat, keeping the others (commits); all of them after."""
    _merge_flags(conversation, flags)
    db.session.commit()
    return flags_of(conversation)


def check_signed(token: str) -> dict[str, Any]:
    """The `custom_data` object of signed_data: a JWT, HS256 with COMPANY_SECRET, with
    `exp` and `iat` (both checked); Unauthorized otherwise. Its fields' shapes are the
    caller's to check, as for unsigned data."""
    claims = end_users.check_company_jwt(token, ["exp", "iat"], "signed_data", LEEWAY_S)
    data = claims.get("custom_data")
    if not isinstance(data, dict):
        raise InvalidInput(
            "signed_data has no custom_data object",
            errors={"signed_data": ["The token's custom_data must be an object."]},
        )
    return data


def do_add_custom_data(conversation: Conversation, data: dict[str, dict[str, Any]]) -> None:
    """Merge custom data fields ({name: {"label", "value"}}, shapes already checked) into
    the chat's; `reserved_*` fields set the customer flags instead (commits). More than
    MAX_FIELDS fields in all is InvalidInput, nothing stored."""
    flags = {RESERVED[name]: field["value"] for name, field in data.items() if name in RESERVED}
    kept = {
        name: {"label": field.get("label"), "value": field["value"]}
        for name, field in data.items()
        if name not in RESERVED
    }
    merged = {**(conversation.custom_data or {}), **kept}
    if len(merged) > MAX_FIELDS:
        reason = "A chat keeps at most %d custom data fields." % MAX_FIELDS
        raise InvalidInput(reason, errors={"data": [reason]})
    conversation.custom_data = merged
    _merge_flags(conversation, flags)
    db.session.commit()


def do_set_end_user(conversation: Conversation, contact: Contact) -> None:
    """Make the chat the end user's with this identifier and update their contact details
    (commits). The identifier is unique: if an end user has it already the chat moves to
    them; else the chat's own end user takes it if it has none yet (one the chats API made
    from a phone or an e-mail: its other chats follow); else a new end user is made. The
    given name, e-mail and phone replace the end user's and the chat's customer contact
    (what the console's customer panel and the captured call show); blank ones are
    not given."""
    identifier = (contact["identifier"] or "").strip()
    if not identifier:
        raise InvalidInput(IDENTIFIER_MISSING)
    chats.check_live(conversation)
    user = _end_user_named(conversation, identifier)
    conversation.end_user_id = user.id
    name, email, phone = ((contact[k] or "").strip() or None for k in ("name", "email", "phone"))
    email = email.lower() if email else None
    for column, value in (("name", name), ("email", email), ("phone", phone)):
        if value:
            setattr(user, column, value)
    _update_customer(conversation, name, email, phone)
    db.session.commit()


def _end_user_named(conversation: Conversation, identifier: str) -> EndUser:
    """The end user the chat gets for this identifier (see do_set_end_user)."""
    found = db.session.scalar(select(EndUser).filter_by(identifier=identifier))
    if found is not None:
        return found
    current = (
        db.session.get(EndUser, conversation.end_user_id)
        if conversation.end_user_id is not None
        else None
    )
    if current is not None and current.identifier is None:
        try:
            claimed = compare_and_set(
                update(EndUser)
                .where(EndUser.id == current.id, EndUser.identifier.is_(None))
                .values(identifier=identifier)
            )
        except IntegrityError:  # another call gave the identifier to a new end user
            db.session.rollback()
            raise InvalidState("end user %s was made meanwhile; try again" % identifier) from None
        if claimed:
            db.session.refresh(current)
            return current
    identity = end_users.Identity(identifier=identifier, name=None, email=None)
    return end_users.end_user_for(identity)


def _update_customer(
    conversation: Conversation, name: str | None, email: str | None, phone: str | None
) -> None:
    """The chat's customer contact: its customer dict (a new one, so the JSON column is
    seen as changed), e-mail and phone columns and the customer participant's name."""
    customer = dict(conversation.customer or {})
    if name:
        customer["firstName"] = name  # customer_name() and captured calls read these two
        customer.pop("lastName", None)
    customer.update({k: v for k, v in (("email", email), ("phone", phone)) if v})
    conversation.customer = customer
    conversation.email = email or conversation.email
    conversation.phone = phone or conversation.phone
    participant = db.session.scalar(
        select(Participant).filter_by(conversation_pk=conversation.id, role="customer")
    )
    if participant is not None and name:
        participant.name = name[:200]

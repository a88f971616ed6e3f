"""Purging every call of one customer, live conversations included.

Above both `purge` (the calls) and `handling` (ending a live conversation): a live
conversation of the customer is ended first, which captures it as a call purged with
the rest.
"""

from sqlalchemy import ColumnElement, or_, select

from chatwidget.core import handling, purge
from chatwidget.extensions import db
from chatwidget.models import Conversation


def live_of_customer(email: str | None = None, phone: str | None = None) -> list[Conversation]:
    """Conversations still going on with this customer's e-mail or phone."""
    clauses: list[ColumnElement[bool]] = []
    if email:
        clauses.append(Conversation.email == email.strip().lower())
    if phone:
        clauses.append(Conversation.phone == phone)
    return list(
        db.session.scalars(select(Conversation).where(Conversation.state != "ended", or_(*clauses)))
    )


def do_end_live(email: str | None = None, phone: str | None = None) -> list[str]:
    """End the customer's live conversations (reason api) so they are purged as calls."""
    ended = []
    for conversation in live_of_customer(email, phone):
        handling.do_end(conversation, "api")
        ended.append(conversation.conversation_id)
    return ended


def do_purge_customer(
    email: str | None = None, phone: str | None = None, what_if: bool = False
) -> list[purge.PurgeItem]:
    """Purge (or, with what_if, only list) every call of one customer.

    The customer's live conversations count too: listed by conversationId under
    whatIf, else ended (reason api), which makes them calls purged with the rest.
    """
    if what_if:
        live = live_of_customer(email, phone)
        items = [purge.item(call, "WhatIf") for call in purge.customer_calls(email, phone)]
        return items + [
            purge.PurgeItem(
                callId=None, sessionId=c.conversation_id, status="WhatIf", errorMsg=None
            )
            for c in live
        ]
    do_end_live(email, phone)
    calls = purge.customer_calls(email, phone)
    purge.delete_calls([call.id for call in calls])
    db.session.commit()
    return [purge.item(call, "Purging") for call in calls]

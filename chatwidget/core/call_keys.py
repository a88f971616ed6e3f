"""The purge index of captured calls: the e-mails, phones and metadata values a customer
purge finds a call by (CallKey rows), written with the call and again when its metadata
changes."""

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, insert

from chatwidget.models import CallKey

_INSERT_KEYS = insert(CallKey.__table__)


def _scalar_values(value: object) -> Iterator[str]:
    """Every string or number inside a JSON value, for the customer purge index."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalar_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalar_values(item)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield str(value)


def keys_of(
    contacts: Iterable[dict[str, Any]], metadata: dict[str, Any] | None
) -> set[tuple[str, str]]:
    """The (kind, value) pairs a customer purge may find this call by."""
    keys: set[tuple[str, str]] = set()
    for contact in contacts:
        if contact.get("Email"):
            keys.add(("email", contact["Email"].strip().lower()[:255]))
        for name in ("Phone", "PhoneNumber"):
            if contact.get(name):
                keys.add(("phone", contact[name][:255]))
    for value in _scalar_values(metadata or {}):
        keys.add(("meta", value[:255]))
        if "@" in value:  # an e-mail in metadata matches in any case, as a contact's does
            keys.add(("email", value.strip().lower()[:255]))
    return keys


def key_rows(
    call_pk: int, contacts: Iterable[dict[str, Any]], metadata: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The CallKey rows of one call."""
    return [{"call_pk": call_pk, "kind": k, "value": v} for k, v in keys_of(contacts, metadata)]


def insert_keys(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Write CallKey rows (of one call or many) on connection, in its transaction."""
    if rows:
        connection.execute(_INSERT_KEYS, rows)

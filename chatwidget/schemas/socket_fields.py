"""The field types of the socket events' payloads (schemas.sockets): the checks marshmallow
has no field for, each cheap enough for the sendMessage hot path."""

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from marshmallow import fields

from chatwidget.schemas.common import UNSTORABLE_TEXT, SafeString, bad_text

MAX_INFO_DEPTH = 32

T = TypeVar("T")


class ClientId(SafeString):
    """A client's message id: a UUID in any spelling (upper case, braces, urn:uuid:),
    loaded in canonical form, so that every spelling names the same message."""

    default_error_messages = {"not_uuid": "Not a valid UUID."}

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise self.make_error("not_uuid") from None


class Recipient(SafeString):
    """Whom a message is for: a participant id, or a participant as messages name it
    ({"id", …}); loaded as the id."""

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        if type(value) is dict:
            value = value.get("id")
        return super()._deserialize(value, attr, data, **kwargs)


class StorableJson(fields.Dict):
    """A JSON object whose keys and strings every database can store, nested at most
    MAX_INFO_DEPTH deep (walked without recursion: a payload may be nested deeply)."""

    default_error_messages = {
        "unstorable": UNSTORABLE_TEXT,
        "too_deep": "Nested more than %d deep." % MAX_INFO_DEPTH,
    }

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> dict[Any, Any]:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        pending: list[tuple[object, int]] = [(loaded, 0)]
        while pending:
            item, depth = pending.pop()
            if isinstance(item, str):
                if bad_text(item):
                    raise self.make_error("unstorable")
            elif isinstance(item, dict | list) and depth >= MAX_INFO_DEPTH:
                raise self.make_error("too_deep")
            elif isinstance(item, dict):
                pending.extend((x, depth + 1) for pair in item.items() for x in pair)
            elif isinstance(item, list):
                pending.extend((x, depth + 1) for x in item)
        return loaded


class Choice(SafeString):
    """One of a few strings (a validator would cost a sendMessage more than the check)."""

    default_error_messages = {"not_one_of": "Must be one of: {choices}."}

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(max(map(len, choices)), **kwargs)
        self.choices = choices

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        value = super()._deserialize(value, attr, data, **kwargs)
        if value not in self.choices:
            raise self.make_error("not_one_of", choices=", ".join(c for c in self.choices if c))
        return value


class BoundedList(fields.List[T]):
    """A list of at most max_items; the empty list most messages carry costs nothing."""

    default_error_messages = {"too_many": "More than {max} items."}

    def __init__(
        self, inner: fields.Field[T] | type[fields.Field[T]], max_items: int, **kwargs: Any
    ) -> None:
        super().__init__(inner, **kwargs)
        self.max_items = max_items

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> list[T | None]:
        if type(value) is list:
            if not value:
                return []
            if len(value) > self.max_items:
                raise self.make_error("too_many", max=self.max_items)
        return super()._deserialize(value, attr, data, **kwargs)

"""Fields and base schemas shared by every API family."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from chatwidget.models.types import MAX_ROW_ID
from chatwidget.timestamps import format_utc, parse_utc
from chatwidget.unstorable import UNSTORABLE_TEXT, bad_text


class UtcDateTime(fields.Field[datetime]):
    """A timestamp in UTC, read leniently (see parse_utc) and written with a Z."""

    default_error_messages = {"invalid": "Not a valid ISO 8601 UTC timestamp."}

    def __init__(self, **kwargs: Any) -> None:
        doc = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC if no offset"}
        kwargs["metadata"] = {**doc, **(kwargs.get("metadata") or {})}
        super().__init__(**kwargs)

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> datetime:
        try:
            return parse_utc(value)
        except (ValueError, OverflowError):
            raise self.make_error("invalid") from None

    def _serialize(
        self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> str | None:
        return format_utc(value)


# The largest value of a signed 64-bit column (BIGINT), and of SQLite's INTEGER.
MAX_BIGINT = 2**63 - 1


class SafeString(fields.String):
    """A string of at most max_length characters that every database can store.

    Only a JSON string is one (not a number, not bytes): no NUL, no unpaired surrogate.
    """

    default_error_messages = {
        "invalid": "Not a valid string.",
        "too_long": "Longer than {max} characters.",
        "unstorable": UNSTORABLE_TEXT,
    }

    def __init__(self, max_length: int = 255, **kwargs: Any) -> None:
        kwargs["metadata"] = {"maxLength": max_length, **(kwargs.get("metadata") or {})}
        super().__init__(**kwargs)
        self.max_length = max_length

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        if type(value) is not str:
            raise self.make_error("invalid")
        if len(value) > self.max_length:
            raise self.make_error("too_long", max=self.max_length)
        if bad_text(value):
            raise self.make_error("unstorable")
        return value


class WholeNumber(fields.Field[int]):
    """A whole number a BIGINT column holds (0 … 2**63-1): a JSON integer, or a string of
    ASCII digits. Not a float, a boolean, or a digit such as "²"."""

    maximum = MAX_BIGINT
    default_error_messages = {"invalid": "Not a whole number from 0 to {maximum}."}

    def __init__(self, **kwargs: Any) -> None:
        doc = {"type": "integer", "minimum": 0, "maximum": self.maximum}
        kwargs["metadata"] = {**doc, **(kwargs.get("metadata") or {})}
        super().__init__(**kwargs)

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> int:
        if type(value) is str and 0 < len(value) <= 19 and value.isascii() and value.isdigit():
            value = int(value)
        if type(value) is not int or not 0 <= value <= self.maximum:
            raise self.make_error("invalid", maximum=self.maximum)
        return value


class RowId(WholeNumber):
    """The id of a row (an INTEGER primary key: at most 2**31-1 on PostgreSQL)."""

    maximum = MAX_ROW_ID


class HttpUrl(SafeString):
    """An absolute http: or https: URL (a link a browser may follow: no javascript:, no
    data:)."""

    default_error_messages = {"not_http": "Not an absolute http: or https: URL."}
    _url = validate.URL(relative=False, schemes={"http", "https"}, require_tld=False)

    def __init__(self, max_length: int = 2000, **kwargs: Any) -> None:
        super().__init__(max_length, **kwargs)

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self._url(value)
        except ValidationError:
            raise self.make_error("not_http") from None


class JsonObject(fields.Dict):
    """Any JSON object, kept as sent."""


class CaseInsensitiveSchema(Schema):
    """Reads property names in any letter case (`sessionId`, `SESSIONID`), as .NET sends.

    Known names are mapped onto their declared spelling; other keys are ignored.
    """

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _canonical_keys(self, data: object, **kwargs: Any) -> object:
        if not isinstance(data, Mapping):  # a dict, or webargs' proxy of a query or form
            return data
        names: dict[str, str] = {}
        for name, field in self.load_fields.items():
            key = field.data_key or name
            names[key.lower()] = key
        return {names.get(str(k).lower(), k): v for k, v in data.items()}


class Request(Schema):
    """A request body or query: unknown extra fields are ignored (CONTRACT §1)."""

    class Meta:
        unknown = EXCLUDE


class MessageSchema(Schema):
    """A plain human-readable answer."""

    message = fields.String()


class ErrorSchema(Schema):
    """The error envelope of every JSON API."""

    message = fields.String(required=True, metadata={"description": "What went wrong"})
    errors = fields.Dict(metadata={"description": "Each bad field and what is wrong with it"})


def summarise(errors: object, prefix: str = "") -> list[str]:
    """A one-line human summary of nested marshmallow errors: `Contacts.0.Type: ...`."""
    parts: list[str] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = str(key) if key != "_schema" else ""
            path = ".".join(p for p in (prefix, name) if p)
            parts.extend(summarise(value, path))
    elif isinstance(errors, list):
        if all(isinstance(e, str) for e in errors):
            parts.append("%s: %s" % (prefix or "body", " ".join(errors)))
        else:
            for item in errors:
                parts.extend(summarise(item, prefix))
    else:
        parts.append("%s: %s" % (prefix or "body", errors))
    return parts

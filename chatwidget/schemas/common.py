"""Fields and base schemas shared by every API family."""

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, overload

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2})?$"
)


# The shape nearly every client sends (UTC, `T`, dot fraction): read by the C parser.
_PLAIN_UTC = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]{1,9})?[Zz]?"
)


def parse_utc(text: object) -> datetime:
    """Parse ISO 8601 as .NET sends it: no offset means UTC, up to 9 fraction digits.

    Returns a naive UTC datetime (microsecond precision), or raises ValueError.
    """
    plain = _PLAIN_UTC.fullmatch(text) if isinstance(text, str) else None
    if plain:
        # The same value as _parse_iso, several times faster (ingest reads thousands);
        # what the C parser refuses (an impossible date) fails in _parse_iso instead.
        whole, fraction = plain.groups()
        try:
            return datetime.fromisoformat(whole + fraction[:7] if fraction else whole)
        except ValueError:
            pass
    return _parse_iso(text)


def _parse_iso(text: object) -> datetime:
    """parse_utc's general path: any separator, fraction and offset it accepts."""
    match = _ISO.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError("not an ISO 8601 timestamp")
    year, month, day, hour, minute, second, frac, offset = match.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    value = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro
    )
    if offset and offset not in ("Z", "z"):
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        value = value.replace(tzinfo=timezone(sign * delta)).astimezone(UTC)
    return value.replace(tzinfo=None)


@overload
def format_utc(value: datetime) -> str: ...
@overload
def format_utc(value: datetime | None) -> str | None: ...


def format_utc(value: datetime | None) -> str | None:
    """Naive UTC datetime → ISO 8601 with Z (fraction only when there is one)."""
    if value is None:
        return None
    if type(value) is datetime and value.tzinfo is None and value.year >= 1000:
        return value.isoformat() + "Z"  # the same text as below, from C
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += ".%06d" % value.microsecond
    return text + "Z"


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
UNSTORABLE_TEXT = "Text may not contain NUL characters or unpaired surrogates."


def bad_text(text: str) -> bool:
    """True when text holds a NUL or a lone surrogate: neither PostgreSQL text nor UTF-8
    (so neither database) can store it."""
    if "\x00" in text:
        return True
    if text.isascii():  # the common case, without encoding a copy
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


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

    default_error_messages = {"invalid": "Not a whole number from 0 to %d." % MAX_BIGINT}

    def __init__(self, **kwargs: Any) -> None:
        doc = {"type": "integer", "minimum": 0, "maximum": MAX_BIGINT}
        kwargs["metadata"] = {**doc, **(kwargs.get("metadata") or {})}
        super().__init__(**kwargs)

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> int:
        if type(value) is str and 0 < len(value) <= 19 and value.isascii() and value.isdigit():
            value = int(value)
        if type(value) is not int or not 0 <= value <= MAX_BIGINT:
            raise self.make_error("invalid")
        return value


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

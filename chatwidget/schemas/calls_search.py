"""Wire formats of the console's calls search (GET /api/console/calls)."""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from marshmallow import Schema, fields, validate

from chatwidget.schemas.common import Request, SafeString, parse_utc

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DateOrDateTime(fields.Field[tuple[datetime, bool]]):
    """An ISO date (a whole day) or date-time (UTC without an offset): loads as
    (naive UTC datetime, whether only a date was given)."""

    default_error_messages = {"invalid": "Not an ISO 8601 date or date-time."}

    def __init__(self, **kwargs: Any) -> None:
        doc = {"type": "string", "description": "2026-12-01, or 2026-12-01T08:00:00Z"}
        super().__init__(metadata={**doc, **(kwargs.pop("metadata", None) or {})}, **kwargs)

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> tuple[datetime, bool]:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        value = value.strip()
        whole_day = bool(_DATE.fullmatch(value))
        try:
            return parse_utc(value + "T00:00:00" if whole_day else value), whole_day
        except (ValueError, OverflowError):
            raise self.make_error("invalid") from None


class CallsQuerySchema(Request):
    """What to look for; every given filter must match."""

    q = SafeString(200, metadata={"description": "Text in a message, any letter case"})
    sessionId = SafeString(255)
    email = SafeString(255, metadata={"description": "A contact's e-mail, any letter case"})
    phone = SafeString(255, metadata={"description": "A contact's phone, as captured"})
    from_ = DateOrDateTime(
        data_key="from", attribute="from", metadata={"description": "Started at or after"}
    )
    to = DateOrDateTime(metadata={"description": "Started at or before (a date: that whole day)"})
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    perPage = fields.Integer(load_default=25, validate=validate.Range(1, 100))


class CallItemSchema(Schema):
    """A call as the search lists it."""

    callId = fields.String(required=True)
    masterCallId = fields.String(allow_none=True, required=True)
    sessionId = fields.String(required=True)
    startedAt = fields.String(required=True, metadata={"format": "date-time"})
    channel = fields.String(
        required=True, metadata={"description": "capture, or a live chat's channel (web, …)"}
    )
    customer = fields.String(allow_none=True, required=True, metadata={"description": "Name"})
    email = fields.String(allow_none=True, required=True)
    phone = fields.String(allow_none=True, required=True)
    messages = fields.Integer(required=True, metadata={"description": "Messages but System's"})
    preview = fields.String(allow_none=True, required=True, metadata={"description": "First one"})


class CallPageSchema(Schema):
    """One page of calls, newest first, and how many match in all."""

    items = fields.List(fields.Nested(CallItemSchema), required=True)
    page = fields.Integer(required=True)
    perPage = fields.Integer(required=True)
    total = fields.Integer(required=True)

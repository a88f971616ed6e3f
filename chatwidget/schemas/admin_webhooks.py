"""Wire formats of the admin API: webhooks, their delivery log, the dashboard."""

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from chatwidget.core.webhook_admin import STATUSES
from chatwidget.core.webhooks import EVENTS
from chatwidget.schemas.common import HttpUrl, Request, SafeString

_ISO = {"type": "string", "format": "date-time"}


class CountsSchema(Schema):
    """An endpoint's events by status."""

    pending = fields.Integer(required=True)
    delivered = fields.Integer(required=True)
    dead = fields.Integer(required=True)


class WebhookSchema(Schema):
    """A webhook endpoint (its Basic password never shown)."""

    id = fields.Integer(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    createdAt = fields.String(required=True, metadata=_ISO)
    basicUser = fields.String(allow_none=True, required=True)
    counts = fields.Nested(CountsSchema, required=True)


class WebhookListSchema(Schema):
    """Every endpoint, oldest first."""

    webhooks = fields.List(fields.Nested(WebhookSchema), required=True)


class WebhookCreateSchema(Request):
    """A new endpoint, as `add-webhook`."""

    url = HttpUrl(required=True)
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENTS)),
        validate=validate.Length(max=len(EVENTS)),
        metadata={"description": 'Default ["call.summary"]'},
    )
    basicUser = SafeString(255, allow_none=True)
    basicPassword = SafeString(255, allow_none=True)

    @validates_schema
    def _both_or_neither(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if bool(data.get("basicUser")) != bool(data.get("basicPassword")):
            raise ValidationError("Give both basicUser and basicPassword, or neither.", "basicUser")


class WebhookCreatedSchema(WebhookSchema):
    """The new endpoint with the secret that signs its deliveries: shown this once here."""

    secret = fields.String(required=True)


class WebhookSecretSchema(Schema):
    """An endpoint's new signing secret, shown this once; the old one signs as
    `secondary=` until the rotation window (WEBHOOK_ROTATION_S) ends."""

    id = fields.Integer(required=True)
    secret = fields.String(required=True)


class EventsQuerySchema(Request):
    """Which events of an endpoint to list."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    perPage = fields.Integer(load_default=25, validate=validate.Range(1, 100))


class AttemptSchema(Schema):
    """One delivery attempt and what the receiver answered."""

    attempt = fields.Integer(required=True)
    at = fields.String(required=True, metadata=_ISO)
    statusCode = fields.Integer(allow_none=True, required=True)
    error = fields.String(allow_none=True, required=True)
    durationMs = fields.Integer(allow_none=True, required=True)


class EventSchema(Schema):
    """An outbox event with its delivery log, oldest attempt first."""

    id = fields.Integer(required=True)
    eventId = fields.String(required=True, metadata={"description": "X-Event-Id"})
    event = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "pending, delivered, dead"})
    attempts = fields.Integer(required=True)
    createdAt = fields.String(required=True, metadata=_ISO)
    deliveredAt = fields.String(allow_none=True, required=True, metadata=_ISO)
    lastError = fields.String(allow_none=True, required=True)
    log = fields.List(fields.Nested(AttemptSchema), required=True)


class EventPageSchema(Schema):
    """One page of events, newest first."""

    items = fields.List(fields.Nested(EventSchema), required=True)
    page = fields.Integer(required=True)
    perPage = fields.Integer(required=True)
    total = fields.Integer(required=True)


class DashboardQuerySchema(Request):
    """How many days back."""

    days = fields.Integer(load_default=7, validate=validate.Range(1, 31))


class HourSchema(Schema):
    hour = fields.String(required=True, metadata={**_ISO, "description": "The UTC hour's start"})
    conversations = fields.Integer(required=True)


class FirstResponseSchema(Schema):
    """Seconds from entering the queue (or creation) to an agent's first message."""

    count = fields.Integer(required=True)
    medianS = fields.Float(allow_none=True, required=True)
    p90S = fields.Float(allow_none=True, required=True)


class QueueWaitSchema(Schema):
    """Seconds from entering the queue to being assigned."""

    count = fields.Integer(required=True)
    medianS = fields.Float(allow_none=True, required=True)


class RatingsSchema(Schema):
    count = fields.Integer(required=True)
    average = fields.Float(allow_none=True, required=True)
    distribution = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": 'How many of each rating, "1" … "5"'},
    )


class TotalsSchema(Schema):
    conversations = fields.Integer(required=True)
    ended = fields.Integer(required=True)
    offline = fields.Integer(required=True)


class DashboardSchema(Schema):
    """The last `days` days, computed in SQL."""

    from_ = fields.String(data_key="from", attribute="from", required=True, metadata=_ISO)
    to = fields.String(required=True, metadata=_ISO)
    hours = fields.List(fields.Nested(HourSchema), required=True)
    firstResponse = fields.Nested(FirstResponseSchema, required=True)
    queueWait = fields.Nested(QueueWaitSchema, required=True)
    ratings = fields.Nested(RatingsSchema, required=True)
    totals = fields.Nested(TotalsSchema, required=True)

"""Every model, imported so that metadata and Alembic see them all."""

from chatwidget.models.api_user import ApiUser
from chatwidget.models.call import Call, CallKey
from chatwidget.models.webhook import DeliveryAttempt, OutboxEvent, Webhook

__all__ = ["ApiUser", "Call", "CallKey", "DeliveryAttempt", "OutboxEvent", "Webhook"]

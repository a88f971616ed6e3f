"""What both namespaces share: acks, error translation, per-socket state."""

import logging
from functools import wraps

from flask import request
from flask_socketio import Namespace

from chatwidget.core.errors import CoreError, InvalidInput
from chatwidget.extensions import db

log = logging.getLogger(__name__)

# Per-socket state of this process's own sockets. Nothing here is needed by another
# process: a socket lives in one process, and everything shared is in the database.
_state = {}


def state():
    """The current socket's state dict."""
    return _state.setdefault((request.namespace, request.sid), {})


def forget():
    """Drop the current socket's state (on disconnect)."""
    _state.pop((request.namespace, request.sid), None)


def ok(**fields):
    """A success ack."""
    return {"status": "ok", **fields}


def error(message, **fields):
    """An error ack."""
    return {"status": "error", "message": message, **fields}


class AckingNamespace(Namespace):
    """A namespace that answers every client event, an unknown one with an error ack."""

    def trigger_event(self, event, *args):
        if not hasattr(self, "on_" + (event or "")):
            return error("unknown event %s" % str(event)[:64])
        return super().trigger_event(event, *args)


def whole_number(value, name):
    """A non-negative integer from an event payload (digits in a string accepted)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput("%s must be a whole number" % name, errors={name: [str(value)]})
    return value


def handler(func):
    """Wrap an event handler: dict payload required, errors become error acks."""

    @wraps(func)
    def wrapper(self, data=None, *args):
        if not isinstance(data, dict):
            return error("the payload must be a JSON object")
        try:
            return func(self, data)
        except CoreError as exc:
            db.session.rollback()
            return error(exc.message, **({"errors": exc.errors} if exc.errors else {}))
        except Exception:  # answer the client; the trace goes to the log only
            db.session.rollback()
            log.exception("socket handler %s failed", func.__name__)
            return error("internal error")

    return wrapper
